package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.row_number;

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
    WindowSpec sameListen =
        Window.partitionBy("user_id", "track_id", "ts")
            .orderBy(col("ingest_date"), col("event_id"), col("source_file"));
    WindowSpec sameEventId =
        Window.partitionBy("event_id")
            .orderBy(col("ingest_date"), col("ts"), col("user_id"), col("track_id"));
    return listens
        .transform(df -> firstOf(df, sameListen))
        .transform(df -> firstOf(df, sameEventId));
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
