package org.discoverweekly.etl.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.discoverweekly.etl.config.PipelineConfig.QualitySettings;
import org.junit.jupiter.api.Test;

/** Each anomaly rule on small inline metric histories. */
class AnomalyRulesTest {

  /** conf/local.conf's defaults. */
  static final QualitySettings DEFAULTS = new QualitySettings(7, 2000, 0.15, 0.02, 5, true);

  /** A date's listens, users and quarantine rate. */
  static Map<String, Double> day(double listens, double users, double quarantineRate) {
    return Map.of("listens", listens, "users", users, "quarantine_rate", quarantineRate);
  }

  private static Optional<String> anomaly(
      String metric, double value, List<Map<String, Double>> trailing, QualitySettings rules) {
    Map<String, Double> today = new java.util.HashMap<>(day(10_000, 1000, 0.01));
    today.put(metric, value);
    return AnomalyRules.judge(today, trailing, rules).metrics().stream()
        .filter(judged -> judged.metric().equals(metric))
        .findFirst()
        .orElseThrow()
        .anomaly();
  }

  @Test
  void shouldFlagListensAndUsersMoreThanFifteenPercentBelowTheTrailingMean() {
    List<Map<String, Double>> week =
        List.of(day(9_000, 900, 0.01), day(11_000, 1100, 0.01), day(10_000, 1000, 0.01));
    assertEquals(Optional.empty(), anomaly("listens", 8_501, week, DEFAULTS));
    assertEquals(
        Optional.of(
            "listens 8,499 is 15.0 % below the trailing mean 10,000 (quality.max-drop 15 %)"),
        anomaly("listens", 8_499, week, DEFAULTS));
    assertEquals(Optional.empty(), anomaly("users", 860, week, DEFAULTS));
    assertEquals(
        Optional.of("users 840 is 16.0 % below the trailing mean 1,000 (quality.max-drop 15 %)"),
        anomaly("users", 840, week, DEFAULTS));
    // A rise is no anomaly.
    assertEquals(Optional.empty(), anomaly("listens", 50_000, week, DEFAULTS));
  }

  @Test
  void shouldTakeTheDropFromTheSettings() {
    QualitySettings loose = new QualitySettings(7, 2000, 0.3, 0.02, 5, true);
    List<Map<String, Double>> week = Collections.nCopies(7, day(10_000, 1000, 0.01));
    assertEquals(Optional.empty(), anomaly("listens", 7_001, week, loose));
    assertTrue(anomaly("listens", 6_999, week, loose).isPresent());
  }

  @Test
  void shouldJudgeNothingWithoutTrailingDatesOrBelowTheMinimumListens() {
    assertEquals(Optional.empty(), anomaly("quarantine_rate", 0.5, List.of(), DEFAULTS));
    assertEquals(Optional.empty(), anomaly("listens", 1, List.of(), DEFAULTS));
    // A small lake: 1,999 listens a day on average, a day's drop and a high rate are not judged.
    List<Map<String, Double>> small = List.of(day(1_998, 200, 0.01), day(2_000, 200, 0.01));
    assertEquals(Optional.empty(), anomaly("listens", 1_000, small, DEFAULTS));
    assertEquals(Optional.empty(), anomaly("quarantine_rate", 0.5, small, DEFAULTS));
    QualitySettings smallLake = new QualitySettings(7, 1000, 0.15, 0.02, 5, true);
    assertTrue(anomaly("listens", 1_000, small, smallLake).isPresent());
    assertTrue(anomaly("quarantine_rate", 0.5, small, smallLake).isPresent());
  }

  @Test
  void shouldFlagAQuarantineRateAboveTwoPercent() {
    List<Map<String, Double>> week = Collections.nCopies(7, day(10_000, 1000, 0.01));
    assertEquals(Optional.empty(), anomaly("quarantine_rate", 0.02, week, DEFAULTS));
    assertEquals(
        Optional.of("quarantine rate 2.1 % is above quality.max-quarantine-rate 2 %"),
        anomaly("quarantine_rate", 0.021, week, DEFAULTS));
    // Even when every trailing date was as bad.
    assertTrue(
        anomaly("quarantine_rate", 0.33, Collections.nCopies(7, day(10_000, 1000, 0.3)), DEFAULTS)
            .isPresent());
  }

  @Test
  void shouldFlagAQuarantineRateAboveFiveTimesItsTrailingMeanOnlyWhenThatMeanIsAboveZero() {
    List<Map<String, Double>> quiet = List.of(day(10_000, 1000, 0.001), day(10_000, 1000, 0.003));
    assertEquals(Optional.empty(), anomaly("quarantine_rate", 0.0099, quiet, DEFAULTS));
    assertEquals(
        Optional.of(
            "quarantine rate 1.01 % is above 5.0 x its trailing mean 0.2 %"
                + " (quality.max-quarantine-factor)"),
        anomaly("quarantine_rate", 0.0101, quiet, DEFAULTS));
    List<Map<String, Double>> clean = Collections.nCopies(7, day(10_000, 1000, 0));
    assertEquals(Optional.empty(), anomaly("quarantine_rate", 0.015, clean, DEFAULTS));
  }

  @Test
  void shouldAverageAMetricATrailingDateLacksAsZeroAndJudgeNoOtherMetric() {
    List<Map<String, Double>> trailing =
        List.of(
            Map.of("listens", 10_000.0, "quarantine_rate.unknown_track", 0.01),
            Map.of("listens", 10_000.0, "lines", 10.0));
    List<AnomalyRules.Judged> judged =
        AnomalyRules.judge(
                Map.of("quarantine_rate.unknown_track", 0.5, "lines", 0.0, "late_share", 0.9),
                trailing,
                DEFAULTS)
            .metrics();
    for (AnomalyRules.Judged metric : judged) {
      assertEquals(Optional.empty(), metric.anomaly(), metric.metric());
      assertEquals(2, metric.trailingDates());
    }
    assertEquals(
        0.005,
        judged.stream()
            .filter(m -> m.metric().equals("quarantine_rate.unknown_track"))
            .findFirst()
            .orElseThrow()
            .baseline()
            .getAsDouble(),
        1e-12);
  }
}
