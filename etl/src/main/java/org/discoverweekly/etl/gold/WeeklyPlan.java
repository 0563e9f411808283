package org.discoverweekly.etl.gold;

import static org.discoverweekly.etl.storage.Table.GOLD_DISCOVER_WEEKLY;
import static org.discoverweekly.etl.storage.Table.GOLD_USER_TRACK_MATRIX;
import static org.discoverweekly.etl.storage.Table.OPS_PIPELINE_RUNS;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.spark.ml.recommendation.ALSModel;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.ops.FaultPoint;
import org.discoverweekly.etl.ops.ModelRegistry;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.ops.Step;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.models.ImplicitAls;
import org.discoverweekly.models.QualityGate;

/**
 * Week W's steps in order, snapshot, train, rank, evaluate (the backtest), the challenger's step
 * when there is one, and gate, over silver pinned to the recipe's versions; once a runner has run
 * and recorded them, W's {@link WeeklyRecommendations.Result}.
 */
public final class WeeklyPlan {

  private final Lake lake;
  private final WeeklySettings settings;
  private final WeekRecipe recipe;
  private final WeeklyReuse reuse;
  private final ModelStore models;
  private final ModelRegistry registry;
  private final WeeklyRecommendations gate;
  private final Optional<Challenger> challenger;

  private boolean snapshotReused;
  private Map<String, Long> snapshot;
  private boolean modelReused;
  private boolean rankReused;
  private Map<String, Long> trainInputs;
  private ALSModel model;
  private Map<String, Long> playlists;
  private Backtest.Result metrics;
  private BeyondWeek.Result beyond;
  private QualityGate.Verdict verdict;
  private Map<LocalDate, Long> servedWeeks;
  private String rankInputs;
  private Backtest.Result challengerMetrics;
  private BeyondWeek.Result challengerBeyond;
  private QualityGate.Verdict challenge;
  private QualityGate.Verdict challengerVerdict;

  /**
   * A challenger of the week's model ({@code weekly --challenger}): its settings, which differ from
   * the champion's only in ALS and ranking keys, and its recipe ({@link WeekRecipe#challenger}).
   */
  public record Challenger(WeeklySettings settings, WeekRecipe recipe) {}

  WeeklyPlan(
      Lake lake,
      WeeklySettings settings,
      WeekRecipe recipe,
      WeeklyReuse reuse,
      ModelStore models,
      ModelRegistry registry,
      WeeklyRecommendations gate,
      Optional<Challenger> challenger) {
    this.lake = lake;
    this.settings = settings;
    this.recipe = recipe;
    this.reuse = reuse;
    this.models = models;
    this.registry = registry;
    this.gate = gate;
    this.challenger = challenger;
  }

  /**
   * The five steps: each supplier takes the step's decisions (what to reuse, the gate's verdict)
   * before the runner starts its clock, and the step's body writes.
   */
  public List<Supplier<Step>> steps() {
    List<Supplier<Step>> steps = new ArrayList<>();
    steps.add(this::snapshot);
    steps.add(this::train);
    steps.add(this::rank);
    steps.add(
        () -> {
          FaultPoint.reached(WeeklyRecommendations.RANKED, recipe.week());
          return evaluate();
        });
    if (challenger.isPresent()) {
      steps.add(this::challenge);
    }
    steps.add(this::gate);
    return steps;
  }

  public WeekRecipe recipe() {
    return recipe;
  }

  /** {@code gold.user_track_matrix} for W, or the counts its current build recorded. */
  Step snapshot() {
    Optional<Map<String, Long>> recorded = reuse.snapshot(recipe);
    snapshotReused = recorded.isPresent();
    return new Step(
        Stage.SNAPSHOT,
        () -> {
          StageOutcome outcome =
              recorded.isPresent()
                  ? reused(recipe.inputs(), recorded.get(), recipe.config())
                  : succeeded(
                      recipe.inputs(),
                      new BuildSnapshot(lake, settings.matrix()).run(recipe.week()),
                      recipe.config());
          snapshot = outcome.rowCounts();
          return outcome;
        });
  }

