package org.discoverweekly.etl;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.cli.DiscoverWeekly;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.gold.WeeklyRecommendations;
import org.discoverweekly.etl.ops.FaultPoint;
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

  private static final LocalDate WEEK = LocalDate.parse("2026-11-16");

  private static Path landing;
  private static Lake crashed;
  private static Lake clean;
  private static LocalDate lastDate;

  private static List<String> options(Lake lake) {
    return CliRun.smallRun(lake.root(), landing, List.of());
  }

  @BeforeAll
  static void ingestEveryDateAndBuildSilverButTheLast() {
    landing = tempDir.resolve("landing");
    crashed = new Lake(spark, tempDir.resolve("crashed").toString());
    clean = new Lake(spark, tempDir.resolve("clean").toString());
    CliRun.succeeding(
        options(crashed),
        "generate",
        "--out",
        landing.toString(),
        "--users",
        "100",
        "--tracks",
        "800",
        "--weeks",
        "2",
        "--end-week",
        WEEK.toString(),
        "--seed",
        "13",
        "--plays-per-day",
        "12");
    List<LocalDate> dates = Generator.readManifest(landing).arrivalDates();
    String from = dates.get(0).toString();
    lastDate = dates.get(dates.size() - 1);
    String beforeLast = dates.get(dates.size() - 2).toString();
    for (Lake lake : List.of(crashed, clean)) {
      CliRun.succeeding(options(lake), "ingest", "--from", from, "--to", lastDate.toString());
      CliRun.succeeding(options(lake), "silver", "--from", from, "--to", beforeLast);
    }
    CliRun.succeeding(options(clean), "silver", "--date", lastDate.toString());
  }

  @Test
  @Order(1)
  void shouldConvergeAfterSilverIsKilledBetweenQuarantineAndMerge() throws Exception {
    killAt(BuildSilver.QUARANTINED, "silver", "--date", lastDate.toString());

    CliRun rerun = CliRun.of(options(crashed), "silver", "--date", lastDate.toString());

    assertEquals(0, rerun.code(), rerun.err());
    assertEquals(rows(clean, Table.SILVER_LISTENS), rows(crashed, Table.SILVER_LISTENS));
    assertEquals(rows(clean, Table.SILVER_QUARANTINE), rows(crashed, Table.SILVER_QUARANTINE));
  }

  @Test
  @Order(2)
  void shouldConvergeAfterWeeklyIsKilledWithPlaylistsWrittenButNoGateVerdict() throws Exception {
    killAt(WeeklyRecommendations.RANKED, "weekly", "--week", WEEK.toString());
    assertEquals(
        0,
        crashed.read(Table.OPS_PIPELINE_RUNS).filter(col("stage").equalTo("gate")).count(),
        "a killed weekly has no verdict, so its week cannot be published");

    CliRun rerun = CliRun.of(options(crashed), "weekly", "--week", WEEK.toString());
    CliRun reference = CliRun.of(options(clean), "weekly", "--week", WEEK.toString());

    assertEquals(reference.code(), rerun.code(), rerun.err());
    assertEquals(
        rows(clean, Table.GOLD_DISCOVER_WEEKLY), rows(crashed, Table.GOLD_DISCOVER_WEEKLY));
    assertEquals(
        rows(clean, Table.GOLD_USER_TRACK_MATRIX), rows(crashed, Table.GOLD_USER_TRACK_MATRIX));
  }

  /**
   * Runs the command in a JVM of its own until it pauses at {@code point}, then kills it with
   * SIGKILL and checks it left its writer lock behind, as a crash does.
   */
  private static void killAt(String point, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("@" + Path.of("..", "conf", "spark-java17.args").toAbsolutePath().normalize());
    command.add("-Xmx2g");
    command.add("-D" + FaultPoint.PAUSE_PROPERTY + "=" + point);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DiscoverWeekly.class.getName());
    command.addAll(options(crashed));
    command.addAll(List.of(args));
    Path log = tempDir.resolve("crash-" + point + ".log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    CompletableFuture<Boolean> paused =
        CompletableFuture.supplyAsync(
            () -> {
              try (BufferedReader out =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                  Files.writeString(
                      log,
                      line + "\n",
                      java.nio.file.StandardOpenOption.CREATE,
                      java.nio.file.StandardOpenOption.APPEND);
                  if (line.equals(FaultPoint.PAUSED + point)) {
                    return true;
                  }
                }
                return false;
              } catch (IOException e) {
                return false;
              }
            });
    boolean reached = paused.get(5, TimeUnit.MINUTES);
    process.destroyForcibly();
    process.waitFor(1, TimeUnit.MINUTES);
    assertTrue(reached, "the CLI never paused at " + point + "; its output is in " + log);
    assertEquals(137, process.exitValue(), "killed by SIGKILL");
    assertTrue(
        Files.exists(Path.of(crashed.root(), "ops", "_writer.lock")),
        "a killed command leaves its lock; the rerun takes it over");
  }

  private static Set<String> rows(Lake lake, Table table) {
    return new HashSet<>(lake.read(table).collectAsList().stream().map(Row::toString).toList());
  }
}
