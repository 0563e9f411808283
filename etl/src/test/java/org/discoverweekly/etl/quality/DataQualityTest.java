package org.discoverweekly.etl.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Date;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.ops.RunLedger;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.storage.Lake;
import org.junit.jupiter.api.Test;

/** The metrics Deequ measures on inline rows, and the judging of dates against recorded ones. */
class DataQualityTest extends SparkTestBase {

  private static final LocalDate D = LocalDate.parse("2026-11-10");

  private static Object[] at(LocalDate date, Object... rest) {
    Object[] row = new Object[rest.length + 1];
    row[0] = Date.valueOf(date);
    System.arraycopy(rest, 0, row, 1, rest.length);
    return row;
  }

  private static Object[][] times(int n, Object[] row) {
    Object[][] rows = new Object[n][];
    java.util.Arrays.fill(rows, row);
    return rows;
  }

  private static Object[][] concat(Object[][]... parts) {
    return java.util.Arrays.stream(parts)
        .flatMap(java.util.Arrays::stream)
        .toArray(Object[][]::new);
  }

  @Test
  void shouldMeasureEachArrivalDatesListensUsersBotsQuarantineDuplicatesAndLateness() {
    StructType lineSchema = new StructType().add("ingest_date", DataTypes.DateType);
    StructType rejectSchema =
        new StructType().add("ingest_date", DataTypes.DateType).add("reason", DataTypes.StringType);
    StructType listenSchema =
        new StructType()
            .add("ingest_date", DataTypes.DateType)
            .add("user_id", DataTypes.StringType)
            .add("event_date", DataTypes.DateType);
    LocalDate next = D.plusDays(1);
    // D: 15 lines, 2 of a forgotten user, 2 rejected, 10 listens first seen (1 line repeats one
    // silver had).
    Dataset<Row> lines = rows(lineSchema, concat(times(15, at(D)), times(3, at(next))));
    Dataset<Row> rejects =
        rows(
            rejectSchema,
            concat(
                new Object[][] {at(D, "unknown_track"), at(D, "malformed_json")},
                times(2, at(D, "forgotten_user"))));
    Dataset<Row> listens =
        rows(
            listenSchema,
            concat(
                new Object[][] {
                  at(D, "u1", Date.valueOf(D)),
                  at(D, "u1", Date.valueOf(D)),
                  // Played three days before it arrived: late.
                  at(D, "u1", Date.valueOf(D.minusDays(3))),
                  // The day before: a listen of the evening synced after midnight, not late.
                  at(D, "u2", Date.valueOf(D.minusDays(1))),
                  at(D, "u2", Date.valueOf(D)),
                },
                // Five plays on one day, above a limit of 4: a bot.
                times(5, at(D, "bot", Date.valueOf(D)))));

    SortedMap<LocalDate, Map<String, Double>> metrics =
        QualityMetrics.measure(lines, rejects, listens, List.of(D, next), 4);

    Map<String, Double> day = metrics.get(D);
    assertEquals(15.0, day.get("lines"));
    assertEquals(5.0, day.get("listens"));
    assertEquals(2.0, day.get("users"));
    assertEquals(1.0, day.get("bot_users"));
    // Of the 13 lines the contract judged (a forgotten user's lines are quarantined by request).
    assertEquals(2.0 / 13, day.get("quarantine_rate"), 1e-12);
    assertEquals(1.0 / 13, day.get("quarantine_rate.unknown_track"), 1e-12);
    assertEquals(1.0 / 13, day.get("quarantine_rate.malformed_json"), 1e-12);
    assertFalse(day.containsKey("quarantine_rate.bad_type"), "only the reasons the date has");
    assertFalse(day.containsKey("quarantine_rate.forgotten_user"), "not a fault of the data");
    assertEquals(2.0 / 15, day.get("forgotten_share"), 1e-12);
    assertEquals(1.0 / 11, day.get("duplicate_share"), 1e-12);
    assertEquals(1.0 / 5, day.get("late_share"), 1e-12);
    // The next date: three lines, each a repeat; no listens, so none late.
    Map<String, Double> repeats = metrics.get(next);
    assertEquals(
        Map.of(
            "lines", 3.0,
            "listens", 0.0,
            "users", 0.0,
            "bot_users", 0.0,
            "quarantine_rate", 0.0,
            "forgotten_share", 0.0,
            "duplicate_share", 1.0,
            "late_share", 0.0),
        repeats);
  }