  /**
   * The ALS model of W's matrix, saved in the lake and registered in {@code ops.models} as a
   * candidate, or the registered one; a model trained again leaves the registry until it is saved
   * whole.
   */
  Step train() {
    modelReused = reuse.model(recipe, snapshotReused);
    trainInputs = new TreeMap<>(recipe.inputs());
    trainInputs.put(GOLD_USER_TRACK_MATRIX.sqlName(), lake.version(GOLD_USER_TRACK_MATRIX));
    return new Step(
        Stage.TRAIN,
        () -> {
          if (modelReused) {
            // Loaded when the rank step ranks with it.
            return reused(trainInputs, Map.of(), recipe.config());
          }
          model = fitAndRegister(recipe, settings.als());
          return succeeded(trainInputs, Map.of(), recipe.config());
        });
  }

  /**
   * {@code fitted}'s model: {@code als} fitted on W's matrix, saved in the lake and registered as a
   * candidate; a registered model of the same version leaves the registry first, until this one is
   * saved whole.
   */
  private ALSModel fitAndRegister(WeekRecipe fitted, ImplicitAls.Settings als) {
    LocalDate week = fitted.week();
    String version = fitted.modelVersion();
    registry.discard(week, version);
    ALSModel fit = ImplicitAls.fit(BuildSnapshot.read(lake, week), als);
    models.save(fit, week, version, fitted.config(), trainInputs);
    registry.trained(week, version, fitted.config(), trainInputs, Lake.modelFolder(week, version));
    return fit;
  }

  /**
   * {@code gold.discover_weekly} for W, ranked by the trained model, or the playlists its latest
   * ranking wrote from the same inputs; the step's config records the digest of those inputs and
   * the table's version after it.
   */
  Step rank() {
    RankWeek ranking = new RankWeek(lake, settings, servedWeeks());
    String rankInputs = rankInputs();
    Optional<Map<String, Long>> recorded = reuse.rank(recipe, modelReused, rankInputs);
    rankReused = recorded.isPresent();
    return new Step(
        Stage.RANK,
        () -> {
          playlists =
              recorded.orElseGet(() -> ranking.run(recipe.week(), model(), recipe.modelVersion()));
          Map<String, String> config = new TreeMap<>(recipe.config());
          config.put(WeeklyReuse.RANK_INPUTS, rankInputs);
          config.put(
              WeeklyReuse.RANKED_VERSION, String.valueOf(lake.latestVersion(GOLD_DISCOVER_WEEKLY)));
          return rankReused
              ? reused(trainInputs, playlists, config)
              : succeeded(trainInputs, playlists, config);
        });
  }

  /**
   * The weeks served before W with the gold version each publish read, as the pinned ledger records
   * them, read once for the ranking, its digest and the beyond metrics: as many as the memory
   * remembers, and at least the last one.
   */
  private Map<LocalDate, Long> servedWeeks() {
    if (servedWeeks == null) {
      servedWeeks =
          ServedHistory.weeks(
              lake,
              lake.version(OPS_PIPELINE_RUNS),
              recipe.week(),
              BeyondWeek.memoryWeeks(settings));
    }
    return servedWeeks;
  }

  /** What W's ranking reads, as a digest ({@link RankWeek#inputs}), computed once. */
  private String rankInputs() {
    if (rankInputs == null) {
      rankInputs = new RankWeek(lake, settings, servedWeeks()).inputs(recipe);
    }
    return rankInputs;
  }

  /** W's model: the one the train step fitted, or the saved one it kept, loaded once. */
  private ALSModel model() {
    if (model == null) {
      model = models.load(recipe.week(), recipe.modelVersion());
    }
    return model;
  }

