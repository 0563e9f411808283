package org.discoverweekly.etl.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.discoverweekly.etl.storage.Table.OPS_PIPELINE_RUNS;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.storage.Lake;

/**
 * Reads of {@code ops.pipeline_runs} that stages decide by (the latest run of a step, the recipe it
 * was built from); it writes nothing. Which model the gate accepted is in {@link ModelRegistry}.
 */
public final class RunHistory {

  private final Lake lake;

  public RunHistory(Lake lake) {
    this.lake = lake;
  }

  /**
   * The latest recorded run of a weekly stage for {@code week} with one of the given statuses, if
   * any.
   */
  public Optional<Row> latest(String stage, LocalDate week, String... statuses) {
    if (!lake.exists(OPS_PIPELINE_RUNS)) {
      return Optional.empty();
    }
    List<Row> runs =
        lake.read(OPS_PIPELINE_RUNS)
            .filter(col("stage").equalTo(stage))
            .filter(col("week").equalTo(lit(Date.valueOf(week))))
            .filter(col("status").isin((Object[]) statuses))
            .orderBy(col("finished_at").desc(), col("run_id"))
            .limit(1)
            .collectAsList();
    return runs.stream().findFirst();
  }

  /**
   * The latest run of a weekly stage for {@code week} (succeeded, reused or failed) if it succeeded
   * or was reused and recorded {@code configKey = value}: the stage's output is current for that
   * recipe. Empty when the latest run failed or was built from another recipe.
   */
  public Optional<Row> current(String stage, LocalDate week, String configKey, String value) {
    return latest(stage, week, StageOutcome.SUCCEEDED, StageOutcome.REUSED, StageOutcome.FAILED)
        .filter(
            run -> {
              int config = run.fieldIndex("config");
              return !StageOutcome.FAILED.equals(run.getString(run.fieldIndex("status")))
                  && !run.isNullAt(config)
                  && value.equals(run.<String, String>getJavaMap(config).get(configKey));
            });
  }

  /**
   * The input versions a recorded run of a weekly step for {@code week} read, to rebuild the week
   * as it was; a one-line error when no such run exists.
   */
  public Map<String, Long> inputsOf(String runId, LocalDate week) {
    List<Row> runs =
        lake.exists(OPS_PIPELINE_RUNS)
            ? lake.read(OPS_PIPELINE_RUNS).filter(col("run_id").equalTo(runId)).collectAsList()
            : List.of();
    if (runs.isEmpty()) {
      throw new PipelineException("no run " + runId + " in ops.pipeline_runs");
    }
    Row run = runs.get(0);
    int weekField = run.fieldIndex("week");
    if (run.isNullAt(weekField) || !run.getDate(weekField).toLocalDate().equals(week)) {
      throw new PipelineException(
          "run "
              + runId
              + " ("
              + run.getString(run.fieldIndex("stage"))
              + ") did not build week "
              + week);
    }
    Map<String, Long> inputs = run.getJavaMap(run.fieldIndex("input_versions"));
    if (!inputs.containsKey("silver.listens")) {
      throw new PipelineException("run " + runId + " recorded no silver.listens version");
    }
    return inputs;
  }
}
