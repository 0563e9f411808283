package org.discoverweekly.models;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.mllib.evaluation.RankingMetrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Tuple2;

/**
 * Offline ranking quality at k of playlists against the tracks users went on to play, with Spark's
 * {@link RankingMetrics} (which Spark's {@code RankingEvaluator} also wraps, one metric per
 * evaluator call; here all four come from one cached copy of the lists): recall, precision, NDCG
 * and MAP with binary relevance, averaged over users, plus catalog coverage.
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
   * Scores {@code playlists} ({@code predicted} array best first, {@code relevant} array, of one
   * element type such as track ids; one row per evaluated user).
   */
  public static Metrics evaluate(Dataset<Row> playlists, int k, long catalogSize) {
    // The rows as RankingMetrics reads them, cached once: each metric below is a pass of its own.
    JavaRDD<Tuple2<List<Object>, List<Object>>> lists =
        playlists
            .select("predicted", "relevant")
            .javaRDD()
            .map(row -> new Tuple2<List<Object>, List<Object>>(row.getList(0), row.getList(1)))
            .cache();
    try {
      long users = lists.count();
      if (users == 0) {
        return new Metrics(k, 0, 0, 0, 0, 0, 0);
      }
      long recommended = lists.flatMap(pair -> pair._1().iterator()).distinct().count();
      RankingMetrics<Object> metrics = RankingMetrics.of(lists);
      return new Metrics(
          k,
          users,
          metrics.recallAt(k),
          metrics.precisionAt(k),
          metrics.ndcgAt(k),
          metrics.meanAveragePrecisionAt(k),
          catalogSize == 0 ? 0 : (double) recommended / catalogSize);
    } finally {
      lists.unpersist();
    }
  }
}