  /**
   * W's backtest, ranked with W − 7's own model when its run trained the same recipe, or the
   * metrics recorded for the same recipe, with the beyond-accuracy metrics of W's playlists as they
   * are now (kept when recorded from the same inputs), in {@code gold.model_metrics}; the step's
   * config names the backtest's model and the beyond metrics' inputs.
   */
  public Step evaluate() {
    BeyondWeek beyondWeek = new BeyondWeek(lake, settings, servedWeeks());
    String beyondInputs = beyondWeek.inputs(recipe, rankInputs());
    Optional<Backtest.Recorded> recorded = reuse.backtest(recipe, beyondInputs);
    Optional<String> priorModel =
        recorded.isPresent() ? Optional.empty() : reuse.backtestModel(recipe);
    return new Step(
        Stage.EVALUATE,
        () -> {
          metrics =
              recorded
                  .map(Backtest.Recorded::metrics)
                  .orElseGet(
                      () ->
                          new Backtest(lake, settings)
                              .run(recipe.week(), priorModel.map(this::prior)));
          Optional<BeyondWeek.Result> kept = recorded.flatMap(Backtest.Recorded::beyond);
          beyond = kept.orElseGet(() -> beyondWeek.measure(recipe.week()));
          if (kept.isEmpty()) {
            Backtest.write(lake, recipe.week(), recipe.modelVersion(), metrics, beyond);
          }
          Map<String, Long> counts = Map.of("users", metrics.als().users());
          Map<String, String> config = new TreeMap<>(recipe.evaluateConfig());
          config.put(WeeklyReuse.BACKTEST_MODEL, metrics.model());
          config.put(WeeklyReuse.BEYOND_INPUTS, beyondInputs);
          return recorded.isPresent()
              ? reused(recipe.inputs(), counts, config)
              : succeeded(recipe.inputs(), counts, config);
        });
  }

  /**
   * {@link #evaluate} run on its own ({@code evaluate --week W}): the backtest is also recorded on
   * the registered model, whose verdict stays the gate's.
   */
  public Step evaluateAlone() {
    Step evaluate = evaluate();
    return new Step(
        evaluate.stage(),
        () -> {
          StageOutcome outcome = evaluate.body().get();
          registry.backtested(
              recipe.week(),
              recipe.modelVersion(),
              ModelRegistry.Backtested.of(metrics.als(), metrics.popularity()));
          return outcome;
        });
  }

  /** W − 7's model of {@code version}, saved by its run, and W − 7's matrix it was trained on. */
  private Backtest.PriorModel prior(String version) {
    LocalDate prior = recipe.week().minusDays(7);
    return new Backtest.PriorModel(
        version, models.load(prior, version), BuildSnapshot.read(lake, prior).drop("week"));
  }

  /**
   * The quality gate's verdict on W's backtest, recorded as the step's status and on W's model in
   * the registry.
   */
  Step gate() {
    verdict = gate.judge(recipe.week(), metrics);
    return new Step(
        Stage.GATE,
        () -> {
          LocalDate week = recipe.week();
          ModelRegistry.Verdict ours =
              new ModelRegistry.Verdict(
                  recipe.modelVersion(),
                  ModelRegistry.Backtested.of(metrics.als(), metrics.popularity()),
                  verdict.accepted(),
                  verdict.reason());
          if (challenger.isEmpty()) {
            registry.judged(week, List.of(ours));
            return gateOutcome(recipe, verdict);
          }
          WeekRecipe theirs = challenger.get().recipe();
          ModelRegistry.Verdict challengers =
              new ModelRegistry.Verdict(
                  theirs.modelVersion(),
                  ModelRegistry.Backtested.of(
                      challengerMetrics.als(), challengerMetrics.popularity()),
                  challengerWins(),
                  challengerReason());
          // The loser is judged first: the week's verdict is the one the gate records last.
          if (!challengerWins()) {
            registry.judged(week, List.of(challengers, ours));
            return gateOutcome(recipe, verdict);
          }
          registry.judged(
              week,
              List.of(
                  new ModelRegistry.Verdict(
                      ours.modelVersion(),
                      ours.metrics(),
                      false,
                      "challenger "
                          + theirs.modelVersion()
                          + " served instead: "
                          + challenge.reason()),
                  challengers));
          return gateOutcome(theirs, challengerVerdict);
        });
  }

