package org.discoverweekly.models;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.ceil;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import java.util.Map;
import java.util.TreeMap;
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
    return measureEach(lists.withColumn("model", lit("")), matrix, previous)
        .getOrDefault("", Metrics.NONE);
  }

  /**
   * {@link #measure} of several models' lists at once ({@code model, user_id, track_id,
   * artist_id}): a few passes over all of them rather than a few per model. A model without a list
   * is absent.
   */
  public static Map<String, Metrics> measureEach(
      Dataset<Row> lists, Dataset<Row> matrix, Dataset<Row> previous) {
    long matrixUsers = matrix.select("user_id").distinct().count();
    Map<String, Metrics> byModel = new TreeMap<>();
    if (matrixUsers == 0) {
      return byModel;
    }
    // The most played tracks first, ties by id; the top 1 % (rounded up) are the top tracks.
    Dataset<Row> popularity =
        matrix
            .groupBy("track_id")
            .agg(count(lit(1)).as("listeners"))
            .withColumn(
                "rank", row_number().over(Window.orderBy(col("listeners").desc(), col("track_id"))))
            .withColumn("tracks", count(lit(1)).over(Window.partitionBy()))
            .withColumn("top", col("rank").leq(ceil(col("tracks").multiply(TOP_SHARE))));
    Map<String, Double> artists = new TreeMap<>();
    for (Row row :
        lists
            .groupBy("model", "user_id")
            .agg(countDistinct("artist_id").as("artists"))
            .groupBy("model")
            .agg(avg("artists"))
            .collectAsList()) {
      artists.put(row.getString(0), row.getDouble(1));
    }
    Map<String, Double> overlaps = overlap(lists, previous);
    for (Row row :
        lists
            .select("model", "user_id", "track_id")
            .join(popularity, "track_id", "left_outer")
            .groupBy("model")
            .agg(
                countDistinct(col("user_id")),
                avg(log(2.0, col("listeners").divide(matrixUsers)).multiply(-1)),
                avg(when(col("top"), 1.0).otherwise(0.0)))
            .collectAsList()) {
      String model = row.getString(0);
      byModel.put(
          model,
          new Metrics(
              row.getLong(1),
              row.getDouble(2),
              artists.get(model),
              row.getDouble(3),
              overlaps.get(model)));
    }
    return byModel;
  }

  /**
   * Per model, the mean Jaccard overlap of each user's list with their previous one, over users
   * with both; a model with no such user is absent.
   */
  private static Map<String, Double> overlap(Dataset<Row> lists, Dataset<Row> previous) {
    Dataset<Row> current = lists.select("model", "user_id", "track_id").distinct();
    Dataset<Row> before = previous.select("user_id", "track_id").distinct();
    Dataset<Row> sizes =
        current
            .groupBy("model", "user_id")
            .agg(count(lit(1)).as("now"))
            .join(before.groupBy("user_id").agg(count(lit(1)).as("before")), "user_id");
    Dataset<Row> shared =
        current
            .join(before, new String[] {"user_id", "track_id"})
            .groupBy("model", "user_id")
            .agg(count(lit(1)).as("shared"));
    Map<String, Double> byModel = new TreeMap<>();
    for (Row row :
        sizes
            .join(shared, new String[] {"model", "user_id"}, "left_outer")
            .na()
            .fill(0, new String[] {"shared"})
            .groupBy("model")
            .agg(avg(col("shared").divide(col("now").plus(col("before")).minus(col("shared")))))
            .collectAsList()) {
      byModel.put(row.getString(0), row.getDouble(1));
    }
    return byModel;
  }
}
