package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.discoverweekly.etl.storage.Table.GOLD_USER_TRACK_MATRIX;
import static org.discoverweekly.etl.storage.Table.SILVER_FEEDBACK;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;

import java.sql.Date;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;
import org.discoverweekly.models.FeedbackMatrix;

/**
 * {@code gold.user_track_matrix} for week W: one row per user × track played in the history window
 * before W 00:00 UTC, bots excluded, with ALS ids and the implicit confidence.
 */
public final class BuildSnapshot {

  private final Lake lake;
  private final FeedbackMatrix.Settings settings;

  public BuildSnapshot(Lake lake, FeedbackMatrix.Settings settings) {
    this.lake = lake;
    this.settings = settings;
  }

  /** W 00:00 UTC: only listens before it count for W. */
  public static Instant cutoff(LocalDate week) {
    return week.atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  /**
   * Silver listens before {@code cutoff}'s day, pruned by event date to the history window ({@code
   * user_id, track_id, ts, is_stream, is_like}), with the likes of {@code silver.feedback} as
   * streams.
   */
  static Dataset<Row> listensInWindow(Lake lake, LocalDate cutoff, int historyDays) {
    Column inWindow =
        col("event_date")
            .lt(lit(Date.valueOf(cutoff)))
            .and(col("event_date").geq(lit(Date.valueOf(cutoff.minusDays(historyDays + 1L)))));
    return lake.read(SILVER_LISTENS)
        .filter(inWindow)
        .select(
            col("user_id"), col("track_id"), col("ts"), col("is_stream"), lit(false).as("is_like"))
        .unionByName(
            FeedbackRules.likesAsStreams(lake.read(SILVER_FEEDBACK).filter(inWindow), cutoff));
  }

  /**
   * The matrix of {@code listens} for a cutoff day, with ids, and the bots left out of it. Its
   * pairs are cached while it is open: close it when the matrix has been read.
   */
  public record Snapshot(Dataset<Row> matrix, Dataset<Row> bots, Dataset<Row> pairs)
      implements AutoCloseable {

    @Override
    public void close() {
      pairs.unpersist();
      bots.unpersist();
    }
  }

  /** The matrix as of {@code cutoff} 00:00 UTC, bots found and excluded. */
  public static Snapshot transform(
      Dataset<Row> listens, LocalDate cutoff, FeedbackMatrix.Settings settings) {
    Instant at = cutoff(cutoff);
    Dataset<Row> windowed = FeedbackMatrix.window(listens, at, settings);
    Dataset<Row> bots =
        FeedbackMatrix.bots(windowed, settings.botPlaysPerDay()).select("user_id").cache();
    // The id numbering reads the distinct users and tracks of the pairs; without the cache Spark
    // plans each of them as a scan of the listens (a distinct over the grouping is redundant).
    Dataset<Row> pairs =
        FeedbackMatrix.build(windowed, bots, at, settings).persist(StorageLevel.MEMORY_AND_DISK());
    return new Snapshot(FeedbackMatrix.withIndices(pairs), bots, pairs);
  }

  /** Writes W's partition and returns its counts: pairs, users, tracks, bots. */
  public Map<String, Long> run(LocalDate week) {
    long botCount;
    try (Snapshot snapshot =
        transform(listensInWindow(lake, week, settings.historyDays()), week, settings)) {
      lake.replace(
          GOLD_USER_TRACK_MATRIX,
          snapshot.matrix().withColumn("week", lit(Date.valueOf(week))),
          Partitions.in("week", List.of(week)));
      botCount = snapshot.bots().count();
    }
    // The ids are dense ranks from 0, so the largest id + 1 counts users and tracks: two integer
    // columns read back instead of a distinct count of 8.5M string ids (3 s on the bench's week).
    Row sizes =
        read(lake, week)
            .agg(
                count(lit(1)),
                coalesce(max("user_index").plus(1), lit(0)),
                coalesce(max("track_index").plus(1), lit(0)))
            .head();
    if (sizes.getLong(0) == 0) {
      throw new PipelineException(
          "no listens in the "
              + settings.historyDays()
              + " days before "
              + week
              + " (bots excluded): run silver for those dates first");
    }
    return Map.of(
        "pairs",
        sizes.getLong(0),
        "users",
        (long) sizes.getInt(1),
        "tracks",
        (long) sizes.getInt(2),
        "bots",
        botCount);
  }

  /** W's matrix as written. */
  public static Dataset<Row> read(Lake lake, LocalDate week) {
    return lake.read(GOLD_USER_TRACK_MATRIX).filter(col("week").equalTo(lit(Date.valueOf(week))));
  }
}
