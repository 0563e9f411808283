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
  private final WeeklySettings rankedBy;

  public Backtest(Lake lake, WeeklySettings settings) {
    this(lake, settings, settings);
  }

  /**
   * A backtest whose matrix, users and relevant tracks are {@code settings}' and whose model and
   * ranking are {@code rankedBy}'s: a challenger scored on the users its champion is scored on.
   */
  public Backtest(Lake lake, WeeklySettings settings, WeeklySettings rankedBy) {
    this.lake = lake;
    this.settings = settings;
    this.rankedBy = rankedBy;
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
    String modelName = prior.map(PriorModel::modelVersion).orElse(FITTED);
    try (Split split = split(week, prior.map(PriorModel::matrix))) {
      if (split.isEmpty()) {
        return split.score(null, rankedBy.playlists(), modelName);
      }
      ALSModel model =
          prior.isPresent() ? prior.get().model() : ImplicitAls.fit(split.matrix(), rankedBy.als());
      return split.score(model, rankedBy.playlists(), modelName);
    }
  }

  /**
   * W's split, cached until closed: the matrix before W − 7 days ({@code priorMatrix}, W − 7's
   * snapshot, or built from the listens before it), the sample of warm users, what each had heard
   * before the split and played for the first time after it. Every model scored on one split is
   * scored on the same users and the same first plays.
   */
  public Split split(LocalDate week, Optional<Dataset<Row>> priorMatrix) {
    LocalDate split = week.minusDays(7);
    Optional<BuildSnapshot.Snapshot> snapshot =
        priorMatrix.isPresent()
            ? Optional.empty()
            : Optional.of(
                BuildSnapshot.transform(
                    BuildSnapshot.listensInWindow(lake, split, settings.matrix().historyDays()),
                    split,
                    settings.matrix()));
    Dataset<Row> matrix = priorMatrix.orElseGet(() -> snapshot.get().matrix()).cache();
    Split prepared = new Split(matrix, settings.playlists().size());
    try {
      if (!matrix.isEmpty()) {
        prepared.sample(lake, week, split, settings);
      }
      return prepared;
    } catch (RuntimeException e) {
      prepared.close();
      throw e;
    } finally {
      // The sample read every user of the matrix, which is now cached whole: the snapshot's own
      // caches of nearly the same rows can go before a fit.
      snapshot.ifPresent(BuildSnapshot.Snapshot::close);
    }
  }

  /** A backtest's split ({@link #split}): score any number of models on it, then close it. */
  public static final class Split implements AutoCloseable {

    private final Dataset<Row> matrix;
    private final int k;
    private Sample sample;
    private Dataset<Row> heard;
    private Dataset<Row> relevant;
    private Dataset<Row> catalog;
    private long available;
    private Playlists.Settings rankedHow;
    private Playlists playlists;
    private Metrics popularity;

    private Split(Dataset<Row> matrix, int k) {
      this.matrix = matrix;
      this.k = k;
    }

    private void sample(Lake lake, LocalDate week, LocalDate split, WeeklySettings settings) {
      sample =
          Backtest.sample(
              Playlists.warmUsers(matrix, settings.playlists())
                  .join(matrix.select("user_index", "user_id").distinct(), "user_index"),
              lake.read(SILVER_LISTENS).filter(col("event_date").lt(lit(Date.valueOf(week)))),
              split,
              settings.evaluateUsers());
      Column beforeSplit = beforeSplit(split);
      Dataset<Row> users = sample.users();
      // First played before the split, the track was heard; on or after it, a first play.
      Dataset<Row> pairs =
          sample.pairs().join(broadcast(users.select("user_id")), "user_id", "left_semi");
      heard = pairs.filter(beforeSplit).select("user_id", "track_id");
      // Every model's lists are scored against the same first plays, aggregated once. By track
      // id: a track first played after the split may have no index in the backtest's matrix.
      relevant =
          pairs
              .filter(not(beforeSplit))
              .groupBy("user_id")
              .agg(collect_list("track_id").as("relevant"))
              .join(broadcast(users), "user_id")
              .select("user_index", "relevant")
              .cache();
      catalog = lake.read(SILVER_TRACKS);
      available = catalog.filter(col("available")).count();
    }

    /**
     * Whether there were no listens before the split: nothing to train on, so no user is evaluated
     * and the gate rejects the week.
     */
    public boolean isEmpty() {
      return sample == null;
    }

    /** The matrix before the split, which a model scored here is trained on. */
    public Dataset<Row> matrix() {
      return matrix;
    }

    /**
     * {@code model}'s and popularity's metrics on the split's users, ranked with {@code how};
     * popularity's are computed once while {@code how} stays the same (as it does for every point
     * of a tune grid).
     */
    public Result score(ALSModel model, Playlists.Settings how, String modelName) {
      if (isEmpty()) {
        Metrics none = new Metrics(k, 0, 0, 0, 0, 0, 0);
        return new Result(none, none, false, modelName);
      }
      if (!how.equals(rankedHow)) {
        closePlaylists();
        playlists = new Playlists(matrix, heard, catalog, how);
        rankedHow = how;
        popularity = null;
      }
      Dataset<Row> users = sample.users();
      Metrics als =
          RankingQuality.evaluate(
              scored(playlists.withTrackIds(playlists.byAls(users, model)), relevant),
              k,
              available);
      if (popularity == null) {
        popularity =
            RankingQuality.evaluate(
                scored(playlists.withTrackIds(playlists.byPopularity(users)), relevant),
                k,
                available);
      }
      return new Result(als, popularity, false, modelName);
    }

    private void closePlaylists() {
      if (playlists != null) {
        playlists.close();
        playlists = null;
      }
    }

    @Override
    public void close() {
      closePlaylists();
      if (relevant != null) {
        relevant.unpersist();
      }
      matrix.unpersist();
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
   * Writes W's two rows of {@code gold.model_metrics} for {@code modelVersion}, replacing its
   * earlier ones (the rows of W's other models stay): the backtest's metrics and, when W's
   * playlists were ranked with it, the week's beyond-accuracy ones ({@code beyond} null: none), per
   * model.
   */
  public static void write(
      Lake lake, LocalDate week, String modelVersion, Result metrics, BeyondWeek.Result beyond) {
    write(lake, week, modelVersion, metrics, beyond, null);
  }

  /** {@link #write} of a tune point, with the seconds its fit and scoring took. */
  static void write(
      Lake lake,
      LocalDate week,
      String modelVersion,
      Result metrics,
      BeyondWeek.Result beyond,
      Double seconds) {
    List<Row> rows = new ArrayList<>();
    rows.add(
        row(
            week,
            "als",
            metrics.als(),
            beyond == null ? null : beyond.als(),
            modelVersion,
            seconds));
    rows.add(
        row(
            week,
            "popularity",
            metrics.popularity(),
            beyond == null ? null : beyond.popularity(),
            modelVersion,
            seconds));
    lake.replace(
        GOLD_MODEL_METRICS,
        lake.spark().createDataFrame(rows, GOLD_MODEL_METRICS.schema()),
        Partitions.in("week", List.of(week)) + " AND model_version = '" + modelVersion + "'");
  }

  private static Row row(
      LocalDate week,
      String model,
      Metrics metrics,
      BeyondAccuracy.Metrics beyond,
      String modelVersion,
      Double seconds) {
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
        beyond == null ? null : beyond.users(),
        beyond == null ? null : beyond.novelty(),
        beyond == null ? null : beyond.artistsPerPlaylist(),
        beyond == null ? null : beyond.topTrackShare(),
        beyond == null ? null : beyond.overlapPrevious(),
        seconds);
  }
}
