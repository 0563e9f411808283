package org.discoverweekly.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.dense_rank;
import static org.apache.spark.sql.functions.exp;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.log1p;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

import java.sql.Timestamp;
import java.time.Instant;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The implicit-feedback matrix: one row per user × track played in the history window before a
 * cutoff, with streams, skips, last play and a confidence.
 *
 * <p>Confidence = ln(1 + streams + skipWeight × skips) × 2^(−age / halfLife), where age is the time
 * from the last play to the cutoff in days: repeated plays count with diminishing returns, a skip
 * counts for a fraction of a stream, and a pair fades by half every half-life since it was last
 * played.
 */
public final class FeedbackMatrix {

  private static final double MS_PER_DAY = 86_400_000.0;

  private FeedbackMatrix() {}

  /** What shapes the matrix. */
  public record Settings(
      int historyDays, double halfLifeDays, double skipWeight, int botPlaysPerDay) {}

  /**
   * Listens ({@code user_id, track_id, ts, is_stream}) before {@code cutoff} and inside the history
   * window.
   */
  public static Dataset<Row> window(Dataset<Row> listens, Instant cutoff, Settings settings) {
    Instant start = cutoff.minusMillis((long) (settings.historyDays() * MS_PER_DAY));
    return listens.filter(
        col("ts").geq(lit(Timestamp.from(start))).and(col("ts").lt(lit(Timestamp.from(cutoff)))));
  }

  /**
   * Users ({@code user_id}, {@code max_plays_per_day}) who played more than the bot limit on any
   * UTC day of the listens given.
   */
  public static Dataset<Row> bots(Dataset<Row> listens, int botPlaysPerDay) {
    return listens
        .groupBy(col("user_id"), to_date(col("ts")).as("day"))
        .agg(count(lit(1)).as("plays"))
        .groupBy("user_id")
        .agg(max("plays").as("max_plays_per_day"))
        .filter(isBot(col("max_plays_per_day"), botPlaysPerDay));
  }

  /** Whether a listener whose busiest day had {@code maxPlaysPerDay} plays is a bot. */
  public static Column isBot(Column maxPlaysPerDay, int botPlaysPerDay) {
    return maxPlaysPerDay.gt(botPlaysPerDay);
  }

  /**
   * The matrix of windowed, non-bot listens: {@code user_id, track_id, streams, skips, likes,
   * last_played, confidence}; a listen with {@code is_like} true (a like, counted as a stream) is
   * also counted in {@code likes}, so a pair can tell plays from likes.
   */
  public static Dataset<Row> build(
      Dataset<Row> windowedListens, Dataset<Row> bots, Instant cutoff, Settings settings) {
    Column like =
        java.util.Arrays.asList(windowedListens.columns()).contains("is_like")
            ? col("is_like")
            : lit(false);
    Column ageDays =
        lit(Timestamp.from(cutoff))
            .cast("double")
            .minus(col("last_played").cast("double"))
            .divide(MS_PER_DAY / 1000.0);
    Column decay = exp(ageDays.multiply(-Math.log(2) / settings.halfLifeDays()));
    return windowedListens
        .join(bots.select("user_id"), "user_id", "left_anti")
        .groupBy("user_id", "track_id")
        .agg(
            sum(when(col("is_stream"), 1L).otherwise(0L)).as("streams"),
            sum(when(col("is_stream"), 0L).otherwise(1L)).as("skips"),
            sum(when(like, 1L).otherwise(0L)).as("likes"),
            max("ts").as("last_played"))
        .withColumn(
            "confidence",
            log1p(col("streams").plus(col("skips").multiply(settings.skipWeight())))
                .multiply(decay));
  }

  /**
   * Adds dense integer ids for ALS, {@code user_index} and {@code track_index}, numbered in the
   * sort order of the string ids, so the same matrix always gets the same numbers.
   */
  public static Dataset<Row> withIndices(Dataset<Row> matrix) {
    Dataset<Row> users =
        matrix
            .select("user_id")
            .distinct()
            .withColumn("user_index", dense_rank().over(Window.orderBy("user_id")).minus(1));
    Dataset<Row> tracks =
        matrix
            .select("track_id")
            .distinct()
            .withColumn("track_index", dense_rank().over(Window.orderBy("track_id")).minus(1));
    return matrix.join(users, "user_id").join(tracks, "track_id");
  }
}
