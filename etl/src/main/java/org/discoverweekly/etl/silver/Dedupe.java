package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * Duplicate rules for listens. One listen is one (user, track, ts); retries repeat the event id,
 * re-sends repeat the (user, track, ts) under a new id. The survivor is the copy of the earliest
 * arrival date, then the smallest event id: chosen by value, so every rerun keeps the same row, and
 * a batch of several dates keeps what running them one by one in date order would.
 */
public final class Dedupe {

  private Dedupe() {}

  /** One row per (user, track, ts) and per event id within a batch of valid listens. */
  public static Dataset<Row> withinBatch(Dataset<Row> listens) {
    return withinBatch(listens, repeatedListens(listens), repeatedIds(listens));
  }

  /** The (user, track, ts) keys that more than one row of the batch carries. */
  public static Dataset<Row> repeatedListens(Dataset<Row> listens) {
    return listens
        .groupBy("user_id", "track_id", "ts")
        .count()
        .filter("count > 1")
        .select(col("user_id"), col("track_id"), col("ts"), lit(true).as("_repeated_listen"));
  }

  /** The event ids that more than one row of the batch carries. */
  public static Dataset<Row> repeatedIds(Dataset<Row> listens) {
    return listens
        .groupBy("event_id")
        .count()
        .filter("count > 1")
        .select(col("event_id"), lit(true).as("_repeated_id"));
  }

  /**
   * The batch without duplicates, given its repeated keys. Only rows that share a key with another
   * row are sorted; the rest, nearly all of a day, pass through. Repeats are a small share of a
   * batch, so their keys are broadcast rather than the batch shuffled; a caller that caches them
   * aggregates once for both branches below.
   */
  public static Dataset<Row> withinBatch(
      Dataset<Row> listens, Dataset<Row> repeatedListens, Dataset<Row> repeatedIds) {
    Dataset<Row> marked =
        listens
            .join(broadcast(repeatedListens), new String[] {"user_id", "track_id", "ts"}, "left")
            .join(broadcast(repeatedIds), new String[] {"event_id"}, "left");
    Column repeated =
        coalesce(col("_repeated_listen"), lit(false)).or(coalesce(col("_repeated_id"), lit(false)));
    WindowSpec sameListen =
        Window.partitionBy("user_id", "track_id", "ts")
            .orderBy(col("ingest_date"), col("event_id"), col("source_file"));
    WindowSpec sameEventId =
        Window.partitionBy("event_id")
            .orderBy(col("ingest_date"), col("ts"), col("user_id"), col("track_id"));
    Dataset<Row> survivors =
        marked
            .filter(repeated)
            .transform(df -> firstOf(df, sameListen))
            .transform(df -> firstOf(df, sameEventId));
    return marked
        .filter(not(repeated))
        .unionByName(survivors)
        .drop("_repeated_listen", "_repeated_id");
  }

  /**
   * The batch's listens that silver does not hold yet, by event id or by (user, track, ts).
   *
   * @param existing silver rows of the batch's event dates; a listen's (user, track, ts) fixes its
   *     event date, and a retry repeats its ts, so no other partition can hold a copy
   */
  public static Dataset<Row> notIn(Dataset<Row> batch, Dataset<Row> existing) {
    return batch
        .join(existing.select("event_id"), new String[] {"event_id"}, "left_anti")
        .join(
            existing.select("user_id", "track_id", "ts"),
            new String[] {"user_id", "track_id", "ts"},
            "left_anti");
  }

  private static Dataset<Row> firstOf(Dataset<Row> rows, WindowSpec group) {
    return rows.withColumn("_rank", row_number().over(group)).filter("_rank = 1").drop("_rank");
  }
}
