package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.xxhash64;
import static org.discoverweekly.etl.storage.Table.GOLD_MODEL_METRICS;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;
import org.discoverweekly.models.BeyondAccuracy;
import org.discoverweekly.models.ImplicitAls;
import org.discoverweekly.models.Playlists;
import org.discoverweekly.models.RankingQuality;
import org.discoverweekly.models.RankingQuality.Metrics;

/**
 * {@code gold.model_metrics} for week W: the week's recipe trained on listens before W − 7 days,
 * ranked as the weekly run ranks, and scored against the tracks each warm user played for the first
 * time in [W − 7 days, W), for ALS and for the popularity baseline on the same users. That model is
 * the one W − 7's own run trained when it was built with the same recipe ({@link
 * WeeklyReuse#backtestModel}): one ALS fit per steady week.
 */
public final class Backtest {

  private final Lake lake;
  private final WeeklySettings settings;

  public Backtest(Lake lake, WeeklySettings settings) {
    this.lake = lake;
    this.settings = settings;
  }

  /**
   * ALS's and popularity's metrics on the same users; {@code reused}: read back from gold; {@code
   * model}: the model version of W − 7 the backtest ranked with, or {@link #FITTED}.
   */
  public record Result(Metrics als, Metrics popularity, boolean reused, String model) {}

  /**
   * A backtest as {@code gold.model_metrics} holds it, and the beyond-accuracy metrics written with
   * it, when there are any.
   */
  public record Recorded(Result metrics, Optional<BeyondWeek.Result> beyond) {}

  /** {@link Result#model} of a backtest that fitted the recipe itself. */
  public static final String FITTED = "fitted";

  /** The model W − 7's run trained, its version, and W − 7's matrix, which it was trained on. */
  public record PriorModel(String modelVersion, ALSModel model, Dataset<Row> matrix) {}

  /**
   * Evaluates W, with {@code prior} when W − 7's model serves, else fitting the recipe on the
   * listens before W − 7 days; {@link #write} records the metrics.
   */
  public Result run(LocalDate week, Optional<PriorModel> prior) {
    LocalDate split = week.minusDays(7);
    Optional<BuildSnapshot.Snapshot> snapshot =
        prior.isPresent()
            ? Optional.empty()
            : Optional.of(
                BuildSnapshot.transform(
                    BuildSnapshot.listensInWindow(lake, split, settings.matrix().historyDays()),
                    split,
                    settings.matrix()));
    Dataset<Row> matrix =
        (prior.isPresent() ? prior.get().matrix() : snapshot.get().matrix()).cache();
    String modelName = prior.map(PriorModel::modelVersion).orElse(FITTED);
    Sample sample = null;
    Dataset<Row> relevant = null;
    try {
      int k = settings.playlists().size();
      if (matrix.isEmpty()) {
        // No listens before the split: nothing to train the backtest on, so no user is evaluated
        // and the gate rejects the week.
        Metrics none = new Metrics(k, 0, 0, 0, 0, 0, 0);
        return new Result(none, none, false, modelName);
      }
      sample =
          sample(
              Playlists.warmUsers(matrix, settings.playlists())
                  .join(matrix.select("user_index", "user_id").distinct(), "user_index"),
              lake.read(SILVER_LISTENS).filter(col("event_date").lt(lit(Date.valueOf(week)))),
              split,
              settings.evaluateUsers());
      // The sample read every user of the matrix, which is now cached whole: the snapshot's own
      // caches of nearly the same rows can go before the fit.
      snapshot.ifPresent(BuildSnapshot.Snapshot::close);
      Column beforeSplit = beforeSplit(split);
      Dataset<Row> users = sample.users();
      // First played before the split, the track was heard; on or after it, a first play.
      Dataset<Row> pairs =
          sample.pairs().join(broadcast(users.select("user_id")), "user_id", "left_semi");
      Dataset<Row> catalog = lake.read(SILVER_TRACKS);
      try (Playlists playlists =
          new Playlists(
              matrix,
              pairs.filter(beforeSplit).select("user_id", "track_id"),
              catalog,
              settings.playlists())) {
        ALSModel model =
            prior.isPresent() ? prior.get().model() : ImplicitAls.fit(matrix, settings.als());
        // Both models' lists are scored against the same first plays, aggregated once. By track
        // id: a track first played after the split may have no index in the backtest's matrix.
        relevant =
            pairs
                .filter(not(beforeSplit))
                .groupBy("user_id")
                .agg(collect_list("track_id").as("relevant"))
                .join(broadcast(users), "user_id")
                .select("user_index", "relevant")
                .cache();
        long available = catalog.filter(col("available")).count();
        Metrics als =
            RankingQuality.evaluate(
                scored(playlists.withTrackIds(playlists.byAls(users, model)), relevant),
                k,
                available);
        Metrics popularity =
            RankingQuality.evaluate(
                scored(playlists.withTrackIds(playlists.byPopularity(users)), relevant),
                k,
                available);
        return new Result(als, popularity, false, modelName);
      }
    } finally {
      if (relevant != null) {
        relevant.unpersist();
      }
      matrix.unpersist();
      snapshot.ifPresent(BuildSnapshot.Snapshot::close);
      if (sample != null) {
        sample.close();
      }
    }
  }

  /**
   * The evaluated users ({@code user_index, user_id}) and the pairs they played before W ({@code
   * user_id, track_id, first_played}, of a few more users), cached while open.
   */
  record Sample(Dataset<Row> users, Dataset<Row> pairs) implements AutoCloseable {

    @Override
    public void close() {
      users.unpersist();
      pairs.unpersist();
    }
  }

