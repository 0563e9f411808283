package org.discoverweekly.etl.quality;

import static org.discoverweekly.etl.quality.QualityMetrics.LISTENS;
import static org.discoverweekly.etl.quality.QualityMetrics.QUARANTINE_RATE;
import static org.discoverweekly.etl.quality.QualityMetrics.USERS;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.discoverweekly.etl.config.PipelineConfig.QualitySettings;

/**
 * The anomaly rules of one arrival date's metrics against the mean of the trailing dates before it:
 * listens or users more than {@code quality.max-drop} below their trailing mean; a quarantine rate
 * above {@code quality.max-quarantine-rate}, or above {@code quality.max-quarantine-factor} times
 * its trailing mean when that mean is above 0. A date is judged only when the trailing mean of its
 * listens is at least {@code quality.min-listens} (and at least 1): without trailing dates, or at
 * smaller volumes, its metrics are recorded with no verdict.
 */
public final class AnomalyRules {

  private AnomalyRules() {}

  /** One metric of one date as judged: its trailing mean, if any, and the rule it broke. */
  public record Judged(
      String metric,
      double value,
      OptionalDouble baseline,
      int trailingDates,
      Optional<String> anomaly) {}

  /**
   * A date's metrics, by name, and whether the rules judged them: false when the trailing mean of
   * its listens is below {@code quality.min-listens} (or 1), its metrics then being recorded only.
   */
  public record Judgement(boolean judged, List<Judged> metrics) {}

  /**
   * Every metric of a date, by name, judged against {@code trailing} (the metrics of earlier dates,
   * any order); a metric a trailing date lacks (a quarantine reason it did not have) counts as 0.
   */
  public static Judgement judge(
      Map<String, Double> metrics, List<Map<String, Double>> trailing, QualitySettings rules) {
    boolean judging = baseline(LISTENS, trailing).orElse(0) >= Math.max(1, rules.minListens());
    List<Judged> judged = new ArrayList<>();
    // By name, so that a date's anomalies read in one order.
    new TreeMap<>(metrics)
        .forEach(
            (metric, value) -> {
              OptionalDouble baseline = baseline(metric, trailing);
              judged.add(
                  new Judged(
                      metric,
                      value,
                      baseline,
                      trailing.size(),
                      judging ? broken(metric, value, baseline, rules) : Optional.empty()));
            });
    return new Judgement(judging, List.copyOf(judged));
  }

  private static OptionalDouble baseline(String metric, List<Map<String, Double>> trailing) {
    return trailing.stream().mapToDouble(date -> date.getOrDefault(metric, 0.0)).average();
  }

  private static Optional<String> broken(
      String metric, double value, OptionalDouble baseline, QualitySettings rules) {
    switch (metric) {
      case LISTENS, USERS -> {
        if (baseline.isPresent() && value < (1 - rules.maxDrop()) * baseline.getAsDouble()) {
          double mean = baseline.getAsDouble();
          return Optional.of(
              String.format(
                  Locale.ROOT,
                  "%s %,.0f is %.1f %% below the trailing mean %,.0f (quality.max-drop %s)",
                  metric,
                  value,
                  100 * (mean - value) / mean,
                  mean,
                  percent(rules.maxDrop())));
        }
      }
      case QUARANTINE_RATE -> {
        if (value > rules.maxQuarantineRate()) {
          return Optional.of(
              String.format(
                  Locale.ROOT,
                  "quarantine rate %s is above quality.max-quarantine-rate %s",
                  percent(value),
                  percent(rules.maxQuarantineRate())));
        }
        if (baseline.isPresent()
            && baseline.getAsDouble() > 0
            && value > rules.maxQuarantineFactor() * baseline.getAsDouble()) {
          return Optional.of(
              String.format(
                  Locale.ROOT,
                  "quarantine rate %s is above %s x its trailing mean %s"
                      + " (quality.max-quarantine-factor)",
                  percent(value),
                  String.valueOf(rules.maxQuarantineFactor()),
                  percent(baseline.getAsDouble())));
        }
      }
      default -> {}
    }
    return Optional.empty();
  }

  /** A share as a percentage with up to two decimals: 0.02 as "2 %", 0.3345 as "33.45 %". */
  static String percent(double share) {
    return new java.math.BigDecimal(100 * share)
            .setScale(2, java.math.RoundingMode.HALF_UP)
            .stripTrailingZeros()
            .toPlainString()
        + " %";
  }
}
