package org.discoverweekly.etl.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.discoverweekly.etl.config.PipelineConfig.QualitySettings;
import org.junit.jupiter.api.Test;

/** Each anomaly rule on small inline metric histories. */
class AnomalyRulesTest {

  /** conf/local.conf's defaults. */
  static final QualitySettings DEFAULTS = new QualitySettings(7, 0.15, 0.02, 5, true);

  private static List<Map<String, Double>> days(int n, Map<String, Double> metrics) {
    return Collections.nCopies(n, metrics);
  }

  private static Optional<String> anomaly(
      String metric, double value, List<Map<String, Double>> trailing, QualitySettings rules) {
    return AnomalyRules.judge(Map.of(metric, value), trailing, rules).stream()
        .filter(judged -> judged.metric().equals(metric))
        .findFirst()
        .orElseThrow()
        .anomaly();
  }

  @Test
  void shouldFlagListensAndUsersMoreThanFifteenPercentBelowTheTrailingMean() {
    List<Map<String, Double>> week =
        List.of(
            Map.of("listens", 900.0, "users", 90.0),
            Map.of("listens", 1100.0, "users", 110.0),
            Map.of("listens", 1000.0, "users", 100.0));
    assertEquals(Optional.empty(), anomaly("listens", 851, week, DEFAULTS));
    assertEquals(
        Optional.of("listens 849 is 15.1 % below the trailing mean 1,000 (quality.max-drop 15 %)"),
        anomaly("listens", 849, week, DEFAULTS));
    assertEquals(Optional.empty(), anomaly("users", 86, week, DEFAULTS));
    assertEquals(
        Optional.of("users 84 is 16.0 % below the trailing mean 100 (quality.max-drop 15 %)"),
        anomaly("users", 84, week, DEFAULTS));
    // A rise is no anomaly, nor a drop without trailing dates.
    assertEquals(Optional.empty(), anomaly("listens", 5000, week, DEFAULTS));
    assertEquals(Optional.empty(), anomaly("listens", 1, List.of(), DEFAULTS));
  }

  @Test
  void shouldTakeTheDropFromTheSettings() {
    QualitySettings loose = new QualitySettings(7, 0.3, 0.02, 5, true);
    List<Map<String, Double>> week = days(7, Map.of("listens", 1000.0));
    assertEquals(Optional.empty(), anomaly("listens", 701, week, loose));
    assertEquals(true, anomaly("listens", 699, week, loose).isPresent());
  }

  @Test
  void shouldFlagAQuarantineRateAboveTwoPercentWithOrWithoutHistory() {
    assertEquals(Optional.empty(), anomaly("quarantine_rate", 0.02, List.of(), DEFAULTS));
    assertEquals(
        Optional.of("quarantine rate 2.1 % is above quality.max-quarantine-rate 2 %"),
        anomaly("quarantine_rate", 0.021, List.of(), DEFAULTS));
    assertEquals(
        true,
        anomaly("quarantine_rate", 0.33, days(7, Map.of("quarantine_rate", 0.3)), DEFAULTS)
            .isPresent());
  }

  @Test
  void shouldFlagAQuarantineRateAboveFiveTimesItsTrailingMeanOnlyWhenThatMeanIsAboveZero() {
    List<Map<String, Double>> quiet =
        List.of(Map.of("quarantine_rate", 0.001), Map.of("quarantine_rate", 0.003));
    assertEquals(Optional.empty(), anomaly("quarantine_rate", 0.0099, quiet, DEFAULTS));
    assertEquals(
        Optional.of(
            "quarantine rate 1.01 % is above 5.0 x its trailing mean 0.2 %"
                + " (quality.max-quarantine-factor)"),
        anomaly("quarantine_rate", 0.0101, quiet, DEFAULTS));
    List<Map<String, Double>> clean = days(7, Map.of("quarantine_rate", 0.0));
    assertEquals(Optional.empty(), anomaly("quarantine_rate", 0.015, clean, DEFAULTS));
  }

  @Test
  void shouldAverageAMetricATrailingDateLacksAsZeroAndJudgeNoOtherMetric() {
    List<Map<String, Double>> trailing =
        List.of(Map.of("quarantine_rate.unknown_track", 0.01), Map.of("lines", 10.0));
    List<AnomalyRules.Judged> judged =
        AnomalyRules.judge(
            Map.of("quarantine_rate.unknown_track", 0.5, "lines", 0.0, "late_share", 0.9),
            trailing,
            DEFAULTS);
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
