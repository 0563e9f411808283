package org.discoverweekly.etl.gold;

import static org.discoverweekly.etl.storage.Table.OPS_PIPELINE_RUNS;
import static org.discoverweekly.etl.storage.Table.SILVER_FEEDBACK;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;

import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.ops.ModelRegistry;
import org.discoverweekly.etl.ops.RunHistory;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.models.QualityGate;

/**
 * Week W's {@link WeeklyPlan}: the matrix snapshot, the ALS model, the ranked playlists in {@code
 * gold.discover_weekly}, the backtest in {@code gold.model_metrics} and the quality gate's verdict,
 * over silver pinned to one recipe; snapshot, model and backtest are reused by {@link WeeklyReuse}
 * unless forced. The model's life (trained, judged) is recorded in the {@link ModelRegistry}.
 */
public final class WeeklyRecommendations {

  /** Fault point: W's playlists are in gold, its backtest and gate verdict are not recorded. */
  public static final String RANKED = "weekly.ranked";

  private final Lake lake;
  private final RunHistory history;
  private final WeeklySettings settings;
  private final ModelRegistry registry;

  public WeeklyRecommendations(
      Lake lake, RunHistory history, WeeklySettings settings, ModelRegistry registry) {
    this.lake = lake;
    this.history = history;
    this.settings = settings;
    this.registry = registry;
  }

  /**
   * What the run did, step by step, and the gate's verdict, of the model W's playlists are ranked
   * with: the week's own, or a challenger that won.
   */
  public record Result(
      String modelVersion,
      boolean snapshotReused,
      boolean modelReused,
      boolean rankReused,
      Map<String, Long> snapshot,
      Map<String, Long> playlists,
      Backtest.Result metrics,
      BeyondWeek.Result beyond,
      QualityGate.Verdict verdict,
      Optional<ChallengerResult> challenger) {}

  /** A challenger's backtest, whether it was served instead of the week's model, and why. */
  public record ChallengerResult(
      String modelVersion, Backtest.Result metrics, boolean served, String reason) {}

  /** W's plan from the current silver. */
  public WeeklyPlan plan(LocalDate week, boolean force) {
    return plan(week, force, inputs(), Optional.empty());
  }

  /** W's plan from the current silver, with a challenger run with {@code challenger}'s settings. */
  public WeeklyPlan plan(LocalDate week, boolean force, Optional<WeeklySettings> challenger) {
    return plan(week, force, inputs(), challenger);
  }

  /**
   * W's plan from silver as of {@code inputs} (versions by table name, as a run recorded them in
   * {@code ops.pipeline_runs.input_versions}): every step reads that snapshot of silver, by Delta
   * time travel when it is not the current one.
   */
  public WeeklyPlan plan(
      LocalDate week,
      boolean force,
      Map<String, Long> inputs,
      Optional<WeeklySettings> challenger) {
    WeekRecipe recipe = WeekRecipe.of(week, inputs, settings);
    Lake pinned = lake.pinnedTo(recipe.inputs());
    useCheckpointDir(lake, settings);
    ModelStore models = new ModelStore(pinned);
    return new WeeklyPlan(
        pinned,
        settings,
        recipe,
        new WeeklyReuse(pinned, history, models, registry, force),
        models,
        registry,
        this,
        challenger.map(
            theirs ->
                new WeeklyPlan.Challenger(theirs, WeekRecipe.challenger(week, inputs, theirs))));
  }

  /**
   * Where ALS checkpoints its long lineages, for the week's model and the backtest's alike: without
   * a folder ALS skips its checkpoints, and a deep lineage overflows a task's stack.
   */
  static void useCheckpointDir(Lake lake, WeeklySettings settings) {
    lake.spark()
        .sparkContext()
        .setCheckpointDir(
            settings.checkpointDir().isEmpty() ? lake.checkpointPath() : settings.checkpointDir());
  }

  /** The gate's verdict on W's backtest, against the model of the last week it accepted. */
  public QualityGate.Verdict judge(LocalDate week, Backtest.Result metrics) {
    OptionalDouble lastNdcg =
        registry
            .lastAcceptedBefore(week)
            .map(accepted -> OptionalDouble.of(accepted.backtested().ndcg()))
            .orElse(OptionalDouble.empty());
    return QualityGate.judge(metrics.als(), metrics.popularity(), lastNdcg, settings.gate());
  }

  /** The versions of the tables a week reads, silver and the ledger; silver.listens must exist. */
  private Map<String, Long> inputs() {
    Map<String, Long> inputs =
        lake.versions(SILVER_LISTENS, SILVER_TRACKS, SILVER_FEEDBACK, OPS_PIPELINE_RUNS);
    if (inputs.get(SILVER_LISTENS.sqlName()) < 0) {
      throw new PipelineException("silver.listens does not exist yet: run ingest and silver first");
    }
    return inputs;
  }
}
