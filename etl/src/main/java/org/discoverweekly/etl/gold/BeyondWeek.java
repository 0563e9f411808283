package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.discoverweekly.etl.storage.Table.GOLD_DISCOVER_WEEKLY;
import static org.discoverweekly.etl.storage.Table.GOLD_USER_TRACK_MATRIX;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;

import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.models.BeyondAccuracy;
import org.discoverweekly.models.Playlists;

/**
 * Week W's beyond-accuracy metrics ({@link BeyondAccuracy}), for ALS and for the popularity
 * baseline on the same users: W's ALS playlists as {@code gold.discover_weekly} holds them, and
 * what the popularity ranking would give those users under the same rules and memory; the previous
 * playlist of a user is the latest one served to them before W.
 */
public final class BeyondWeek {

  private final Lake lake;
  private final WeeklySettings settings;
  private final Map<LocalDate, Long> servedWeeks;

  /** {@code servedWeeks}: the served weeks before W, at least the memory's and the last one. */
  public BeyondWeek(Lake lake, WeeklySettings settings, Map<LocalDate, Long> servedWeeks) {
    this.lake = lake;
    this.settings = settings;
    this.servedWeeks = servedWeeks;
  }

  /** The two models' metrics. */
  public record Result(BeyondAccuracy.Metrics als, BeyondAccuracy.Metrics popularity) {

    public static final Result NONE =
        new Result(BeyondAccuracy.Metrics.NONE, BeyondAccuracy.Metrics.NONE);
  }

  /**
   * What {@link #measure} reads, as a digest: what W's ranking reads ({@code rankInputs}, {@link
   * RankWeek#inputs}: the popularity baseline is ranked under the same rules and memory), the
   * versions of W's playlists and matrix in gold, and the served weeks before W it compares with.
   * The same digest for the same model measures the same metrics, so a run that finds it recorded
   * keeps them.
   */
  public String inputs(WeekRecipe recipe, String rankInputs) {
    return Hashes.sha256(
            rankInputs
                + "|"
                + lake.version(GOLD_DISCOVER_WEEKLY)
                + "|"
                + lake.version(GOLD_USER_TRACK_MATRIX)
                + "|"
                + ServedHistory.within(servedWeeks, recipe.week(), memoryWeeks()))
        .substring(0, 12);
  }

  /** The memory's weeks, or at least the last served one: the overlap is measured either way. */
  static int memoryWeeks(WeeklySettings settings) {
    return Math.max(1, settings.memory().repeatWeeks());
  }

  private int memoryWeeks() {
    return memoryWeeks(settings);
  }

  /** Measures W from its playlists in gold; none when W has no ALS playlists. */
  public Result measure(LocalDate week) {
    Dataset<Row> als =
        RankWeek.read(lake, week)
            .filter(col("source").equalTo("als"))
            .select("user_id", "track_id", "artist_id")
            .cache();
    RankWeek rank = new RankWeek(lake, settings, servedWeeks);
    Dataset<Row> served = rank.served(week, memoryWeeks()).cache();
    try {
      if (als.isEmpty()) {
        return Result.NONE;
      }
      Dataset<Row> previous =
          served
              .join(
                  served.groupBy("user_id").agg(max("week").as("week")),
                  new String[] {"user_id", "week"})
              .select("user_id", "track_id");
      Dataset<Row> matrix = BuildSnapshot.read(lake, week).select("user_id", "track_id");
      Dataset<Row> remembered =
          served.filter(
              col("week")
                  .geq(java.sql.Date.valueOf(week.minusWeeks(settings.memory().repeatWeeks()))));
      try (Playlists playlists = rank.playlists(week, remembered, lake.read(SILVER_TRACKS))) {
        Dataset<Row> baseline =
            playlists
                .baseline()
                .select("user_id", "track_id", "artist_id")
                .join(als.select("user_id").distinct(), "user_id", "left_semi");
        Map<String, BeyondAccuracy.Metrics> measured =
            BeyondAccuracy.measureEach(
                als.withColumn("model", lit("als"))
                    .unionByName(baseline.withColumn("model", lit("popularity"))),
                matrix,
                previous);
        return new Result(
            measured.getOrDefault("als", BeyondAccuracy.Metrics.NONE),
            measured.getOrDefault("popularity", BeyondAccuracy.Metrics.NONE));
      }
    } finally {
      als.unpersist();
      served.unpersist();
    }
  }
}
