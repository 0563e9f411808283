package org.discoverweekly.models;

import java.util.OptionalDouble;

/**
 * Whether a week's model may be served: ALS must beat the popularity baseline on NDCG by a margin,
 * and must not fall too far below the last accepted week; and whether a challenger model beats the
 * week's champion by enough to be served instead.
 */
public final class QualityGate {

  private QualityGate() {}

  /**
   * {@code minNdcgLift}: ALS NDCG must be at least popularity NDCG × (1 + lift); {@code
   * maxNdcgDrop}: and at least the last accepted week's ALS NDCG × (1 − drop); {@code
   * challengerMinLift}: a challenger's NDCG must be at least the champion's × (1 + lift).
   */
  public record Settings(double minNdcgLift, double maxNdcgDrop, double challengerMinLift) {}

  /** The gate's decision and why, in one line. */
  public record Verdict(boolean accepted, String reason) {}

  public static Verdict judge(
      RankingQuality.Metrics als,
      RankingQuality.Metrics popularity,
      OptionalDouble lastAcceptedNdcg,
      Settings settings) {
    if (als.users() == 0) {
      return new Verdict(
          false,
          "no user could be evaluated: the backtest needs listens before W - 7 days and first"
              + " plays in the week before W");
    }
    double required = popularity.ndcg() * (1 + settings.minNdcgLift());
    if (als.ndcg() < required) {
      return new Verdict(
          false,
          String.format(
              "ALS NDCG@%d %.4f is below popularity %.4f × %.2f = %.4f",
              als.k(), als.ndcg(), popularity.ndcg(), 1 + settings.minNdcgLift(), required));
    }
    if (lastAcceptedNdcg.isPresent()) {
      double floor = lastAcceptedNdcg.getAsDouble() * (1 - settings.maxNdcgDrop());
      if (als.ndcg() < floor) {
        return new Verdict(
            false,
            String.format(
                "ALS NDCG@%d %.4f fell below %.4f, the last accepted week's %.4f less %.0f%%",
                als.k(),
                als.ndcg(),
                floor,
                lastAcceptedNdcg.getAsDouble(),
                100 * settings.maxNdcgDrop()));
      }
    }
    return new Verdict(
        true,
        String.format(
            "ALS NDCG@%d %.4f vs popularity %.4f", als.k(), als.ndcg(), popularity.ndcg()));
  }

  /**
   * Whether a challenger beats the champion of the same week, both backtested on the same users:
   * its NDCG must be at least the champion's × (1 + {@link Settings#challengerMinLift}). Accepted
   * means the challenger wins.
   */
  public static Verdict challenge(
      RankingQuality.Metrics champion, RankingQuality.Metrics challenger, Settings settings) {
    double required = champion.ndcg() * (1 + settings.challengerMinLift());
    if (challenger.users() == 0 || challenger.ndcg() < required) {
      return new Verdict(
          false,
          String.format(
              "challenger NDCG@%d %.4f is below the champion's %.4f × %.2f = %.4f",
              challenger.k(),
              challenger.ndcg(),
              champion.ndcg(),
              1 + settings.challengerMinLift(),
              required));
    }
    return new Verdict(
        true,
        String.format(
            "challenger NDCG@%d %.4f beats the champion's %.4f × %.2f = %.4f",
            challenger.k(),
            challenger.ndcg(),
            champion.ndcg(),
            1 + settings.challengerMinLift(),
            required));
  }
}
