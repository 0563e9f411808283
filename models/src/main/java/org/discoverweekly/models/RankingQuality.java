package org.discoverweekly.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import org.apache.spark.ml.evaluation.RankingEvaluator;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Offline ranking quality at k of playlists against the tracks users went on to play, with Spark's
 * {@link RankingEvaluator}: recall, precision, NDCG and MAP with binary relevance, averaged over
 * users, plus catalog coverage.
 */
public final class RankingQuality {

  private RankingQuality() {}

  /** Averages over {@code users}; coverage is distinct recommended tracks over catalog size. */
  public record Metrics(
      int k,
      long users,
      double recall,
      double precision,
      double ndcg,
      double map,
      double coverage) {}

  /**
   * Scores {@code playlists} ({@code predicted array<int>} best first, {@code relevant array<int>},
   * one row per evaluated user).
   */
  public static Metrics evaluate(Dataset<Row> playlists, int k, long catalogSize) {
    Dataset<Row> asDoubles =
        playlists
            .select(
                col("predicted").cast("array<double>").as("predicted"),
                col("relevant").cast("array<double>").as("relevant"))
            .cache();
    try {
      long users = asDoubles.count();
      if (users == 0) {
        return new Metrics(k, 0, 0, 0, 0, 0, 0);
      }
      RankingEvaluator evaluator =
          new RankingEvaluator().setK(k).setPredictionCol("predicted").setLabelCol("relevant");
      long recommended = asDoubles.select(explode(col("predicted")).as("track")).distinct().count();
      return new Metrics(
          k,
          users,
          evaluator.setMetricName("recallAtK").evaluate(asDoubles),
          evaluator.setMetricName("precisionAtK").evaluate(asDoubles),
          evaluator.setMetricName("ndcgAtK").evaluate(asDoubles),
          evaluator.setMetricName("meanAveragePrecisionAtK").evaluate(asDoubles),
          catalogSize == 0 ? 0 : (double) recommended / catalogSize);
    } finally {
      asDoubles.unpersist();
    }
  }
}