  /**
   * A fixed sample of {@code wanted} {@code warm} users ({@code user_index, user_id}) who played
   * some track for the first time on or after {@code split}: the first by hashed id, the same users
   * every run, and a backtest whose cost does not grow with the user base. Only the pairs of a pool
   * of twice as many warm users, in the same order, are aggregated from {@code listens} (silver
   * before W), not every user's; a pool in which too few played something new doubles, so the
   * sample is the one all users' pairs would give.
   */
  static Sample sample(Dataset<Row> warm, Dataset<Row> listens, LocalDate split, int wanted) {
    Dataset<Row> ordered = byHashedId(warm);
    for (long size = 2L * wanted; ; size *= 2) {
      Dataset<Row> pool = ordered.limit((int) Math.min(size, Integer.MAX_VALUE)).cache();
      Dataset<Row> pairs =
          listens
              .join(broadcast(pool.select("user_id")), "user_id", "left_semi")
              .groupBy("user_id", "track_id")
              .agg(min("event_date").as("first_played"))
              .cache();
      Dataset<Row> users =
          byHashedId(
                  pool.join(
                      pairs.filter(not(beforeSplit(split))).select("user_id"),
                      "user_id",
                      "left_semi"))
              .limit(wanted)
              .select("user_index", "user_id")
              .cache();
      boolean done = users.count() == wanted || pool.count() < size;
      pool.unpersist();
      if (done) {
        return new Sample(users, pairs);
      }
      users.unpersist();
      pairs.unpersist();
    }
  }

  /** Users in the sample's order: by a hash of their id, the same every run. */
  private static Dataset<Row> byHashedId(Dataset<Row> users) {
    return users.orderBy(xxhash64(col("user_id")), col("user_id"));
  }

  /** Pairs first played before the split: heard, not a first play of the evaluated week. */
  private static Column beforeSplit(LocalDate split) {
    return col("first_played").lt(lit(Date.valueOf(split)));
  }

  /**
   * W's metrics as a backtest of {@code modelVersion} wrote them, if it did, ranked with {@code
   * backtestModel} as its run recorded; with the beyond-accuracy metrics written beside them (none
   * for rows written before they were).
   */
  public static Optional<Recorded> recorded(
      Lake lake, LocalDate week, String modelVersion, String backtestModel) {
    Map<String, Metrics> byModel = new HashMap<>();
    Map<String, BeyondAccuracy.Metrics> beyondByModel = new HashMap<>();
    for (Row row :
        lake.read(GOLD_MODEL_METRICS)
            .filter(
                col("week")
                    .equalTo(lit(Date.valueOf(week)))
                    .and(col("model_version").equalTo(modelVersion)))
            .collectAsList()) {
      String model = row.getAs("model");
      byModel.put(
          model,
          new Metrics(
              row.getAs("k"),
              row.getAs("users"),
              row.getAs("recall"),
              row.getAs("precision"),
              row.getAs("ndcg"),
              row.getAs("map"),
              row.getAs("coverage")));
      if (!row.isNullAt(row.fieldIndex("served_users"))) {
        beyondByModel.put(
            model,
            new BeyondAccuracy.Metrics(
                row.getAs("served_users"),
                row.getAs("novelty"),
                row.getAs("artists_per_playlist"),
                row.getAs("top_track_share"),
                row.getAs("overlap_previous")));
      }
    }
    Metrics als = byModel.get("als");
    Metrics popularity = byModel.get("popularity");
    if (als == null || popularity == null) {
      return Optional.empty();
    }
    Optional<BeyondWeek.Result> beyond =
        beyondByModel.containsKey("als") && beyondByModel.containsKey("popularity")
            ? Optional.of(
                new BeyondWeek.Result(beyondByModel.get("als"), beyondByModel.get("popularity")))
            : Optional.empty();
    return Optional.of(new Recorded(new Result(als, popularity, true, backtestModel), beyond));
  }

  /**
   * One row per user of {@code relevant} ({@code user_index, relevant}: the evaluated users, each
   * with the track ids played for the first time): predicted track ids best first, relevant ones.
   */
  private static Dataset<Row> scored(Dataset<Row> lists, Dataset<Row> relevant) {
    Dataset<Row> predicted =
        lists
            .groupBy("user_index")
            .agg(
                expr("transform(sort_array(collect_list(struct(position, track_id))), x ->"
                        + " x.track_id)")
                    .as("predicted"));
    return relevant
        .join(predicted, "user_index", "left_outer")
        .select(
            coalesce(col("predicted"), array().cast("array<string>")).as("predicted"),
            col("relevant"));
  }

  /**
   * Writes W's two rows of {@code gold.model_metrics}, replacing the week's: the backtest's metrics
   * and the week's beyond-accuracy ones, per model.
   */
  public static void write(
      Lake lake, LocalDate week, String modelVersion, Result metrics, BeyondWeek.Result beyond) {
    List<Row> rows = new ArrayList<>();
    rows.add(row(week, "als", metrics.als(), beyond.als(), modelVersion));
    rows.add(row(week, "popularity", metrics.popularity(), beyond.popularity(), modelVersion));
    lake.replace(
        GOLD_MODEL_METRICS,
        lake.spark().createDataFrame(rows, GOLD_MODEL_METRICS.schema()),
        Partitions.in("week", List.of(week)));
  }

  private static Row row(
      LocalDate week,
      String model,
      Metrics metrics,
      BeyondAccuracy.Metrics beyond,
      String modelVersion) {
    return RowFactory.create(
        Date.valueOf(week),
        model,
        metrics.k(),
        metrics.users(),
        metrics.recall(),
        metrics.precision(),
        metrics.ndcg(),
        metrics.map(),
        metrics.coverage(),
        modelVersion,
        beyond.users(),
        beyond.novelty(),
        beyond.artistsPerPlaylist(),
        beyond.topTrackShare(),
        beyond.overlapPrevious());
  }
}
