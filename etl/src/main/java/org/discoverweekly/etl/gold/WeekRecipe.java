package org.discoverweekly.etl.gold;

import static org.discoverweekly.etl.ops.Hashes.sha256;
import static org.discoverweekly.etl.storage.Table.OPS_PIPELINE_RUNS;
import static org.discoverweekly.etl.storage.Table.SILVER_FEEDBACK;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;

import java.time.LocalDate;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.ops.Hashes;

/**
 * What week W is built from, as the ledger records it: the silver versions it reads and the
 * ledger's version (the served weeks its ranking remembers), the model version ({@code
 * als-W-<hash>}) and the config map of its steps, and the backtest's recipe; a pure function of the
 * week, the versions and the settings.
 */
public record WeekRecipe(
    LocalDate week,
    Map<String, Long> inputs,
    String modelVersion,
    Map<String, String> config,
    String backtest) {

  public WeekRecipe {
    // Sorted, as the model's JSON note lists them.
    inputs = Collections.unmodifiableSortedMap(new TreeMap<>(inputs));
    config = Collections.unmodifiableSortedMap(new TreeMap<>(config));
  }

  /**
   * The recipe of W from silver as of {@code versions} (by table name, as a run recorded them in
   * {@code ops.pipeline_runs.input_versions}); a missing silver.tracks counts as version -1, and so
   * does a missing ledger (a run recorded before the ranking remembered served weeks: none).
   */
  public static WeekRecipe of(LocalDate week, Map<String, Long> versions, WeeklySettings settings) {
    Map<String, Long> inputs = inputs(versions);
    return of(week, inputs, modelVersion(week, inputs, settings), settings);
  }

  /**
   * The recipe of a challenger of W ({@code weekly --challenger}) from the same versions: its model
   * version also covers the ranking settings, so a challenger that ranks differently with the
   * champion's ALS settings is a model, a registry row and backtest rows of its own.
   */
  public static WeekRecipe challenger(
      LocalDate week, Map<String, Long> versions, WeeklySettings settings) {
    Map<String, Long> inputs = inputs(versions);
    String champion = modelVersion(week, inputs, settings);
    String version =
        "als-"
            + week
            + "-"
            + sha256(champion + "|challenger|" + settings.playlists() + "|" + settings.memory())
                .substring(0, 12);
    return of(week, inputs, version, settings);
  }

  private static WeekRecipe of(
      LocalDate week, Map<String, Long> inputs, String modelVersion, WeeklySettings settings) {
    Map<String, String> config = new TreeMap<>(Hashes.withHash(settings.asMap()));
    config.put("model_version", modelVersion);
    return new WeekRecipe(
        week, inputs, modelVersion, config, backtest(modelVersion, inputs, settings));
  }

  private static Map<String, Long> inputs(Map<String, Long> versions) {
    Map<String, Long> inputs = new TreeMap<>();
    inputs.put(SILVER_LISTENS.sqlName(), versions.get(SILVER_LISTENS.sqlName()));
    inputs.put(SILVER_TRACKS.sqlName(), versions.getOrDefault(SILVER_TRACKS.sqlName(), -1L));
    inputs.put(SILVER_FEEDBACK.sqlName(), versions.getOrDefault(SILVER_FEEDBACK.sqlName(), -1L));
    // The ledger as of the plan: which earlier weeks were served, the ranking's memory.
    inputs.put(
        OPS_PIPELINE_RUNS.sqlName(), versions.getOrDefault(OPS_PIPELINE_RUNS.sqlName(), -1L));
    return inputs;
  }

  /**
   * {@code als-W-<hash>}: the hash covers silver's versions and every setting that shapes the
   * model, so a changed input or setting is a new model. The feedback's version (its likes are
   * streams) is in it once the feed exists, so a lake without feedback keeps its model versions.
   */
  private static String modelVersion(
      LocalDate week, Map<String, Long> inputs, WeeklySettings settings) {
    long feedback = inputs.get(SILVER_FEEDBACK.sqlName());
    String recipe =
        week
            + "|"
            + inputs.get(SILVER_LISTENS.sqlName())
            + "|"
            + settings.matrix()
            + "|"
            + settings.als()
            + (feedback < 0 ? "" : "|feedback=" + feedback);
    return "als-" + week + "-" + sha256(recipe).substring(0, 12);
  }

  /**
   * The backtest's recipe: the model version (silver and the model settings), the catalog's version
   * and the playlist and sample settings.
   */
  private static String backtest(
      String modelVersion, Map<String, Long> inputs, WeeklySettings settings) {
    return sha256(
            modelVersion
                + "|"
                + inputs.get(SILVER_TRACKS.sqlName())
                + "|"
                + settings.playlists()
                + "|"
                + settings.evaluateUsers())
        .substring(0, 12);
  }

  /** The config the evaluate step records: the week's, with the backtest's recipe. */
  public Map<String, String> evaluateConfig() {
    Map<String, String> evaluate = new TreeMap<>(config);
    evaluate.put("backtest", backtest);
    return evaluate;
  }
}
