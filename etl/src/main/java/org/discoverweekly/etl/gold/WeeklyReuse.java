package org.discoverweekly.etl.gold;

import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.ops.RunHistory;
import org.discoverweekly.etl.storage.Lake;

/**
 * Which of week W's outputs are kept rather than rebuilt: the snapshot and the model when their
 * latest run was built from the same model version (and the model's files are whole), the backtest
 * when its latest run had the same recipe and its metrics are in gold; nothing when forced.
 */
public final class WeeklyReuse {

  private final Lake lake;
  private final RunHistory history;
  private final ModelStore models;
  private final boolean force;

  public WeeklyReuse(Lake lake, RunHistory history, ModelStore models, boolean force) {
    this.lake = lake;
    this.history = history;
    this.models = models;
    this.force = force;
  }

  /** The row counts the current snapshot recorded, if it is kept. */
  public Optional<Map<String, Long>> snapshot(WeekRecipe recipe) {
    return force
        ? Optional.empty()
        : history
            .current("snapshot", recipe.week(), "model_version", recipe.modelVersion())
            .map(WeeklyReuse::rowCounts);
  }

  /** Whether the model is kept: only with its snapshot, which it was trained on. */
  public boolean model(WeekRecipe recipe, boolean snapshotReused) {
    LocalDate week = recipe.week();
    return snapshotReused
        && history.current("train", week, "model_version", recipe.modelVersion()).isPresent()
        && models.exists(week, recipe.modelVersion());
  }

  /** The backtest's metrics as gold holds them, if it is kept. */
  public Optional<Backtest.Result> backtest(WeekRecipe recipe) {
    return force
            || history.current("evaluate", recipe.week(), "backtest", recipe.backtest()).isEmpty()
        ? Optional.empty()
        : Backtest.recorded(lake, recipe.week(), recipe.modelVersion());
  }

  private static Map<String, Long> rowCounts(Row run) {
    return run.getJavaMap(run.fieldIndex("row_counts"));
  }
}
