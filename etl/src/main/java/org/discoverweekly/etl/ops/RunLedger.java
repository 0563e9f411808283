package org.discoverweekly.etl.ops;

import static org.discoverweekly.etl.storage.Table.OPS_PIPELINE_RUNS;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.discoverweekly.etl.BuildInfo;
import org.discoverweekly.etl.storage.Lake;

/**
 * Appends {@code ops.pipeline_runs} rows for stage runs, whether they succeeded or failed: one row
 * per arrival date for daily stages (which may process several dates in one pass), one per week for
 * weekly stages. Only the runners of stages (the CLI's verbs) write it; stages read it through
 * {@link RunHistory}.
 */
public final class RunLedger {

  private final Lake lake;
  private final Clock clock;
  private final RunHistory history;

  public RunLedger(Lake lake, Clock clock) {
    this.lake = lake;
    this.clock = clock;
    this.history = new RunHistory(lake);
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

  /** Runs a prepared step of a weekly stage for one Monday and records it under its name. */
  public StageOutcome record(LocalDate week, Step step) {
    return track(step.stage(), week, step.body());
  }

  /** What the ledger holds, for the stages that decide by it. */
  public RunHistory history() {
    return history;
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