  private static Map<String, Double> day(double listens, double quarantineRate) {
    return AnomalyRulesTest.day(listens, listens / 10, quarantineRate);
  }

  private static SortedMap<LocalDate, Map<String, Double>> dates(
      LocalDate first, List<Map<String, Double>> metrics) {
    SortedMap<LocalDate, Map<String, Double>> byDate = new TreeMap<>();
    for (int i = 0; i < metrics.size(); i++) {
      byDate.put(first.plusDays(i), metrics.get(i));
    }
    return byDate;
  }

  @Test
  void shouldJudgeEachDateAgainstTheTrailingOnesLeavingOutAnomaliesUntilAcknowledged() {
    Lake lake = newLake();
    Clock clock = Clock.fixed(Instant.parse("2026-11-20T08:00:00Z"), ZoneOffset.UTC);
    DataQuality quality = new DataQuality(lake, AnomalyRulesTest.DEFAULTS, RULES, clock);
    LocalDate first = D.minusDays(8);
    // Eight ordinary dates, recorded by one run: the first, with no trailing date, unjudged.
    SortedMap<LocalDate, DataQuality.Verdict> history =
        quality.judge(dates(first, java.util.Collections.nCopies(8, day(10_000, 0.01))));
    assertEquals("unjudged", history.get(first).quality());
    assertEquals("ok", history.get(first.plusDays(1)).quality());

    // D drops by a fifth; the date after it is judged against the eight-date history without D.
    SortedMap<LocalDate, DataQuality.Verdict> verdicts =
        quality.judge(dates(D, List.of(day(8_000, 0.01), day(8_600, 0.01))));
    assertTrue(verdicts.get(D).anomalous());
    assertEquals("anomalous", verdicts.get(D).quality());
    assertEquals(
        "listens 8,000 is 20.0 % below the trailing mean 10,000 (quality.max-drop 15 %); users 800"
            + " is 20.0 % below the trailing mean 1,000 (quality.max-drop 15 %)",
        verdicts.get(D).anomalies());
    assertFalse(
        verdicts.get(D.plusDays(1)).anomalous(), "8,600 is 14 % below 10,000, not below 8,000");
    assertEquals(
        Map.of(D, verdicts.get(D).anomalies()), quality.unacknowledged(first, D.plusDays(7)));
    assertEquals(Map.of(), quality.unacknowledged(first, D), "the window ends before D");
    assertThrows(PipelineException.class, () -> quality.anomaliesOf(D.minusDays(1)));

    // Acknowledged after it was measured: open no more, and a trailing date again.
    RunLedger ledger =
        new RunLedger(lake, Clock.fixed(Instant.parse("2026-11-20T09:00:00Z"), ZoneOffset.UTC));
    ledger.trackDates(
        org.discoverweekly.etl.ops.Stage.ACK,
        List.of(D),
        () ->
            new TreeMap<>(
                Map.of(
                    D,
                    new StageOutcome(
                        Map.of(), Map.of(), Map.of(), StageOutcome.ACKNOWLEDGED, "a holiday"))));
    assertEquals(Map.of(), quality.unacknowledged(first, D.plusDays(7)));
    DataQuality.Verdict after =
        quality.judge(dates(D.plusDays(2), List.of(day(10_000, 0.01)))).get(D.plusDays(2));
    double sevenBefore = (8_000 + 8_600 + 5 * 10_000) / 7.0;
    assertEquals(
        sevenBefore,
        after.metrics().stream()
            .filter(m -> m.metric().equals("listens"))
            .findFirst()
            .orElseThrow()
            .baseline()
            .getAsDouble(),
        1e-9);

    // Measured again later (a rerun of silver) and still anomalous: the old acknowledgement no
    // longer covers it. Measured clean: nothing open.
    DataQuality later =
        new DataQuality(
            lake,
            AnomalyRulesTest.DEFAULTS,
            RULES,
            Clock.fixed(Instant.parse("2026-11-20T10:00:00Z"), ZoneOffset.UTC));
    later.judge(dates(D, List.of(day(10_000, 0.3))));
    assertEquals(java.util.Set.of(D), later.unacknowledged(first, D.plusDays(7)).keySet());
    assertTrue(later.anomaliesOf(D).startsWith("quarantine rate 30 % is above"));
    later.judge(dates(D, List.of(day(10_000, 0.01))));
    assertEquals(Map.of(), later.unacknowledged(first, D.plusDays(7)));
  }
}
