package org.discoverweekly.etl.gold;

import static org.discoverweekly.etl.storage.Table.GOLD_DISCOVER_WEEKLY;
import static org.discoverweekly.etl.storage.Table.SILVER_FEEDBACK;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.ops.ModelRegistry;
import org.discoverweekly.etl.ops.RunHistory;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.storage.Lake;

/**
 * Which of week W's outputs are kept rather than rebuilt: the snapshot when its latest run was
 * built from the same model version, the model with it when the registry holds it (and its files
 * are whole), the playlists with their model when their latest ranking read the same inputs and
 * gold still holds what it wrote, the backtest when its latest run had the same recipe and its
 * metrics are in gold (its beyond-accuracy metrics too when they were measured from the same
 * inputs), and the backtest's model when W − 7's newest registered model has the same recipe;
 * nothing when forced.
 */
public final class WeeklyReuse {

  /** The evaluate step's config key naming the model its backtest ranked with. */
  public static final String BACKTEST_MODEL = "backtest_model";

  /** The rank step's config key holding the digest of what it ranked from. */
  public static final String RANK_INPUTS = "rank_inputs";

  /** The rank step's config key holding the version of gold.discover_weekly its write made. */
  public static final String RANKED_VERSION = "ranked_version";

  /** The evaluate step's config key holding the digest of what its beyond metrics measured. */
  public static final String BEYOND_INPUTS = "beyond_inputs";

  private final Lake lake;
  private final RunHistory history;
  private final ModelStore models;
  private final ModelRegistry registry;
  private final boolean force;

  public WeeklyReuse(
      Lake lake, RunHistory history, ModelStore models, ModelRegistry registry, boolean force) {
    this.lake = lake;
    this.history = history;
    this.models = models;
    this.registry = registry;
    this.force = force;
  }

  /** The row counts the current snapshot recorded, if it is kept. */
  public Optional<Map<String, Long>> snapshot(WeekRecipe recipe) {
    return force
        ? Optional.empty()
        : history
            .current(Stage.SNAPSHOT, recipe.week(), "model_version", recipe.modelVersion())
            .map(WeeklyReuse::rowCounts);
  }

  /**
   * Whether the model is kept: only with its snapshot, which it was trained on, when {@code
   * ops.models} registers it (a model is registered once saved whole) and its files are there.
   */
  public boolean model(WeekRecipe recipe, boolean snapshotReused) {
    LocalDate week = recipe.week();
    return snapshotReused
        && registry.find(week, recipe.modelVersion()).isPresent()
        && models.exists(week, recipe.modelVersion());
  }

  /**
   * The row counts W's playlists recorded, if they are kept: only with their model, when the latest
   * rank run read the same {@code rankInputs} ({@link RankWeek#inputs}) and {@code
   * gold.discover_weekly} is still at the version that run left it at (nothing, a forget say, has
   * rewritten the table since).
   */
  public Optional<Map<String, Long>> rank(
      WeekRecipe recipe, boolean modelReused, String rankInputs) {
    if (!modelReused) {
      return Optional.empty();
    }
    String version = String.valueOf(lake.latestVersion(GOLD_DISCOVER_WEEKLY));
    return history
        .current(Stage.RANK, recipe.week(), RANK_INPUTS, rankInputs)
        .filter(run -> version.equals(config(run).get(RANKED_VERSION)))
        .map(WeeklyReuse::rowCounts);
  }

  /**
   * The backtest's metrics as gold holds them, if it is kept; with the beyond-accuracy metrics
   * written beside them when their run measured them from the same {@code beyondInputs} ({@link
   * BeyondWeek#inputs}).
   */
  public Optional<Backtest.Recorded> backtest(WeekRecipe recipe, String beyondInputs) {
    if (force) {
      return Optional.empty();
    }
    return history
        .current(Stage.EVALUATE, recipe.week(), "backtest", recipe.backtest())
        .flatMap(
            run ->
                Backtest.recorded(
                        lake,
                        recipe.week(),
                        recipe.modelVersion(),
                        config(run).getOrDefault(BACKTEST_MODEL, Backtest.FITTED))
                    .map(
                        recorded ->
                            beyondInputs.equals(config(run).get(BEYOND_INPUTS))
                                ? recorded
                                : new Backtest.Recorded(recorded.metrics(), Optional.empty())));
  }

  /**
   * The model W − 7's own run trained, when W's backtest can rank with it instead of fitting the
   * recipe again on the listens before W − 7 days, which is what that run trained on: W − 7's
   * newest registered model has W's matrix and ALS settings and was trained from silver no newer
   * than W's, its snapshot is still the matrix that model was trained on, and the model's files are
   * whole. Empty when forced (a forced week fits everything again).
   */
  public Optional<String> backtestModel(WeekRecipe recipe) {
    if (force) {
      return Optional.empty();
    }
    LocalDate prior = recipe.week().minusDays(7);
    List<ModelRegistry.Entry> trained = registry.week(prior);
    return trained.stream()
        .reduce((older, newer) -> newer)
        .filter(model -> sameSetting(model, recipe, "matrix") && sameSetting(model, recipe, "als"))
        .filter(model -> noNewerSilver(model.trained().inputVersions(), recipe))
        .map(ModelRegistry.Entry::modelVersion)
        .filter(
            version ->
                history.current(Stage.SNAPSHOT, prior, "model_version", version).isPresent()
                    && models.exists(prior, version));
  }

  private static boolean sameSetting(ModelRegistry.Entry model, WeekRecipe recipe, String key) {
    return recipe.config().get(key).equals(model.trained().recipe().get(key));
  }

  /** Whether a run read silver at versions no newer than the ones W's recipe pins. */
  private static boolean noNewerSilver(Map<String, Long> read, WeekRecipe recipe) {
    for (String table : List.of(SILVER_LISTENS.sqlName(), SILVER_FEEDBACK.sqlName())) {
      Long version = read.get(table);
      if (version != null && version > recipe.inputs().getOrDefault(table, -1L)) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, String> config(Row run) {
    int config = run.fieldIndex("config");
    return run.isNullAt(config) ? Map.of() : run.getJavaMap(config);
  }

  private static Map<String, Long> rowCounts(Row run) {
    return run.getJavaMap(run.fieldIndex("row_counts"));
  }
}
