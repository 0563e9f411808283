package org.discoverweekly.etl;

import static org.apache.spark.sql.functions.col;
import static org.discoverweekly.etl.RowSets.assertSameRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Encoders;
import org.discoverweekly.etl.gold.WeeklyRecommendations;
import org.discoverweekly.etl.silver.BuildSilver;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Real crashes: the CLI runs in a JVM of its own, stops at a named point mid-stage, and is killed
 * with SIGKILL ({@code kill -9}: no shutdown hook, no finally). The same command rerun in this JVM
 * then converges to what a run that never crashed wrote, row for row, in a second lake.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrashTest extends SparkTestBase {

  private static final LocalDate WEEK = LocalDate.parse(GeneratedLake.WEEK);

  private static Path landing;
  private static Lake crashed;
  private static Lake clean;
  private static LocalDate beforeLast;
  private static LocalDate lastDate;

  private static List<String> options(Lake lake) {
    return CliRun.smallRun(lake.root(), landing, List.of());
  }

  /**
   * Starts the crashed lake with every date ingested and silver for all but the last two, the clean
   * one with all of silver and the week's weekly run, as a run that never crashed built them.
   */
  @BeforeAll
  static void ingestEveryDateAndBuildSilverButTheLastTwo() {
    landing = tempDir.resolve("landing");
    crashed = new Lake(spark, tempDir.resolve("crashed").toString());
    clean = new Lake(spark, tempDir.resolve("clean").toString());
    GeneratedLake.copyTo(GeneratedLake.Stage.ALL_BUT_LAST_TWO, landing, tempDir.resolve("crashed"));
    List<LocalDate> dates =
        GeneratedLake.copyLakeTo(GeneratedLake.Stage.WEEK, tempDir.resolve("clean")).arrivalDates();
    lastDate = dates.get(dates.size() - 1);
    beforeLast = dates.get(dates.size() - 2);
  }

  @Test
  @Order(1)
  void shouldConvergeAfterSilverIsKilledBetweenQuarantineAndMerge() throws Exception {
    killAt(BuildSilver.QUARANTINED, "silver", "--date", beforeLast.toString());

    CliRun rerun = CliRun.of(options(crashed), "silver", "--date", beforeLast.toString());

    assertEquals(0, rerun.code(), rerun.err());
    String upToBeforeLast = "ingest_date <= DATE'" + beforeLast + "'";
    assertSameRows(
        clean.read(Table.SILVER_LISTENS).filter(upToBeforeLast),
        crashed.read(Table.SILVER_LISTENS).filter(upToBeforeLast));
    assertSameRows(
        clean.read(Table.SILVER_QUARANTINE).filter(upToBeforeLast),
        crashed.read(Table.SILVER_QUARANTINE).filter(upToBeforeLast));
  }

  @Test
  @Order(2)
  void shouldConvergeAfterSilverIsKilledBetweenMergeAndLedger() throws Exception {
    killAt(BuildSilver.MERGED, "silver", "--date", lastDate.toString());
    assertTrue(
        crashed.read(Table.SILVER_LISTENS).filter("ingest_date = DATE'" + lastDate + "'").count()
            > 0,
        "the killed run committed its merge");
    assertEquals(
        0,
        crashed
            .read(Table.OPS_PIPELINE_RUNS)
            .filter("stage = 'silver' AND date = DATE'" + lastDate + "'")
            .count(),
        "but recorded no run");

    CliRun rerun = CliRun.of(options(crashed), "silver", "--date", lastDate.toString());

    assertEquals(0, rerun.code(), rerun.err());
    assertSameRows(clean.read(Table.SILVER_LISTENS), crashed.read(Table.SILVER_LISTENS));
    assertSameRows(clean.read(Table.SILVER_QUARANTINE), crashed.read(Table.SILVER_QUARANTINE));
  }

  @Test
  @Order(3)
  void shouldConvergeAfterWeeklyIsKilledWithPlaylistsWrittenButNoGateVerdict() throws Exception {
    killAt(WeeklyRecommendations.RANKED, "weekly", "--week", WEEK.toString());
    assertEquals(
        0,
        crashed.read(Table.OPS_PIPELINE_RUNS).filter(col("stage").equalTo("gate")).count(),
        "a killed weekly has no verdict, so its week cannot be published");
    assertEquals(
        List.of("candidate"),
        crashed.read(Table.OPS_MODELS).select("status").as(Encoders.STRING()).collectAsList(),
        "its model is registered, saved whole, and not judged");

    CliRun rerun = CliRun.of(options(crashed), "weekly", "--week", WEEK.toString());

    // The clean lake's weekly of the week succeeded with the same options (GeneratedLake.WEEK).
    assertEquals(0, rerun.code(), rerun.err());
    // The model version names silver's table version, which the crash's extra commits moved on.
    assertSameRows(
        clean.read(Table.GOLD_DISCOVER_WEEKLY).drop("model_version"),
        crashed.read(Table.GOLD_DISCOVER_WEEKLY).drop("model_version"));
    assertSameRows(
        clean.read(Table.GOLD_USER_TRACK_MATRIX), crashed.read(Table.GOLD_USER_TRACK_MATRIX));
    assertEquals(
        List.of("accepted"),
        crashed.read(Table.OPS_MODELS).select("status").as(Encoders.STRING()).collectAsList());
  }

  /**
   * Runs the command in a JVM of its own until it pauses at {@code point}, then kills it with
   * SIGKILL and checks it left its writer lock behind, as a crash does.
   */
  private static void killAt(String point, String... args) throws Exception {
    List<String> command = new ArrayList<>(options(crashed));
    command.addAll(List.of(args));
    CliProcess cli = CliProcess.pausedAt(point, tempDir, command);
    assertEquals(137, cli.kill(), "killed by SIGKILL; output in " + cli.log());
    assertTrue(
        Files.exists(Path.of(crashed.root(), "ops", "_writer.lock")),
        "a killed command leaves its lock; the rerun takes it over");
  }
}
