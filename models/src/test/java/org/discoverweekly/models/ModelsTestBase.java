package org.discoverweekly.models;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One local SparkSession per test JVM with few partitions, UTC. */
abstract class ModelsTestBase {

  protected static SparkSession spark;

  private static SparkSession shared;

  /**
   * Starting a local session costs seconds and its JIT-compiled code is lost with it, so the JVM
   * keeps one for every class; Spark stops it at exit.
   */
  @BeforeAll
  static void startSpark() {
    synchronized (ModelsTestBase.class) {
      if (shared == null || shared.sparkContext().isStopped()) {
        shared =
            SparkSession.builder()
                .master("local[2]")
                .appName("discover-weekly-models-test")
                .config("spark.ui.enabled", "false")
                // Room for every class's generated code in this JVM (Spark keeps 100 by default).
                .config("spark.sql.codegen.cache.maxEntries", "4000")
                // The short plan description for the (disabled) UI: the formatted one was a tenth
                // of the driver's samples in a profiled weekly run.
                .config("spark.sql.ui.explainMode", "simple")
                .config("spark.sql.shuffle.partitions", "2")
                .config("spark.sql.session.timeZone", "UTC")
                .getOrCreate();
      }
    }
    spark = shared;
  }

  @AfterAll
  static void uncache() {
    spark.catalog().clearCache();
  }

  protected static Dataset<Row> rows(StructType schema, Object[]... values) {
    List<Row> rows = Arrays.stream(values).map(RowFactory::create).toList();
    return spark.createDataFrame(rows, schema);
  }
}
