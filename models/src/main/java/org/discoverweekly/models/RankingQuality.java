package org.discoverweekly.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import java.util.List;
import org.apache.spark.mllib.evaluation.RankingMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Offline ranking quality at k of playlists against the tracks users went on to play, with Spark's
 * {@link RankingMetrics} (what its {@code RankingEvaluator} computes, one metric per call): recall,
 * precision, NDCG and MAP with binary relevance, averaged over users, plus catalog coverage.
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
      long recommended = asDoubles.select(explode(col("predicted")).as("track")).distinct().count();
      // One RankingMetrics for the four metrics: a pass over the cached rows each, and one query
      // plan instead of one per metric.
      RankingMetrics<Double> metrics =
          RankingMetrics.of(
              asDoubles
                  .javaRDD()
                  .map(
                      row ->
                          new Tuple2<List<Double>, List<Double>>(row.getList(0), row.getList(1))));
      return new Metrics(
          k,
          users,
          metrics.recallAt(k),
          metrics.precisionAt(k),
          metrics.ndcgAt(k),
          metrics.meanAveragePrecisionAt(k),
          catalogSize == 0 ? 0 : (double) recommended / catalogSize);
    } finally {
      asDoubles.unpersist();
    }
  }
}
