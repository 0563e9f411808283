package org.discoverweekly.etl.quality;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.Chromium;
import org.discoverweekly.etl.CliRun;
import org.discoverweekly.etl.GeneratedLake;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.config.PipelineConfig.QualitySettings;
import org.discoverweekly.etl.generate.Generator;
import org.discoverweekly.etl.generate.Manifest;
import org.discoverweekly.etl.report.RunReport;
import org.discoverweekly.etl.report.RunReport.AnomalyState;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The incident the data-quality check is for, end to end through the CLI: a client release names
 * tracks in a new form on one arrival date, the strict contract quarantines a third of its listens,
 * silver flags the date and exits 4, weekly refuses the window; an operator acknowledges it, then
 * lists the new form in {@code listens.track-id-prefixes} and reruns silver for the date, which
 * moves those lines from the quarantine to silver, reconciles, measures the date clean, and weekly
 * builds the week.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FormatChangeReplayTest extends SparkTestBase {

  private static final LocalDate WEEK = LocalDate.parse(GeneratedLake.WEEK);

  /** The release day: the second-to-last arrival date, not yet in the shared lake's silver. */
  private static final LocalDate D = WEEK.minusDays(2);

  private static final LocalDate NEXT = WEEK.minusDays(1);

  private static Path landing;
  private static Lake lake;
  private static Manifest manifest;

  /**
   * The shared lake has about 1,150 listens a day, below {@code quality.min-listens}' 2,000: this
   * lake's dates are judged from 500.
   */
  private static final String JUDGED_FROM = "-Dquality.min-listens=500";

  private static CliRun cli(String... args) {
    return CliRun.of(CliRun.smallRun(lake.root(), landing, List.of(JUDGED_FROM)), args);
  }

  private static String succeeding(String... args) {
    return CliRun.succeeding(CliRun.smallRun(lake.root(), landing, List.of(JUDGED_FROM)), args);
  }

  @BeforeAll
  static void releaseDay() {
    Path lakePath = tempDir.resolve("lake");
    Manifest shared = GeneratedLake.copyLakeTo(GeneratedLake.Stage.ALL_BUT_LAST_TWO, lakePath);
    lake = new Lake(spark, lakePath.toString());
    landing = tempDir.resolve("landing");
    List<String> generate = new ArrayList<>(List.of("generate", "--out", landing.toString()));
    generate.addAll(GeneratedLake.GENERATE);
    generate.addAll(List.of("--format-change", D.toString()));
    CliRun.succeeding(List.of(), generate.toArray(String[]::new));
    manifest = Generator.readManifest(landing);
    // The release changes nothing else: the same listens, lines and bad lines as the shared lake's.
    assertEquals(shared.fingerprint(), manifest.fingerprint());
    assertEquals(shared.linesPerArrivalDate(), manifest.linesPerArrivalDate());
    assertEquals(shared.quarantine(), manifest.quarantine());
  }

  private static long newFormLines(LocalDate date) {
    try (Stream<Path> files = Files.list(landing.resolve("listens").resolve("date=" + date))) {
      long lines = 0;
      for (Path file : files.toList()) {
        lines += Files.readAllLines(file).stream().filter(l -> l.contains("\"dw:track:")).count();
      }
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String silverStatus(LocalDate date) {
    return lake.read(Table.OPS_PIPELINE_RUNS)
        .filter(col("stage").equalTo("silver"))
        .filter(col("date").equalTo(Date.valueOf(date)))
        .orderBy(col("finished_at").desc())
        .select("status")
        .first()
        .getString(0);
  }

  private static DataQuality quality() {
    return new DataQuality(
        lake, new QualitySettings(7, 500, 0.15, 0.02, 5, true), RULES, Clock.systemUTC());
  }

  @Test
  @Order(1)
  void shouldFlagTheReleaseDayAndExitFourWhileBuildingItAndTheDayAfter() {
    long changed = manifest.formatChangedLines();
    assertEquals(changed, newFormLines(D));
    double share = (double) changed / manifest.linesPerArrivalDate().get(D);
    assertTrue(share > 0.28 && share < 0.38, "a third of the day's lines: " + share);
    succeeding("ingest", "--from", D.toString(), "--to", NEXT.toString());

    CliRun silver = cli("silver", "--from", D.toString(), "--to", NEXT.toString());

    assertEquals(4, silver.code(), silver.err());
    List<String> errors =
        silver.err().lines().filter(l -> l.startsWith("discover-weekly")).toList();
    assertEquals(1, errors.size(), silver.err());
    assertTrue(
        errors.get(0).startsWith("discover-weekly silver: anomalous data on " + D + " (quarantine"),
        errors.get(0));
    assertTrue(errors.get(0).contains("ack --date D --reason TEXT"), errors.get(0));
    assertTrue(
        silver.out().contains("anomalous " + D + ": quarantine rate ")
            && silver.out().contains("(most of it unknown_track: "),
        silver.out());
    assertEquals("anomalous", silverStatus(D));
    assertEquals(
        "succeeded", silverStatus(NEXT), "the day after is judged without the release day");
    Map<String, Double> measured =
        lake
            .read(Table.OPS_DATA_QUALITY)
            .filter(col("date").equalTo(Date.valueOf(D)))
            .collectAsList()
            .stream()
            .collect(
                java.util.stream.Collectors.toMap(
                    (Row r) -> r.getString(r.fieldIndex("metric")),
                    (Row r) -> r.getDouble(r.fieldIndex("value"))));
    assertTrue(measured.get("quarantine_rate.unknown_track") > share * 0.9, measured.toString());
    assertTrue(measured.get("quarantine_rate") > 0.02, measured.toString());
  }

  @Test
  @Order(2)
  void shouldRefuseTheWeekUntilTheDateIsAcknowledged() {
    CliRun weekly = cli("weekly", "--week", WEEK.toString());
    assertEquals(4, weekly.code(), weekly.err());
    assertTrue(
        weekly
                .err()
                .contains("week " + WEEK + " reads 1 anomalous arrival date(s) not acknowledged")
            && weekly.err().contains("first " + D + " (quarantine rate"),
        weekly.err());
    assertTrue(
        lake.read(Table.OPS_PIPELINE_RUNS)
            .filter(col("week").equalTo(Date.valueOf(WEEK)))
            .isEmpty(),
        "no step of the week ran");

    RunReport.DateRow open = reported(D);
    assertEquals(AnomalyState.OPEN, open.state());
    assertTrue(open.anomaly().contains("most of it unknown_track"), open.anomaly());

    CliRun clean = cli("ack", "--date", NEXT.toString(), "--reason", "fine");
    assertEquals(1, clean.code());
    assertTrue(clean.err().contains(NEXT + " has no anomaly in ops.data_quality"), clean.err());

    String ack = succeeding("ack", "--date", D.toString(), "--reason", "client 8.3 track ids");
    assertTrue(ack.startsWith("ack " + D + ": acknowledged (quarantine rate"), ack);
    assertEquals(Map.of(), quality().unacknowledged(WEEK.minusDays(90), WEEK));
    Row recorded =
        lake.read(Table.OPS_PIPELINE_RUNS)
            .filter(col("stage").equalTo("ack"))
            .select("date", "status", "message")
            .first();
    assertEquals(Date.valueOf(D), recorded.getDate(0));
    assertEquals("acknowledged", recorded.getString(1));
    assertEquals("client 8.3 track ids", recorded.getString(2));
    assertEquals(AnomalyState.ACKNOWLEDGED, reported(D).state());
  }

  /** The run report's row of {@code date}, as the report of {@code WEEK} reads it. */
  private static RunReport.DateRow reported(LocalDate date) {
    return RunReport.of(quality(), WEEK).dates().stream()
        .filter(row -> row.date().equals(date))
        .findFirst()
        .orElseThrow();
  }

  @Test
  @Order(3)
  void shouldMoveTheLinesToSilverOnceTheContractAcceptsTheNewFormAndBuildTheWeek() {
    long quarantinedBefore = quarantined(D);
    long listensBefore = firstSeen(D);

    String silver =
        CliRun.succeeding(
            CliRun.smallRun(
                lake.root(),
                landing,
                List.of(JUDGED_FROM, "-Dlistens.track-id-prefixes.0=dw:track:")),
            "silver",
            "--date",
            D.toString());

    String dateRow =
        silver.lines().filter(l -> l.startsWith(D.toString())).findFirst().orElseThrow();
    assertTrue(dateRow.strip().endsWith(" ok") && !silver.contains("anomalous"), silver);
    assertEquals("succeeded", silverStatus(D));
    // Every line of the new form is a listen now, none quarantined; silver reconciled the date
    // (bronze = new + duplicates + quarantined) or it would have failed.
    assertEquals(
        0,
        lake.read(Table.SILVER_QUARANTINE)
            .filter(col("ingest_date").equalTo(Date.valueOf(D)))
            .filter(col("raw").contains("dw:track:"))
            .count());
    long moved = quarantinedBefore - quarantined(D);
    assertTrue(moved > 0.9 * manifest.formatChangedLines(), moved + " moved");
    assertTrue(firstSeen(D) > listensBefore + 0.9 * moved - 1, "the moved listens are in silver");
    assertEquals(
        0, lake.read(Table.SILVER_LISTENS).filter(col("track_id").startsWith("dw:track:")).count());
    assertEquals(
        0,
        lake.read(Table.OPS_DATA_QUALITY)
            .filter(col("date").equalTo(Date.valueOf(D)))
            .filter(col("anomaly").isNotNull())
            .count());

    String weekly = succeeding("weekly", "--week", WEEK.toString());
    assertTrue(weekly.contains("gate: accepted"), weekly);
  }

  private static long quarantined(LocalDate date) {
    return lake.read(Table.SILVER_QUARANTINE)
        .filter(col("ingest_date").equalTo(Date.valueOf(date)))
        .count();
  }

  private static long firstSeen(LocalDate date) {
    return lake.read(Table.SILVER_LISTENS)
        .filter(col("ingest_date").equalTo(Date.valueOf(date)))
        .count();
  }

  @Test
  @Order(4)
  void shouldReportTheWeeksAsAPersonSeesThemWithTheLakesNumbers() throws IOException {
    // bin/test leaves the report and its screenshot under var/ for a person to look at.
    Path out = Path.of(System.getProperty("discover-weekly.home"), "var", "report-test");
    String said = succeeding("report", "--week", WEEK.toString(), "--out", out.toString());
    Path page = out.resolve("discover-weekly-" + WEEK + ".html").toAbsolutePath();
    assertTrue(said.contains("report " + WEEK + ": " + page), said);
    Chromium.screenshot(page, out.resolve("report.png"), 1200, 2400);

    String dom = Chromium.dom(page);
    // Chart.js ran from the page itself (no network) and drew every chart.
    assertTrue(dom.contains("data-charts=\"4\""), "the charts were not drawn");
    Map<String, Map<String, String>> dates = rows(dom, "data-date");
    Map<String, Map<String, String>> weeks = rows(dom, "data-week");

    Map<String, String> listens = new TreeMap<>();
    for (Row row :
        lake.read(Table.OPS_DATA_QUALITY)
            .filter(col("metric").equalTo("listens"))
            .select("date", "value")
            .collectAsList()) {
      listens.put(row.getDate(0).toString(), String.valueOf(Math.round(row.getDouble(1))));
    }
    Map<String, String> quarantined = new TreeMap<>();
    for (Row row :
        lake.read(Table.SILVER_QUARANTINE).groupBy("ingest_date").count().collectAsList()) {
      quarantined.put(row.getDate(0).toString(), String.valueOf(row.getLong(1)));
    }
    assertEquals(quarantined.keySet(), dates.keySet(), "one row per arrival date the lake holds");
    dates.forEach(
        (date, cells) -> {
          assertEquals(listens.getOrDefault(date, ""), cells.get("listens"), date);
          assertEquals(quarantined.get(date), cells.get("quarantined"), date);
        });
    // The release day: anomalous when measured, then rerun clean once the contract took the form.
    String anomaly = dates.get(D.toString()).get("anomaly");
    assertTrue(anomaly.startsWith("rerun clean: ") && anomaly.contains("unknown_track"), anomaly);
    assertEquals("", dates.get(NEXT.toString()).get("anomaly"));

    Row judged =
        lake.read(Table.OPS_MODELS)
            .filter(col("week").equalTo(Date.valueOf(WEEK)))
            .orderBy(col("judged_at").desc())
            .first();
    Map<String, String> ndcg = new TreeMap<>();
    for (Row row :
        lake.read(Table.GOLD_MODEL_METRICS)
            .filter(col("week").equalTo(Date.valueOf(WEEK)))
            .filter(col("model_version").equalTo(judged.<String>getAs("model_version")))
            .select("model", "ndcg")
            .collectAsList()) {
      ndcg.put(row.getString(0), String.format(Locale.ROOT, "%.4f", row.getDouble(1)));
    }
    Map<String, String> week = weeks.get(WEEK.toString());
    assertEquals(ndcg.get("als"), week.get("als"));
    assertEquals(ndcg.get("popularity"), week.get("popularity"));
    assertTrue(Double.parseDouble(week.get("silver")) > 0, week.toString());
    assertEquals("", week.get("served"), "this lake never published");
  }

  /** The table rows of the page's DOM keyed by their {@code attribute}, each cell by its class. */
  private static Map<String, Map<String, String>> rows(String dom, String attribute) {
    Map<String, Map<String, String>> rows = new TreeMap<>();
    Matcher row =
        Pattern.compile("<tr " + attribute + "=\"([^\"]+)\"[^>]*>(.*?)</tr>", Pattern.DOTALL)
            .matcher(dom);
    while (row.find()) {
      Map<String, String> cells = new TreeMap<>();
      Matcher cell = Pattern.compile("<td class=\"(\\w+)\">(.*?)</td>").matcher(row.group(2));
      while (cell.find()) {
        cells.put(cell.group(1), cell.group(2).replace("&amp;", "&"));
      }
      rows.put(row.group(1), cells);
    }
    return rows;
  }
}
