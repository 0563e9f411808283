package org.discoverweekly.etl.gold;

import static org.discoverweekly.etl.ops.Hashes.sha256;
import static org.discoverweekly.etl.storage.Table.GOLD_USER_TRACK_MATRIX;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.ops.FaultPoint;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.ops.RunLedger;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.models.ImplicitAls;
import org.discoverweekly.models.QualityGate;

/**
 * Week W end to end: the matrix snapshot, the ALS model, the ranked playlists in {@code
 * gold.discover_weekly}, the backtest in {@code gold.model_metrics} and the quality gate's verdict,
 * each step recorded in {@code ops.pipeline_runs}. Snapshot and model are reused when their inputs
 * and config are unchanged since they were last built, unless forced.
 */
public final class WeeklyRecommendations {

  /** Fault point: W's playlists are in gold, its backtest and gate verdict are not recorded. */
  public static final String RANKED = "weekly.ranked";

  private final Lake lake;
  private final RunLedger ledger;
  private final WeeklySettings settings;

  public WeeklyRecommendations(Lake lake, RunLedger ledger, WeeklySettings settings) {
    this.lake = lake;
    this.ledger = ledger;
    this.settings = settings;
  }

  /** What the run did, step by step, and the gate's verdict. */
  public record Result(
      String modelVersion,
      boolean snapshotReused,
      boolean modelReused,
      Map<String, Long> snapshot,
      Map<String, Long> playlists,
      Backtest.Result metrics,
      QualityGate.Verdict verdict) {}

  public Result run(LocalDate week, boolean force) {
    return run(week, force, inputs());
  }

  /**
   * Builds W from silver as of {@code inputs} (versions by table name, as a run recorded them in
   * {@code ops.pipeline_runs.input_versions}): every step reads that snapshot of silver, by Delta
   * time travel when it is not the current one.
   */
  public Result run(LocalDate week, boolean force, Map<String, Long> inputs) {
    Map<String, Long> silver = new TreeMap<>();
    silver.put(SILVER_LISTENS.sqlName(), inputs.get(SILVER_LISTENS.sqlName()));
    silver.put(SILVER_TRACKS.sqlName(), inputs.getOrDefault(SILVER_TRACKS.sqlName(), -1L));
    return new WeeklyRecommendations(lake.pinnedTo(silver), ledger, settings)
        .runPinned(week, force, silver);
  }

  private Result runPinned(LocalDate week, boolean force, Map<String, Long> inputs) {
    setCheckpointDir();
    String modelVersion = modelVersion(week, inputs);
    Map<String, String> config = config(modelVersion);

    Optional<Row> currentSnapshot =
        force ? Optional.empty() : ledger.current("snapshot", week, "model_version", modelVersion);
    boolean snapshotReused = currentSnapshot.isPresent();
    StageOutcome snapshot =
        ledger.trackWeek(
            "snapshot",
            week,
            () ->
                snapshotReused
                    ? reused(inputs, rowCounts(currentSnapshot.get()), config)
                    : new StageOutcome(
                        inputs,
                        new BuildSnapshot(lake, settings.matrix()).run(week),
                        config,
                        StageOutcome.SUCCEEDED,
                        null));

    String modelPath = lake.modelPath(week, modelVersion);
    boolean modelReused =
        snapshotReused
            && ledger.current("train", week, "model_version", modelVersion).isPresent()
            && exists(modelPath);
    Map<String, Long> trainInputs = new TreeMap<>(inputs);
    trainInputs.put(GOLD_USER_TRACK_MATRIX.sqlName(), lake.version(GOLD_USER_TRACK_MATRIX));
    ALSModel[] model = new ALSModel[1];
    ledger.trackWeek(
        "train",
        week,
        () -> {
          if (modelReused) {
            model[0] = ALSModel.load(modelPath);
            return reused(trainInputs, Map.of(), config);
          }
          model[0] = train(week, modelPath, trainInputs, config);
          return new StageOutcome(trainInputs, Map.of(), config, StageOutcome.SUCCEEDED, null);
        });

    StageOutcome ranked =
        ledger.trackWeek(
            "rank",
            week,
            () ->
                new StageOutcome(
                    trainInputs,
                    new RankWeek(lake, settings).run(week, model[0], modelVersion),
                    config,
                    StageOutcome.SUCCEEDED,
                    null));

    FaultPoint.reached(RANKED, week);
    Backtest.Result metrics = evaluate(week, inputs, modelVersion, config, force);
    QualityGate.Verdict verdict = judge(week, metrics);
    ledger.trackWeek(
        "gate",
        week,
        () ->
            new StageOutcome(
                inputs,
                Map.of(),
                config,
                verdict.accepted() ? StageOutcome.ACCEPTED : StageOutcome.REJECTED,
                verdict.reason()));
    return new Result(
        modelVersion,
        snapshotReused,
        modelReused,
        snapshot.rowCounts(),
        ranked.rowCounts(),
        metrics,
        verdict);
  }