  private static StageOutcome gateOutcome(WeekRecipe judged, QualityGate.Verdict verdict) {
    return new StageOutcome(
        judged.inputs(),
        Map.of(),
        judged.config(),
        verdict.accepted() ? StageOutcome.ACCEPTED : StageOutcome.REJECTED,
        verdict.reason());
  }

  /**
   * The challenger's step: its model trained on W's snapshot (or the registered one, kept),
   * backtested on the users the champion's backtest scored ({@link Backtest} with the champion's
   * settings for the sample), and, when it beats the champion by {@code
   * weekly.gate.challenger-min-lift} and passes the gate itself, ranked into {@code
   * gold.discover_weekly} instead of the champion's playlists. Its backtest rows go to {@code
   * gold.model_metrics} either way.
   */
  Step challenge() {
    Challenger contender = challenger.orElseThrow();
    WeekRecipe theirs = contender.recipe();
    LocalDate week = recipe.week();
    String version = theirs.modelVersion();
    boolean kept = reuse.model(theirs, snapshotReused);
    return new Step(
        Stage.CHALLENGER,
        () -> {
          ALSModel trained =
              kept
                  ? models.load(week, version)
                  : fitAndRegister(theirs, contender.settings().als());
          challengerMetrics =
              new Backtest(lake, settings, contender.settings()).run(week, Optional.empty());
          challenge =
              QualityGate.challenge(metrics.als(), challengerMetrics.als(), settings.gate());
          challengerVerdict = gate.judge(week, challengerMetrics);
          Map<String, Long> counts = new TreeMap<>();
          counts.put("users", challengerMetrics.als().users());
          if (challengerWins()) {
            playlists =
                new RankWeek(lake, contender.settings(), servedWeeks()).run(week, trained, version);
            challengerBeyond =
                new BeyondWeek(lake, contender.settings(), servedWeeks()).measure(week);
            counts.putAll(playlists);
          }
          Backtest.write(lake, week, version, challengerMetrics, challengerBeyond);
          return new StageOutcome(
              trainInputs, counts, theirs.config(), StageOutcome.SUCCEEDED, challenge.reason());
        });
  }

  /** Why the challenger was served or not: the gate's verdict once it beat the champion. */
  private String challengerReason() {
    return challenge.accepted() ? challengerVerdict.reason() : challenge.reason();
  }

  /** Whether the challenger beat the champion by the lift and passed the gate itself. */
  private boolean challengerWins() {
    return challenge.accepted() && challengerVerdict.accepted();
  }

  /** The backtest's metrics, once the evaluate step has run. */
  public Backtest.Result metrics() {
    return metrics;
  }

  /** The beyond-accuracy metrics, once the evaluate step has run. */
  public BeyondWeek.Result beyond() {
    return beyond;
  }

  /**
   * What the steps did, once they have all run: the served model's backtest and verdict, the
   * challenger's when it won.
   */
  public WeeklyRecommendations.Result result() {
    Optional<WeeklyRecommendations.ChallengerResult> contender =
        challenger.map(
            c ->
                new WeeklyRecommendations.ChallengerResult(
                    c.recipe().modelVersion(),
                    challengerMetrics,
                    challengerWins(),
                    challengerReason()));
    boolean won = contender.map(WeeklyRecommendations.ChallengerResult::served).orElse(false);
    return new WeeklyRecommendations.Result(
        won ? challenger.get().recipe().modelVersion() : recipe.modelVersion(),
        snapshotReused,
        modelReused,
        rankReused && !won,
        snapshot,
        playlists,
        won ? challengerMetrics : metrics,
        won ? challengerBeyond : beyond,
        won ? challengerVerdict : verdict,
        contender);
  }

  private static StageOutcome succeeded(
      Map<String, Long> inputs, Map<String, Long> counts, Map<String, String> config) {
    return new StageOutcome(inputs, counts, config, StageOutcome.SUCCEEDED, null);
  }

  private static StageOutcome reused(
      Map<String, Long> inputs, Map<String, Long> counts, Map<String, String> config) {
    return new StageOutcome(inputs, counts, config, StageOutcome.REUSED, null);
  }
}
