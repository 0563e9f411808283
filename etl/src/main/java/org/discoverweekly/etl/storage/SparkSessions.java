package org.discoverweekly.etl.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.discoverweekly.etl.config.LineageConf;
import org.discoverweekly.etl.config.PipelineConfig.SparkSettings;

/** Builds the one SparkSession every stage and test uses: Delta on, UTC, the configured knobs. */
public final class SparkSessions {

  private SparkSessions() {}

  public static SparkSession create(SparkSettings settings) {
    // spark-submit sets spark.* as system properties; SparkConf picks them up and they win.
    SparkConf submitted = new SparkConf(true);
    SparkSession.Builder builder =
        SparkSession.builder()
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config(
                "spark.sql.catalog.spark_catalog",
                "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", settings.shufflePartitions())
            // Analyst SQL registers tables by name in a session catalog that lives in memory.
            .config(
                "spark.sql.warehouse.dir",
                Path.of(System.getProperty("java.io.tmpdir"), "discover-weekly-warehouse")
                    .toString());
    if (!submitted.contains("spark.master")) {
      builder = builder.master(settings.master());
    }
    // spark-submit always names the application (--name, or the main class without it).
    if (!submitted.contains("spark.app.name")) {
      builder = builder.appName(settings.appName());
    }
    for (var entry : settings.conf().entrySet()) {
      if (!submitted.contains(entry.getKey())) {
        builder = builder.config(entry.getKey(), entry.getValue());
      }
    }
    // OpenLineage's file transport appends to its file but does not make its folder.
    String lineageFile = submitted.get(LineageConf.FILE, settings.conf().get(LineageConf.FILE));
    if (lineageFile != null) {
      try {
        Path parent = Path.of(lineageFile).toAbsolutePath().getParent();
        Files.createDirectories(parent);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot create the lineage file's folder: " + e.getMessage(), e);
      }
    }
    return builder.getOrCreate();
  }
}
