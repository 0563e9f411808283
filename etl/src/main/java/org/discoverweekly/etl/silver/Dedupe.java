package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.xxhash64;

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

  private static final String LISTEN_KEY = "_listen_key";
  private static final String ID_KEY = "_id_key";
  private static final String LISTEN_REPEATED = "_listen_repeated";
  private static final String ID_REPEATED = "_id_repeated";

  private Dedupe() {}

  /** One row per (user, track, ts) and per event id within a batch of valid listens. */
  public static Dataset<Row> withinBatch(Dataset<Row> listens) {
    return withinBatch(listens, repeatedListens(listens), repeatedIds(listens));
  }

  /**
   * Hashes of the (user, track, ts) keys that more than one row of the batch carries: {@code
   * _listen_key}. A 64-bit hash makes the aggregation over millions of mostly unique keys a map of
   * longs rather than of strings; two keys that share a hash only send their rows through the exact
   * dedupe below, which keeps both.
   */
  public static Dataset<Row> repeatedListens(Dataset<Row> listens) {
    return repeated(listens, listenKey().as(LISTEN_KEY), LISTEN_REPEATED);
  }

  /** Hashes of the event ids that more than one row of the batch carries: {@code _id_key}. */
  public static Dataset<Row> repeatedIds(Dataset<Row> listens) {
    return repeated(listens, idKey().as(ID_KEY), ID_REPEATED);
  }

  private static Column listenKey() {
    return xxhash64(col("user_id"), col("track_id"), col("ts"));
  }

  private static Column idKey() {
    return xxhash64(col("event_id"));
  }

  private static Dataset<Row> repeated(Dataset<Row> listens, Column key, String marker) {
    return listens
        .groupBy(key)
        .count()
        .filter("count > 1")
        .drop("count")
        .withColumn(marker, lit(true));
  }

  /**
   * The batch without duplicates, given its repeated keys. Only rows whose key hashes are repeated
   * are sorted; the rest, nearly all of a day, pass through. Repeats are a small share of a batch,
   * so their hashes are broadcast rather than the batch shuffled; a caller that caches them
   * aggregates once for both branches below.
   */
  public static Dataset<Row> withinBatch(
      Dataset<Row> listens, Dataset<Row> repeatedListens, Dataset<Row> repeatedIds) {
    Dataset<Row> marked =
        listens
            .withColumn(LISTEN_KEY, listenKey())
            .withColumn(ID_KEY, idKey())
            .join(broadcast(repeatedListens), LISTEN_KEY, "left")
            .join(broadcast(repeatedIds), ID_KEY, "left");
    Column repeated =
        coalesce(col(LISTEN_REPEATED), lit(false)).or(coalesce(col(ID_REPEATED), lit(false)));
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
        .drop(LISTEN_KEY, ID_KEY, LISTEN_REPEATED, ID_REPEATED);
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
