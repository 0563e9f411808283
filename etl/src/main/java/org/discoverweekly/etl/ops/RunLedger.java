package org.discoverweekly.etl.ops;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.discoverweekly.etl.storage.Table.OPS_PIPELINE_RUNS;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.discoverweekly.etl.BuildInfo;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.storage.Lake;

/**
 * Appends {@code ops.pipeline_runs} rows for stage runs, whether they succeeded or failed: one row
 * per arrival date for daily stages (which may process several dates in one pass), one per week for
 * weekly stages.
 */
public final class RunLedger {

  private final Lake lake;
  private final Clock clock;

  public RunLedger(Lake lake, Clock clock) {
    this.lake = lake;
    this.clock = clock;
  }

  /** Runs a daily stage over arrival dates and records one row per date. */
  public SortedMap<LocalDate, StageOutcome> trackDates(
      String stage, List<LocalDate> dates, Supplier<SortedMap<LocalDate, StageOutcome>> body) {
    Instant started = clock.instant();
    SortedMap<LocalDate, StageOutcome> outcomes;
    try {
      outcomes = body.get();
    } catch (RuntimeException e) {
      List<Row> failed = new ArrayList<>();
      for (LocalDate date : dates) {
        failed.add(row(stage, date, null, StageOutcome.FAILED, started, StageOutcome.EMPTY, e));
      }
      append(failed);
      throw e;
    }
    List<Row> succeeded = new ArrayList<>();
    outcomes.forEach(
        (date, outcome) ->
            succeeded.add(row(stage, date, null, outcome.status(), started, outcome, null)));
    append(succeeded);
    return outcomes;
  }

  /** Runs a weekly stage for one Monday and records it. */
  public StageOutcome trackWeek(String stage, LocalDate week, Supplier<StageOutcome> body) {
    return track(stage, week, body);
  }

  /** Runs a stage about the whole lake (no date, no week), such as maintain, and records it. */
  public StageOutcome trackLake(String stage, Supplier<StageOutcome> body) {
    return track(stage, null, body);
  }

  private StageOutcome track(String stage, LocalDate week, Supplier<StageOutcome> body) {
    Instant started = clock.instant();
    StageOutcome outcome;
    try {
      outcome = body.get();
    } catch (RuntimeException e) {
      append(List.of(row(stage, null, week, StageOutcome.FAILED, started, StageOutcome.EMPTY, e)));
      throw e;
    }
    append(List.of(row(stage, null, week, outcome.status(), started, outcome, null)));
    return outcome;
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

  /** The latest week before {@code week} whose gate accepted it, if any. */
  public Optional<LocalDate> lastAcceptedBefore(LocalDate week) {
    if (!lake.exists(OPS_PIPELINE_RUNS)) {
      return Optional.empty();
    }
    // A week counts by its latest gate verdict: a rerun that was rejected withdraws it.
    List<Row> verdicts =
        lake.read(OPS_PIPELINE_RUNS)
            .filter(col("stage").equalTo("gate"))
            .filter(col("week").lt(lit(Date.valueOf(week))))
            .orderBy(col("week").desc(), col("finished_at").desc())
            .select("week", "status")
            .collectAsList();
    LocalDate seen = null;
    for (Row verdict : verdicts) {
      LocalDate verdictWeek = verdict.getDate(0).toLocalDate();
      if (verdictWeek.equals(seen)) {
        continue;
      }
      seen = verdictWeek;
      if (StageOutcome.ACCEPTED.equals(verdict.getString(1))) {
        return Optional.of(verdictWeek);
      }
    }
    return Optional.empty();
  }

  private Row row(
      String stage,
      LocalDate date,
      LocalDate week,
      String status,
      Instant started,
      StageOutcome outcome,
      RuntimeException failure) {
    Instant finished = clock.instant();
    return RowFactory.create(
        UUID.randomUUID().toString(),
        stage,
        date == null ? null : Date.valueOf(date),
        week == null ? null : Date.valueOf(week),
        status,
        Timestamp.from(started),
        Timestamp.from(finished),
        finished.toEpochMilli() - started.toEpochMilli(),
        outcome.inputVersions(),
        outcome.rowCounts(),
        failure == null ? outcome.message() : String.valueOf(failure.getMessage()),
        BuildInfo.version(),
        outcome.config().isEmpty() ? null : outcome.config());
  }

  private void append(List<Row> runs) {
    lake.ensure(OPS_PIPELINE_RUNS);
    // A ledger: every run is a new fact with a fresh run_id, so appending cannot duplicate one.
    lake.spark()
        .createDataFrame(runs, OPS_PIPELINE_RUNS.schema())
        .write()
        .format("delta")
        .mode("append")
        // Lakes written before a column was added to the ledger take it on the next run.
        .option("mergeSchema", "true")
        .save(lake.path(OPS_PIPELINE_RUNS));
  }
}
