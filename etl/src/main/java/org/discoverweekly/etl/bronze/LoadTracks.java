package org.discoverweekly.etl.bronze;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;

import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Landing;

/** Silver tracks: the landing catalog, validated, one row per track, replacing the last one. */
public final class LoadTracks {

  static final StructType CATALOG_SCHEMA =
      new StructType()
          .add("track_id", DataTypes.StringType)
          .add("artist_id", DataTypes.StringType)
          .add("track_name", DataTypes.StringType)
          .add("artist_name", DataTypes.StringType)
          .add("duration_ms", DataTypes.LongType)
          .add("available", DataTypes.BooleanType)
          .add("_corrupt_record", DataTypes.StringType);

  private final Lake lake;
  private final Landing landing;

  public LoadTracks(Lake lake, Landing landing) {
    this.lake = lake;
    this.landing = landing;
  }

  /** Applies the catalog defaults: a track is available unless it says otherwise. */
  public static Dataset<Row> transform(Dataset<Row> catalog) {
    return catalog.withColumn("available", coalesce(col("available"), lit(true)));
  }

  /**
   * The catalog is reference data: one bad line or a duplicate id fails the load with the count,
   * rather than serving playlists from a half-understood catalog.
   */
  public Map<String, Long> run() {
    String file = landing.requireCatalog();
    Dataset<Row> catalog =
        lake.spark()
            .read()
            .schema(CATALOG_SCHEMA)
            .option("mode", "PERMISSIVE")
            .option("columnNameOfCorruptRecord", "_corrupt_record")
            .json(file)
            .cache();
    long invalid =
        catalog
            .filter(
                col("_corrupt_record")
                    .isNotNull()
                    .or(col("track_id").isNull())
                    .or(col("artist_id").isNull()))
            .count();
    if (invalid > 0) {
      throw new PipelineException(
          file + ": " + invalid + " catalog lines are not JSON or lack track_id/artist_id");
    }
    long duplicated =
        catalog.groupBy("track_id").agg(count(lit(1)).as("n")).filter("n > 1").count();
    if (duplicated > 0) {
      throw new PipelineException(file + ": " + duplicated + " track ids appear more than once");
    }
    try {
      Dataset<Row> tracks = Lake.conform(transform(catalog), SILVER_TRACKS);
      // An unchanged catalog leaves silver.tracks at its version, so later stages see the same
      // inputs and a rerun of a week can tell that nothing changed.
      if (lake.exists(SILVER_TRACKS) && sameRows(tracks, lake.read(SILVER_TRACKS))) {
        return Map.of("tracks", tracks.count(), "changed", 0L);
      }
      lake.ensure(SILVER_TRACKS);
      long versionBefore = lake.latestVersion(SILVER_TRACKS);
      tracks.write().format("delta").mode("overwrite").save(lake.path(SILVER_TRACKS));
      return Map.of(
          "tracks",
          lake.writtenSince(SILVER_TRACKS, versionBefore, "numOutputRows"),
          "changed",
          1L);
    } finally {
      catalog.unpersist();
    }
  }

  private static boolean sameRows(Dataset<Row> left, Dataset<Row> right) {
    return left.exceptAll(right).isEmpty() && right.exceptAll(left).isEmpty();
  }
}
