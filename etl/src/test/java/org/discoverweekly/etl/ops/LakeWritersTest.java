package org.discoverweekly.etl.ops;

import static org.apache.spark.sql.functions.col;
import static org.discoverweekly.etl.RowSets.assertSameRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.CliRun;
import org.discoverweekly.etl.GeneratedLake;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.gold.WeeklyRecommendations;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One writer per lake, on a copy of the shared lake with its week built: a second {@code weekly} of
 * the same week started while the first runs fails at once and changes nothing; {@code maintain}
 * refuses while another command writes, compacts and Z-orders without changing a row, and vacuums
 * by its retention; a lock whose process is gone is taken over.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LakeWritersTest extends SparkTestBase {

  private static final LocalDate WEEK = LocalDate.parse(GeneratedLake.WEEK);

  private static Path landing;
  private static Lake lake;

  private static List<String> options(String... more) {
    return CliRun.smallRun(lake.root(), landing, List.of(more));
  }

  private static LakeLock lock() {
    return new LakeLock(lake.root(), spark.sparkContext().hadoopConfiguration(), Clock.systemUTC());
  }

  @BeforeAll
  static void buildSilver() {
    landing = tempDir.resolve("landing");
    lake = new Lake(spark, tempDir.resolve("lake").toString());
    GeneratedLake.copyTo(GeneratedLake.Stage.WEEK, landing, tempDir.resolve("lake"));
  }

  @Test
  @Order(1)
  void shouldRefuseASecondWeeklyOfTheWeekWhileTheFirstRunsAndLetTheFirstFinish() throws Exception {
    long verdicts = gateVerdicts();
    Path lockFile = Path.of(lock().path());
    CompletableFuture<CliRun> first;
    CliRun second;
    // The first run waits between its rank and evaluate steps, holding the lock, until the second
    // has been refused (a second that got past the lock would wait there too, and time out).
    System.setProperty(FaultPoint.PAUSE_PROPERTY, WeeklyRecommendations.RANKED);
    try {
      first =
          CompletableFuture.supplyAsync(() -> CliRun.of(options(), "weekly", "--week", "" + WEEK));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!Files.exists(lockFile) && !first.isDone() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertTrue(Files.exists(lockFile), "the first weekly never took the lake's lock");

      second =
          CompletableFuture.supplyAsync(() -> CliRun.of(options(), "weekly", "--week", "" + WEEK))
              .get(2, TimeUnit.MINUTES);
    } finally {
      System.clearProperty(FaultPoint.PAUSE_PROPERTY);
    }

    assertEquals(1, second.code(), second.err());
    assertTrue(
        second.errLine().contains("the lake is being written by `weekly --week " + WEEK + "`"),
        second.err());
    assertTrue(second.errLine().contains("one command writes a lake at a time"), second.err());
    CliRun firstDone = first.get(5, TimeUnit.MINUTES);
    assertEquals(0, firstDone.code(), firstDone.err());
    assertFalse(Files.exists(lockFile), "the lock must be released");
    // The refused run recorded nothing: one more gate verdict, one playlist per user and position.
    assertEquals(verdicts + 1, gateVerdicts());
    var gold = lake.read(Table.GOLD_DISCOVER_WEEKLY).filter(col("week").equalTo(WEEK.toString()));
    assertTrue(gold.count() > 0);
    assertEquals(gold.count(), gold.select("user_id", "position").distinct().count());
  }

  @Test
  @Order(2)
  void shouldCompactAndZOrderWithoutChangingARowAndVacuumByItsRetention() {
    List<Row> silverBefore = lake.read(Table.SILVER_LISTENS).collectAsList();
    List<Row> goldBefore = lake.read(Table.GOLD_DISCOVER_WEEKLY).collectAsList();
    long silverFilesBefore = liveFiles(Table.SILVER_LISTENS);

    CliRun run = CliRun.of(options("-Dmaintain.vacuum-retention-hours=0"), "maintain");

    assertEquals(0, run.code(), run.err());
    assertTrue(run.errLine().contains("below Delta's safe 168 h"), run.err());
    assertSameRows(silverBefore, lake.read(Table.SILVER_LISTENS));
    assertSameRows(goldBefore, lake.read(Table.GOLD_DISCOVER_WEEKLY));
    long silverFilesAfter = liveFiles(Table.SILVER_LISTENS);
    assertTrue(
        silverFilesAfter < silverFilesBefore,
        "silver.listens: " + silverFilesBefore + " -> " + silverFilesAfter + " live files");
    Row optimize =
        lake.delta(Table.GOLD_DISCOVER_WEEKLY)
            .history()
            .filter(col("operation").equalTo("OPTIMIZE"))
            .orderBy(col("version").desc())
            .head();
    Map<String, String> parameters =
        optimize.getJavaMap(optimize.fieldIndex("operationParameters"));
    assertEquals("[\"user_id\"]", parameters.get("zOrderBy"));
    // Retention 0: every file the compaction replaced is gone from storage.
    assertEquals(silverFilesAfter, storedFiles(Table.SILVER_LISTENS));
    Row ledger =
        lake.read(Table.OPS_PIPELINE_RUNS)
            .filter(col("stage").equalTo("maintain"))
            .orderBy(col("finished_at").desc())
            .head();
    assertEquals(StageOutcome.SUCCEEDED, ledger.getString(ledger.fieldIndex("status")));
    Map<String, Long> counts = ledger.getJavaMap(ledger.fieldIndex("row_counts"));
    assertEquals(silverFilesAfter, counts.get("silver.listens.live_files_after"));
    assertTrue(counts.get("silver.listens.files_deleted") > 0, counts.toString());
    Map<String, String> config = ledger.getJavaMap(ledger.fieldIndex("config"));
    assertEquals("0", config.get("maintain.vacuum-retention-hours"), config.toString());
    assertEquals(16, config.get("hash").length(), config.toString());
  }

  @Test
  @Order(3)
  void shouldRefuseMaintainWhileAWeeklyRunHoldsTheLake() {
    Map<String, Long> versions = lake.versions(Table.values());
    try (LakeLock.Held weekly = lock().acquire("weekly --week " + WEEK)) {
      CliRun run = CliRun.of(options(), "maintain");

      assertEquals(1, run.code(), run.err());
      assertTrue(
          run.errLine()
              .startsWith(
                  "discover-weekly maintain: the lake is being written by `weekly --week "
                      + WEEK
                      + "` (pid "
                      + ProcessHandle.current().pid()),
          run.err());
      assertTrue(run.errLine().endsWith("delete " + lock().path()), run.err());
    }
    assertEquals(versions, lake.versions(Table.values()));
  }

  @Test
  @Order(4)
  void shouldTakeOverALockWhoseProcessIsGoneButNotOneFromAnotherHost() throws Exception {
    List<Row> silverBefore = lake.read(Table.SILVER_LISTENS).collectAsList();
    Process finished = new ProcessBuilder("true").start();
    finished.waitFor();
    String host = java.net.InetAddress.getLocalHost().getHostName();
    Path lockFile = Path.of(lock().path());

    long optimizes = optimizeCommits(Table.GOLD_DISCOVER_WEEKLY);
    writeLock(lockFile, host, finished.pid());
    CliRun takenOver = CliRun.of(options(), "maintain");

    assertEquals(0, takenOver.code(), takenOver.err());
    assertFalse(Files.exists(lockFile));
    // A second maintain changes no row either, and compacts no table written to since the first.
    assertSameRows(silverBefore, lake.read(Table.SILVER_LISTENS));
    for (Table table : List.of(Table.SILVER_LISTENS, Table.GOLD_DISCOVER_WEEKLY)) {
      assertTrue(
          takenOver
              .out()
              .lines()
              .anyMatch(
                  line ->
                      line.startsWith(table.sqlName() + " ")
                          && line.contains(MaintainLake.UNCHANGED)),
          takenOver.out());
    }
    assertEquals(optimizes, optimizeCommits(Table.GOLD_DISCOVER_WEEKLY));

    writeLock(lockFile, "another-host", finished.pid());
    CliRun refused = CliRun.of(options(), "maintain");

    assertEquals(1, refused.code(), refused.err());
    assertTrue(refused.errLine().contains("on another-host"), refused.err());
    Files.delete(lockFile);
  }

  private static long gateVerdicts() {
    return lake.read(Table.OPS_PIPELINE_RUNS)
        .filter(col("stage").equalTo("gate").and(col("week").equalTo(WEEK.toString())))
        .count();
  }

  private static void writeLock(Path lockFile, String host, long pid) throws Exception {
    Files.writeString(
        lockFile,
        "command=ingest --date 2026-11-15\nhost="
            + host
            + "\npid="
            + pid
            + "\nstarted=2026-11-22T10:00:00Z\n",
        StandardCharsets.UTF_8);
  }

  private static long optimizeCommits(Table table) {
    return lake.delta(table).history().filter(col("operation").equalTo("OPTIMIZE")).count();
  }

  private static long liveFiles(Table table) {
    return lake.read(table).inputFiles().length;
  }

  private static long storedFiles(Table table) {
    try (var files = Files.walk(Path.of(lake.path(table)))) {
      return files
          .filter(file -> file.getFileName().toString().endsWith(".parquet"))
          .filter(file -> !file.toString().contains("/_delta_log/"))
          .count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
