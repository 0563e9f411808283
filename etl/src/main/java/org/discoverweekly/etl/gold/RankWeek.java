package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.discoverweekly.etl.storage.Table.GOLD_DISCOVER_WEEKLY;
import static org.discoverweekly.etl.storage.Table.SILVER_FEEDBACK;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;
import org.discoverweekly.models.ImplicitAls;
import org.discoverweekly.models.Playlists;

/**
 * {@code gold.discover_weekly} for week W: the ranked playlists of every user of W's matrix, with
 * catalog names, replacing W's partition; the ranking remembers the weeks served before W ({@link
 * ServedHistory#weeks}, read once by the plan as its pinned ledger records them).
 */
public final class RankWeek {

  private final Lake lake;
  private final WeeklySettings settings;
  private final Map<LocalDate, Long> servedWeeks;

  /** {@code servedWeeks}: the served weeks before W, at least those the memory remembers. */
  public RankWeek(Lake lake, WeeklySettings settings, Map<LocalDate, Long> servedWeeks) {
    this.lake = lake;
    this.settings = settings;
    this.servedWeeks = servedWeeks;
  }

  /**
   * Every track each user played before W's history window, from silver: with the matrix's own
   * pairs (the window's plays), every track played before W 00:00 UTC. The tracks served in the
   * remembered weeks join them: no ranking takes either. The window starts at midnight UTC, so its
   * first event date splits silver exactly.
   */
  static Dataset<Row> heardBeforeWindow(Lake lake, LocalDate week, int historyDays) {
    return lake.read(SILVER_LISTENS)
        .filter(col("event_date").lt(lit(Date.valueOf(week.minusDays(historyDays)))))
        .select("user_id", "track_id");
  }

  /** W's playlists in the table's shape, with the names of each slot's track and its reason. */
  public static Dataset<Row> transform(
      Playlists playlists,
      Dataset<Row> catalog,
      ALSModel model,
      ImplicitAls.Settings als,
      LocalDate week,
      String modelVersion) {
    return playlists
        .recommend(model, als)
        .join(catalog.select("track_id", "track_name", "artist_name"), "track_id")
        .join(
            catalog.select(
                col("track_id").as("because_track_id"),
                col("track_name").as("because_track_name"),
                col("artist_name").as("because_artist_name")),
            "because_track_id",
            "left_outer")
        .withColumn("week", lit(Date.valueOf(week)))
        .withColumn("model_version", lit(modelVersion));
  }

  /**
   * What {@link #run} reads, as a digest: the model version (silver's listens and the matrix and
   * ALS settings), the catalog's and the feedback's versions, the playlist and memory settings, and
   * the served weeks it remembers (each with the gold version its publish read). With the same
   * model, the same digest ranks the same rows.
   */
  public String inputs(WeekRecipe recipe) {
    return Hashes.sha256(
            recipe.modelVersion()
                + "|"
                + recipe.inputs().get(SILVER_TRACKS.sqlName())
                + "|"
                + recipe.inputs().get(SILVER_FEEDBACK.sqlName())
                + "|"
                + settings.playlists()
                + "|"
                + settings.memory()
                + "|"
                + ServedHistory.within(servedWeeks, recipe.week(), settings.memory().repeatWeeks()))
        .substring(0, 12);
  }

  /**
   * Writes W's partition, remembering the weeks served before W; returns rows, users, users by
   * source, and the slots remembered.
   */
  public Map<String, Long> run(LocalDate week, ALSModel model, String modelVersion) {
    Dataset<Row> catalog = lake.read(SILVER_TRACKS);
    Dataset<Row> served = served(week, settings.memory().repeatWeeks()).cache();
    try (Playlists playlists = playlists(week, served, catalog)) {
      lake.replace(
          GOLD_DISCOVER_WEEKLY,
          transform(playlists, catalog, model, settings.als(), week, modelVersion),
          Partitions.in("week", List.of(week)));
    }
    long remembered = served.count();
    served.unpersist();
    Column first = col("position").equalTo(1);
    Row counts =
        read(lake, week)
            .agg(
                count(lit(1)),
                // Each user's list starts at position 1, once: its users are its first slots.
                count(when(first, lit(1))),
                count(when(first.and(col("source").equalTo("als")), lit(1))),
                count(when(first.and(col("source").equalTo("popular")), lit(1))))
            .head();
    return Map.of(
        "rows", counts.getLong(0),
        "users", counts.getLong(1),
        "als_users", counts.getLong(2),
        "popular_users", counts.getLong(3),
        "served_slots_remembered", remembered);
  }

  /** The slots served in the {@code weeks} weeks before W. */
  Dataset<Row> served(LocalDate week, int weeks) {
    return ServedHistory.read(lake, ServedHistory.within(servedWeeks, week, weeks));
  }

  /**
   * W's playlists under every rule: W's matrix, the tracks heard before its window and those {@code
   * served} in the remembered weeks, their artists' weights, the catalog. Close it once read.
   */
  Playlists playlists(LocalDate week, Dataset<Row> served, Dataset<Row> catalog) {
    ServedHistory.Memory memory = ServedHistory.transform(served, week, settings.memory());
    return new Playlists(
        BuildSnapshot.read(lake, week),
        heardBeforeWindow(lake, week, settings.matrix().historyDays())
            .unionByName(memory.repeats())
            .unionByName(FeedbackRules.blockedTracks(lake.read(SILVER_FEEDBACK), catalog, week)),
        memory.artistWeights(),
        catalog,
        settings.playlists());
  }

  public static Dataset<Row> read(Lake lake, LocalDate week) {
    return lake.read(GOLD_DISCOVER_WEEKLY).filter(col("week").equalTo(lit(Date.valueOf(week))));
  }
}
