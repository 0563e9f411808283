package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.sketch.BloomFilter;

/**
 * Duplicate rules for listens. One listen is one (user, track, ts); retries repeat the event id,
 * re-sends repeat the (user, track, ts) under a new id. The survivor is the copy of the earliest
 * arrival date, then the smallest event id: chosen by value, so every rerun keeps the same row, and
 * a batch of several dates keeps what running them one by one in date order would.
 */
public final class Dedupe {

  private static final String KEY = "_key";

  /** Of the keys no row repeats, the share the Bloom filter of repeated keys holds by chance. */
  private static final double FALSE_POSITIVES = 0.005;

  private Dedupe() {}

  /** One row per (user, track, ts) and per event id within a batch of valid listens. */
  public static Dataset<Row> withinBatch(Dataset<Row> listens) {
    return withinBatch(listens, repeatedKeyFilter(listens));
  }

  /**
   * The 64-bit hashes of the keys that more than one row of the batch carries, both kinds in one
   * column {@code _key}: a (user, track, ts) hash has its lowest bit clear, an event id hash has it
   * set. Nearly every key of a batch is unique, so instead of aggregating (a hash map entry per
   * key, twice) the hashes are shuffled once and each shuffle partition sorts its own as an array
   * of longs (8 bytes a key: 4 million keys take 32 MB; more shuffle partitions make less). Two
   * keys that share a hash only send their rows through the exact dedupe below, which keeps both.
   */
  public static Dataset<Row> repeatedKeys(Dataset<Row> listens) {
    return listens
        .select(explode(array(listenKey(), idKey())).as(KEY))
        .repartition(col(KEY))
        .mapPartitions(new Repeats(), Encoders.LONG())
        .toDF(KEY);
  }

  private static Column listenKey() {
    return xxhash64(col("user_id"), col("track_id"), col("ts")).bitwiseAND(lit(~1L));
  }

  private static Column idKey() {
    return xxhash64(col("event_id")).bitwiseOR(lit(1L));
  }

  /** Each value that a partition holds more than once, once. */
  private static final class Repeats implements MapPartitionsFunction<Row, Long> {

    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Long> call(Iterator<Row> rows) {
      long[] keys = new long[1024];
      int size = 0;
      while (rows.hasNext()) {
        if (size == keys.length) {
          keys = Arrays.copyOf(keys, size * 2);
        }
        keys[size++] = rows.next().getLong(0);
      }
      Arrays.sort(keys, 0, size);
      List<Long> repeats = new ArrayList<>();
      for (int i = 1; i < size; i++) {
        if (keys[i] == keys[i - 1] && (i == 1 || keys[i] != keys[i - 2])) {
          repeats.add(keys[i]);
        }
      }
      return repeats.iterator();
    }
  }

  /**
   * The batch's repeated keys ({@link #repeatedKeys}) as a Bloom filter of their hashes, built on
   * the driver by two small jobs. It holds every repeated key and, by chance, about one in 200 keys
   * that no other row carries; a row it holds only goes through the exact dedupe of {@link
   * #withinBatch(Dataset, BloomFilter)}, which keeps it.
   */
  public static BloomFilter repeatedKeyFilter(Dataset<Row> listens) {
    Dataset<Row> keys = repeatedKeys(listens).persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long count = keys.count();
      // Spark's aggregation gives no filter at all for no keys.
      return count == 0
          ? BloomFilter.create(1, FALSE_POSITIVES)
          : keys.stat().bloomFilter(KEY, count, FALSE_POSITIVES);
    } finally {
      keys.unpersist();
    }
  }

  /**
   * The batch without duplicates, given the Bloom filter of its repeated keys. Only rows whose key
   * hashes the filter holds are sorted; the rest, nearly all of a day, pass through. The filter's
   * test is a few probes of a bit array about 11 bits a repeated key long; broadcast hash joins on
   * the repeated keys cost a quarter of the MERGE's scan of the batch in a profile
   * (bench/HISTORY.md).
   */
  public static Dataset<Row> withinBatch(Dataset<Row> listens, BloomFilter repeatedKeys) {
    Column repeated = heldBy(repeatedKeys);
    WindowSpec sameListen =
        Window.partitionBy("user_id", "track_id", "ts")
            .orderBy(col("ingest_date"), col("event_id"), col("source_file"));
    WindowSpec sameEventId =
        Window.partitionBy("event_id")
            .orderBy(col("ingest_date"), col("ts"), col("user_id"), col("track_id"));
    Dataset<Row> survivors =
        listens
            .filter(repeated)
            .transform(df -> firstOf(df, sameListen))
            .transform(df -> firstOf(df, sameEventId));
    return listens.filter(not(repeated)).unionByName(survivors);
  }

  /**
   * Whether the filter holds a row's listen key or its event id key. A function rather than Spark's
   * own Bloom filter expression, which takes the filter as a literal and printed it into every plan
   * (5 MB of hexadecimal for a week of 10 million listens).
   */
  private static Column heldBy(BloomFilter filter) {
    UserDefinedFunction held =
        udf(
            (UDF2<Long, Long, Boolean>)
                (listen, id) -> filter.mightContainLong(listen) || filter.mightContainLong(id),
            DataTypes.BooleanType);
    return held.apply(listenKey(), idKey());
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
