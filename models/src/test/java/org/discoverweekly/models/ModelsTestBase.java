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

/** One local SparkSession per test class with few partitions, UTC. */
abstract class ModelsTestBase {

  protected static SparkSession spark;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("discover-weekly-models-test")
            .config("spark.ui.enabled", "false")
            // Room for every class's generated code in this JVM (Spark keeps 100 by default).
            .config("spark.sql.codegen.cache.maxEntries", "4000")
            // The short plan description for the (disabled) UI: the formatted one was a tenth of
            // the driver's samples in a profiled weekly run.
            .config("spark.sql.ui.explainMode", "simple")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    spark.stop();
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  protected static Dataset<Row> rows(StructType schema, Object[]... values) {
    List<Row> rows = Arrays.stream(values).map(RowFactory::create).toList();
    return spark.createDataFrame(rows, schema);
  }
}