  /**
   * The backtest of W alone ({@code evaluate}), recorded like the weekly run's step: reused when
   * its recipe is unchanged, unless {@code force}.
   */
  public Backtest.Result evaluate(LocalDate week, boolean force) {
    Map<String, Long> inputs = inputs();
    String modelVersion = modelVersion(week, inputs);
    setCheckpointDir();
    return new WeeklyRecommendations(lake.pinnedTo(inputs), ledger, settings)
        .evaluate(week, inputs, modelVersion, config(modelVersion), force);
  }

  /**
   * Where ALS checkpoints its long lineages, for the week's model and the backtest's alike: without
   * a folder ALS skips its checkpoints, and a deep lineage overflows a task's stack.
   */
  private void setCheckpointDir() {
    lake.spark()
        .sparkContext()
        .setCheckpointDir(
            settings.checkpointDir().isEmpty() ? lake.checkpointPath() : settings.checkpointDir());
  }

  /**
   * W's backtest, reused unless forced when the last one was built from the same recipe and its
   * metrics are in gold: the model version (silver and the model settings), the catalog's version
   * and the playlist and sample settings.
   */
  private Backtest.Result evaluate(
      LocalDate week,
      Map<String, Long> inputs,
      String modelVersion,
      Map<String, String> config,
      boolean force) {
    String recipe =
        sha256(
                modelVersion
                    + "|"
                    + inputs.get(SILVER_TRACKS.sqlName())
                    + "|"
                    + settings.playlists()
                    + "|"
                    + settings.evaluateUsers())
            .substring(0, 12);
    Map<String, String> evaluateConfig = new TreeMap<>(config);
    evaluateConfig.put("backtest", recipe);
    Optional<Backtest.Result> recorded =
        force || ledger.current("evaluate", week, "backtest", recipe).isEmpty()
            ? Optional.empty()
            : Backtest.recorded(lake, week, modelVersion);
    Backtest.Result[] metrics = new Backtest.Result[1];
    ledger.trackWeek(
        "evaluate",
        week,
        () -> {
          metrics[0] =
              recorded.orElseGet(() -> new Backtest(lake, settings).run(week, modelVersion));
          Map<String, Long> counts = Map.of("users", metrics[0].als().users());
          return recorded.isPresent()
              ? reused(inputs, counts, evaluateConfig)
              : new StageOutcome(inputs, counts, evaluateConfig, StageOutcome.SUCCEEDED, null);
        });
    return metrics[0];
  }

  /** The gate's verdict on W's backtest, against the last week it accepted. */
  public QualityGate.Verdict judge(LocalDate week, Backtest.Result metrics) {
    Optional<LocalDate> lastAccepted = ledger.lastAcceptedBefore(week);
    OptionalDouble lastNdcg =
        lastAccepted.isPresent()
            ? Backtest.alsNdcg(lake, lastAccepted.get())
            : OptionalDouble.empty();
    return QualityGate.judge(metrics.als(), metrics.popularity(), lastNdcg, settings.gate());
  }

  /** The versions of the silver tables a week reads; silver.listens must exist. */
  private Map<String, Long> inputs() {
    Map<String, Long> inputs = lake.versions(SILVER_LISTENS, SILVER_TRACKS);
    if (inputs.get(SILVER_LISTENS.sqlName()) < 0) {
      throw new PipelineException("silver.listens does not exist yet: run ingest and silver first");
    }
    return inputs;
  }

  /**
   * {@code als-W-<hash>}: the hash covers silver's version and every setting that shapes the model,
   * so a changed input or setting is a new model.
   */
  private String modelVersion(LocalDate week, Map<String, Long> inputs) {
    String recipe =
        week
            + "|"
            + inputs.get(SILVER_LISTENS.sqlName())
            + "|"
            + settings.matrix()
            + "|"
            + settings.als();
    return "als-" + week + "-" + sha256(recipe).substring(0, 12);
  }

  private Map<String, String> config(String modelVersion) {
    Map<String, String> config = new TreeMap<>(Hashes.withHash(settings.asMap()));
    config.put("model_version", modelVersion);
    return config;
  }

  private ALSModel train(
      LocalDate week, String modelPath, Map<String, Long> inputs, Map<String, String> config) {
    ALSModel model = ImplicitAls.fit(BuildSnapshot.read(lake, week), settings.als());
    try {
      model.write().overwrite().save(modelPath);
      Map<String, Object> info = new LinkedHashMap<>();
      info.put("week", week.toString());
      info.put("config", config);
      info.put("input_versions", inputs);
      Path file = new Path(modelPath, "discover-weekly-model.json");
      FileSystem fs = file.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
      try (OutputStream out = fs.create(file, true)) {
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(out, info);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot save the model to " + modelPath, e);
    }
    return model;
  }

  private static Map<String, Long> rowCounts(Row run) {
    return run.getJavaMap(run.fieldIndex("row_counts"));
  }

  private static StageOutcome reused(
      Map<String, Long> inputs, Map<String, Long> counts, Map<String, String> config) {
    return new StageOutcome(inputs, counts, config, StageOutcome.REUSED, null);
  }

  private boolean exists(String path) {
    try {
      Path metadata = new Path(path, "metadata");
      return metadata
          .getFileSystem(lake.spark().sparkContext().hadoopConfiguration())
          .exists(metadata);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot look for the model at " + path, e);
    }
  }
}
