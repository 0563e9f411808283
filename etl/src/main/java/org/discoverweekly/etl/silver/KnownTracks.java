package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.silver.ListenContract.Reasons;

/**
 * The catalog rule, both contracts' last: a line that passes every other rule and names a {@code
 * track_id} the catalog does not hold is rejected as {@code unknown_track}, the id its detail.
 *
 * <p>A join with the catalog, so no catalog-sized value passes through the driver: Spark broadcasts
 * the catalog's ids only while they are under {@code spark.sql.autoBroadcastJoinThreshold} (10 MB
 * by default), and joins by shuffle above it.
 */
public final class KnownTracks {

  private KnownTracks() {}

  /**
   * {@code checked} (contract-checked rows with {@code track_id}, {@code reason} and {@code
   * detail}) with the catalog rule applied against {@code tracks}' ids; columns and their order
   * kept.
   */
  public static Dataset<Row> check(Dataset<Row> checked, Dataset<Row> tracks) {
    Dataset<Row> known = tracks.select(col("track_id").as("known_track_id")).distinct();
    Column unknown =
        col("reason").isNull().and(col("track_id").isNotNull()).and(col("known_track_id").isNull());
    return checked
        .join(known, col("track_id").equalTo(col("known_track_id")), "left_outer")
        .withColumn("detail", when(unknown, col("track_id")).otherwise(col("detail")))
        .withColumn("reason", when(unknown, lit(Reasons.UNKNOWN_TRACK)).otherwise(col("reason")))
        .select(Arrays.stream(checked.columns()).map(name -> col(name)).toArray(Column[]::new));
  }
}
