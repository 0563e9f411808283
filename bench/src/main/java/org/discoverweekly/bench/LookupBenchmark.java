package org.discoverweekly.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.execution.FileSourceScanExec;
import org.apache.spark.sql.execution.SparkPlan;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.SparkSessions;
import org.discoverweekly.etl.storage.Table;
import scala.collection.JavaConverters;

/**
 * Point lookups of one user through {@code sql}, as an analyst or a debugging operator makes them:
 * the user's playlist of a week in gold, and the user's listening history in silver. Arguments:
 * {@code LAKE WEEK USER LABEL}; prints one line per query: live files of the table, files the scan
 * read after Delta's data skipping, and the best of five runs' seconds.
 */
public final class LookupBenchmark {

  private static final int RUNS = 5;

  private LookupBenchmark() {}

  public static void main(String[] args) {
    String lakeRoot = args[0];
    String week = args[1];
    String user = args[2];
    String label = args[3];
    SparkSession spark = SparkSessions.create(ConfigLoader.defaults().spark());
    spark.sparkContext().setLogLevel("WARN");
    // Without adaptive execution the executed plan keeps its scans as leaves, with their metrics.
    spark.conf().set("spark.sql.adaptive.enabled", "false");
    Lake lake = new Lake(spark, lakeRoot);
    lake.registerTables();
    List<String> lines = new ArrayList<>();
    lines.add(
        measure(
            spark,
            lake,
            label,
            Table.GOLD_DISCOVER_WEEKLY,
            "SELECT position, track_id, score FROM gold.discover_weekly WHERE week = DATE'"
                + week
                + "' AND user_id = '"
                + user
                + "' ORDER BY position"));
    lines.add(
        measure(
            spark,
            lake,
            label,
            Table.SILVER_LISTENS,
            "SELECT count(*), max(ts) FROM silver.listens WHERE user_id = '" + user + "'"));
    lines.forEach(System.out::println);
  }

  private static String measure(
      SparkSession spark, Lake lake, String label, Table table, String sql) {
    long liveFiles = lake.read(table).inputFiles().length;
    double best = Double.MAX_VALUE;
    long filesRead = -1;
    long rows = -1;
    for (int run = 0; run < RUNS; run++) {
      long started = System.nanoTime();
      Dataset<Row> query = spark.sql(sql);
      rows = query.collectAsList().size();
      best = Math.min(best, (System.nanoTime() - started) / 1e9);
      filesRead = filesRead(query.queryExecution().executedPlan());
    }
    return String.format(
        Locale.ROOT,
        "%-7s %-22s %10d %10d %8.2f %5d",
        label,
        table.sqlName(),
        liveFiles,
        filesRead,
        best,
        rows);
  }

  /** The scans' "number of files read" metrics, summed over the plan's leaves. */
  private static long filesRead(SparkPlan plan) {
    long files = 0;
    for (SparkPlan leaf : JavaConverters.seqAsJavaList(plan.collectLeaves())) {
      if (leaf instanceof FileSourceScanExec scan) {
        files += scan.metrics().apply("numFiles").value();
      }
    }
    return files;
  }
}
