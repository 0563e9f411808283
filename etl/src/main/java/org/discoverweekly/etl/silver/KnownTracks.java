package org.discoverweekly.etl.silver;

import java.util.HashSet;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;

/**
 * The catalog's track ids as one broadcast set, which both feeds' contracts check their lines
 * against: a silver run collects the catalog once.
 */
public final class KnownTracks {

  private KnownTracks() {}

  /** The distinct {@code track_id}s of {@code tracks}, broadcast to the executors. */
  public static Broadcast<Set<String>> of(Dataset<Row> tracks) {
    Set<String> ids =
        new HashSet<>(tracks.select("track_id").distinct().as(Encoders.STRING()).collectAsList());
    return JavaSparkContext.fromSparkContext(tracks.sparkSession().sparkContext()).broadcast(ids);
  }
}
