package org.discoverweekly.models;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * What playlists are like beyond their accuracy, per week and model: how novel their tracks are,
 * how many artists a playlist holds, how much of it comes from the most played tracks, and how much
 * of it the user was served the week before.
 */
public final class BeyondAccuracy {

  /** The share of a matrix's tracks, the most played first, that count as its top tracks. */
  static final double TOP_SHARE = 0.01;

  private BeyondAccuracy() {}

  /**
   * Over {@code users} playlists: mean −log2 of a slot's track popularity (the share of the
   * matrix's users who played it); mean distinct artists per playlist; the share of slots from the
   * 1 % most played tracks; mean Jaccard overlap with the user's previous playlist, over the users
   * who had one (null when none did).
   */
  public record Metrics(
      long users,
      double novelty,
      double artistsPerPlaylist,
      double topTrackShare,
      Double overlapPrevious) {

    public static final Metrics NONE = new Metrics(0, 0, 0, 0, null);
  }

  /**
   * Measures {@code lists} ({@code user_id, track_id, artist_id}, one row per slot) against {@code
   * matrix} ({@code user_id, track_id}, one row per user × track played) and {@code previous}
   * ({@code user_id, track_id}: each user's previous playlist).
   */
  public static Metrics measure(Dataset<Row> lists, Dataset<Row> matrix, Dataset<Row> previous) {
    long matrixUsers = matrix.select("user_id").distinct().count();
    Dataset<Row> listeners = matrix.groupBy("track_id").agg(count(lit(1)).as("listeners")).cache();
    try {
      long tracks = listeners.count();
      if (matrixUsers == 0 || lists.isEmpty()) {
        return Metrics.NONE;
      }
      long top = (long) Math.ceil(TOP_SHARE * tracks);
      Dataset<Row> ranked =
          listeners.withColumn(
              "rank", row_number().over(Window.orderBy(col("listeners").desc(), col("track_id"))));
      Row slots =
          lists
              .select("user_id", "track_id")
              .join(ranked, "track_id", "left_outer")
              .agg(
                  avg(log(2.0, col("listeners").divide(matrixUsers)).multiply(-1)),
                  avg(when(col("rank").leq(top), 1.0).otherwise(0.0)),
                  countDistinct(col("user_id")))
              .head();
      double artists =
          lists
              .groupBy("user_id")
              .agg(countDistinct("artist_id").as("artists"))
              .agg(avg("artists"))
              .head()
              .getDouble(0);
      return new Metrics(
          slots.getLong(2),
          slots.getDouble(0),
          artists,
          slots.getDouble(1),
          overlap(lists, previous));
    } finally {
      listeners.unpersist();
    }
  }

  /** Mean Jaccard overlap of each user's list with their previous one, over users with both. */
  private static Double overlap(Dataset<Row> lists, Dataset<Row> previous) {
    Dataset<Row> current = lists.select("user_id", "track_id").distinct();
    Dataset<Row> before = previous.select("user_id", "track_id").distinct();
    Dataset<Row> sizes =
        current
            .groupBy("user_id")
            .agg(count(lit(1)).as("now"))
            .join(before.groupBy("user_id").agg(count(lit(1)).as("before")), "user_id");
    Dataset<Row> shared =
        current
            .join(before, new String[] {"user_id", "track_id"})
            .groupBy("user_id")
            .agg(count(lit(1)).as("shared"));
    Row mean =
        sizes
            .join(shared, "user_id", "left_outer")
            .na()
            .fill(0, new String[] {"shared"})
            .agg(
                avg(col("shared").divide(col("now").plus(col("before")).minus(col("shared")))),
                count(lit(1)))
            .head();
    return mean.getLong(1) == 0 ? null : mean.getDouble(0);
  }
}
