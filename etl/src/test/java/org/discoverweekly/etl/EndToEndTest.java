package org.discoverweekly.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.generate.ListenFingerprint;
import org.discoverweekly.etl.generate.Manifest;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The CLI from generated landing files to silver: several days, out of order, one day rerun, late
 * events arriving in later files. Silver and quarantine must equal what the generator planted.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class EndToEndTest extends SparkTestBase {

  private static Path landing;
  private static Lake lake;
  private static Manifest manifest;
  private static List<LocalDate> dates;

  private static String cli(String... args) {
    return CliRun.succeeding(
        List.of(
            "-Dspark.shuffle-partitions=2", "--lake", lake.root(), "--landing", landing.toString()),
        args);
  }

  @BeforeAll
  static void generate() {
    landing = tempDir.resolve("landing");
    lake = new Lake(spark, tempDir.resolve("lake").toString());
    cli(
        "generate",
        "--out",
        landing.toString(),
        "--users",
        "80",
        "--tracks",
        "400",
        "--weeks",
        "1",
        "--end-week",
        "2026-11-16",
        "--seed",
        "11",
        "--gzip");
    manifest = Generator.readManifest(landing);
    dates = manifest.arrivalDates();
  }

  @Test
  @Order(1)
  void shouldIngestEveryLineOfEveryArrivalDate() {
    cli(
        "ingest",
        "--from",
        dates.get(0).toString(),
        "--to",
        dates.get(dates.size() - 1).toString());
    Map<LocalDate, Long> bronze = new TreeMap<>();
    for (Row row : lake.read(Table.BRONZE_LISTENS).groupBy("ingest_date").count().collectAsList()) {
      bronze.put(row.getDate(0).toLocalDate(), row.getLong(1));
    }
    assertEquals(manifest.linesPerArrivalDate(), bronze);
    Map<LocalDate, Long> feedback = new TreeMap<>();
    for (Row row :
        lake.read(Table.BRONZE_FEEDBACK).groupBy("ingest_date").count().collectAsList()) {
      feedback.put(row.getDate(0).toLocalDate(), row.getLong(1));
    }
    assertEquals(manifest.feedbackLinesPerArrivalDate(), feedback);
  }

  @Test
  @Order(2)
  void shouldBuildSilverOutOfOrderAndUnchangedByARerun() {
    // The last days first: their late listens land in earlier event dates before those days run.
    for (int i = dates.size() - 1; i >= 3; i--) {
      cli("silver", "--date", dates.get(i).toString());
    }
    cli("silver", "--from", dates.get(0).toString(), "--to", dates.get(2).toString());
    List<Row> before = lake.read(Table.SILVER_LISTENS).orderBy("event_id").collectAsList();
    List<Row> feedbackBefore = lake.read(Table.SILVER_FEEDBACK).orderBy("event_id").collectAsList();
    // The rerun ingests its date again first, in the same command: the same lines, nothing new.
    LocalDate again = dates.get(4);
    List<String> rerun = cli("silver", "--ingest", "--date", again.toString()).lines().toList();
    assertTrue(
        rerun
            .get(2)
            .matches(
                again
                    + "\\s+\\d+\\s+"
                    + manifest.linesPerArrivalDate().get(again)
                    + "\\s+\\d+\\s+"
                    + manifest.feedbackLinesPerArrivalDate().getOrDefault(again, 0L)
                    + "\\s*"),
        String.join("\n", rerun));
    assertTrue(rerun.get(3).startsWith("ingest: 1 date(s) in "), String.join("\n", rerun));
    assertTrue(rerun.get(6).matches(again + "\\s+\\d+\\s+0\\s+.*"), String.join("\n", rerun));
    assertEquals(before, lake.read(Table.SILVER_LISTENS).orderBy("event_id").collectAsList());
    assertEquals(
        feedbackBefore, lake.read(Table.SILVER_FEEDBACK).orderBy("event_id").collectAsList());
  }

  @Test
  @Order(3)
  void shouldHoldExactlyTheUniqueValidListensThatWerePlanted() {
    List<Row> listens =
        lake.read(Table.SILVER_LISTENS)
            .select("user_id", "track_id", "ts", "event_date")
            .collectAsList();
    ListenFingerprint fingerprint = new ListenFingerprint();
    Map<LocalDate, Long> perEventDate = new TreeMap<>();
    for (Row row : listens) {
      fingerprint.add(row.getString(0), row.getString(1), row.getTimestamp(2).getTime());
      perEventDate.merge(row.getDate(3).toLocalDate(), 1L, Long::sum);
    }
    assertEquals(manifest.uniqueListens(), fingerprint.count());
    assertEquals(manifest.fingerprint(), fingerprint.hex());
    assertEquals(manifest.uniqueListensPerEventDate(), perEventDate);
    assertEquals(manifest.streams(), lake.read(Table.SILVER_LISTENS).filter("is_stream").count());
    assertEquals(manifest.feedbackEvents(), lake.read(Table.SILVER_FEEDBACK).count());
  }

  @Test
  @Order(4)
  void shouldQuarantineExactlyThePlantedBadLinesWithTheirReasons() {
    Map<String, Long> reasons = new TreeMap<>();
    Map<String, Long> feedbackReasons = new TreeMap<>();
    for (Row row :
        lake.read(Table.SILVER_QUARANTINE).groupBy("feed", "reason").count().collectAsList()) {
      (row.getString(0).equals("feedback") ? feedbackReasons : reasons)
          .put(row.getString(1), row.getLong(2));
    }
    assertEquals(manifest.quarantine(), reasons);
    assertEquals(manifest.feedbackQuarantine(), feedbackReasons);
  }

  @Test
  @Order(5)
  void shouldReconcileEveryDateInTheRunLedger() {
    List<Row> runs =
        lake.read(Table.OPS_PIPELINE_RUNS)
            .filter("stage = 'silver' AND status = 'succeeded'")
            .collectAsList();
    assertEquals(dates.size() + 1, runs.size());
    long firstRunsNew = 0;
    long firstRunsNewFeedback = 0;
    for (Row run : runs) {
      Map<String, Long> counts = run.getJavaMap(run.fieldIndex("row_counts"));
      LocalDate date = run.getDate(run.fieldIndex("date")).toLocalDate();
      assertEquals(manifest.linesPerArrivalDate().get(date), counts.get("bronze"), date.toString());
      assertEquals(
          counts.get("bronze"),
          counts.get("new") + counts.get("duplicates") + counts.get("quarantined"),
          date.toString());
      firstRunsNew += counts.get("new");
      assertEquals(
          manifest.feedbackLinesPerArrivalDate().getOrDefault(date, 0L),
          counts.get("feedback_bronze"),
          date.toString());
      assertEquals(
          counts.get("feedback_bronze"),
          counts.get("feedback_new")
              + counts.get("feedback_duplicates")
              + counts.get("feedback_quarantined"),
          date.toString());
      firstRunsNewFeedback += counts.get("feedback_new");
      Map<String, Long> inputs = run.getJavaMap(run.fieldIndex("input_versions"));
      assertTrue(inputs.get("bronze.listens") >= 0, inputs.toString());
      Map<String, String> config = run.getJavaMap(run.fieldIndex("config"));
      assertEquals("65536", config.get("listens.max-line-bytes"), config.toString());
      assertEquals(16, config.get("hash").length(), config.toString());
      assertTrue(run.<String>getAs("code_version").length() > 0);
    }
    assertEquals(manifest.uniqueListens(), firstRunsNew);
    assertEquals(manifest.feedbackEvents(), firstRunsNewFeedback);
    for (Row ingest :
        lake.read(Table.OPS_PIPELINE_RUNS).filter("stage = 'ingest'").collectAsList()) {
      Map<String, String> config = ingest.getJavaMap(ingest.fieldIndex("config"));
      assertEquals(landing.toString(), config.get("landing"), config.toString());
    }
  }

  @Test
  @Order(6)
  void shouldAnswerAnalystSqlByTableName() {
    String csv =
        cli(
            "sql",
            "--format",
            "csv",
            "SELECT count(*) AS listens FROM silver.listens WHERE event_date < DATE'2026-11-16'");
    assertEquals("listens\n" + manifest.uniqueListens() + "\n", csv);
  }
}
