package org.discoverweekly.etl;

import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.discoverweekly.etl.config.PipelineConfig.ListenRules;
import org.discoverweekly.etl.config.PipelineConfig.SparkSettings;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.SparkSessions;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import scala.collection.JavaConverters;

/**
 * One local SparkSession per test JVM, Delta on, few partitions, a temporary lake folder per class.
 */
public abstract class SparkTestBase {

  /** The embedded defaults of conf/local.conf. */
  protected static final ListenRules RULES =
      new ListenRules(30_000, 30, 15, 14_400_000, 2880, 65_536, List.of());

  /** The test JVM's one session, shared by every class (set before each class runs). */
  protected static SparkSession spark;

  @TempDir protected static Path tempDir;

  private static final AtomicInteger LAKES = new AtomicInteger();

  private static SparkSession shared;

  /** The session's SQL settings as created, restored after each class. */
  private static Map<String, String> createdConf;

  @BeforeAll
  static void startSpark(TestInfo test) {
    SparkQueryStats.countFor(test.getTestClass().map(Class::getSimpleName).orElse("?"));
    spark = shared();
  }

  /**
   * Starting a local session costs seconds and its JIT-compiled code is lost with it, so the JVM
   * keeps one for every class; Spark stops it at exit. A class that needs a session of its own
   * (S3LakeTest: the CLI's, as one spark-submit builds it) stops it, and the next class starts
   * another.
   */
  private static synchronized SparkSession shared() {
    if (shared == null || shared.sparkContext().isStopped()) {
      shared =
          SparkSessions.create(
              new SparkSettings(
                  "local[2]",
                  "discover-weekly-test",
                  2,
                  Map.of(
                      "spark.ui.enabled", "false",
                      // One JVM runs every test class, and Spark's cache of generated code keeps
                      // 100 classes: with room for all of the suite's queries, two of the lake
                      // classes compiled 1,259 classes instead of 5,175 and ran 23 % faster.
                      "spark.sql.codegen.cache.maxEntries", "4000",
                      // Every query's plan description for the (disabled) UI in the short form:
                      // the formatted one was a tenth of the driver's samples in a profiled
                      // weekly run.
                      "spark.sql.ui.explainMode", "simple",
                      "spark.databricks.delta.snapshotPartitions", "1",
                      // The suite's tables are a few thousand rows: planning, not running, is
                      // most of a query's time. Without adaptive re-planning and generated code
                      // (expressions interpreted), WeeklyRecommendationsTest took 168-171 s
                      // against 192-198 s, in alternating runs (bench/HISTORY.md). The CLI's own
                      // JVMs (CrashTest's, the DAG's, the demo) keep Spark's defaults.
                      "spark.sql.adaptive.enabled", "false",
                      "spark.sql.codegen.wholeStage", "false",
                      "spark.sql.codegen.factoryMode", "NO_CODEGEN",
                      "spark.sql.adaptive.coalescePartitions.initialPartitionNum", "2")));
      if (SparkQueryStats.enabled()) {
        shared.sparkContext().addSparkListener(new SparkQueryStats());
      }
      createdConf = Map.copyOf(sqlConf(shared));
    }
    return shared;
  }

  /**
   * Leaves the shared session as the next class expects it: nothing cached, the SQL settings a
   * class's command lines changed back to their values at creation.
   */
  @AfterAll
  static void resetSpark() {
    spark.catalog().clearCache();
    Map<String, String> now = sqlConf(spark);
    for (String key : now.keySet()) {
      if (!createdConf.containsKey(key) && spark.conf().isModifiable(key)) {
        spark.conf().unset(key);
      }
    }
    createdConf.forEach(
        (key, value) -> {
          if (!value.equals(now.get(key)) && spark.conf().isModifiable(key)) {
            spark.conf().set(key, value);
          }
        });
  }

  private static Map<String, String> sqlConf(SparkSession session) {
    return JavaConverters.mapAsJavaMap(session.conf().getAll());
  }

  /** A fresh, empty lake for one test. */
  protected static Lake newLake() {
    return new Lake(spark, tempDir.resolve("lake-" + LAKES.incrementAndGet()).toString());
  }

  /** Appends {@code rows} to {@code table}, created first as the pipeline creates it. */
  protected static void append(Lake lake, Table table, Dataset<Row> rows) {
    lake.ensure(table);
    Lake.conform(rows, table).write().format("delta").mode("append").save(lake.path(table));
  }

  protected static Dataset<Row> rows(StructType schema, Object[]... values) {
    List<Row> rows = Arrays.stream(values).map(RowFactory::create).toList();
    return spark.createDataFrame(rows, schema);
  }

  /** Bronze rows for one arrival date, one per line, from one file. */
  protected static Dataset<Row> bronze(LocalDate date, String... lines) {
    return rows(
        Table.BRONZE_LISTENS.schema(),
        Arrays.stream(lines)
            .map(line -> new Object[] {line, "file:/landing/part-0.json", Date.valueOf(date)})
            .toArray(Object[][]::new));
  }

  /** A catalog with the given track ids, all available, each by its own artist. */
  protected static Dataset<Row> catalog(String... trackIds) {
    return rows(
        Table.SILVER_TRACKS.schema(),
        Arrays.stream(trackIds)
            .map(id -> new Object[] {id, "a-" + id, "Track " + id, "Artist " + id, 200_000L, true})
            .toArray(Object[][]::new));
  }

  /** A listen line as clients send it. */
  protected static String listen(
      String eventId, String user, String track, String ts, long msPlayed) {
    return String.format(
        "{\"event_id\":\"%s\",\"user_id\":\"%s\",\"track_id\":\"%s\",\"ts\":\"%s\",\"ms_played\":%d}",
        eventId, user, track, ts, msPlayed);
  }
}
