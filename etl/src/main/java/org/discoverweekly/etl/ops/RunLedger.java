package org.discoverweekly.etl.ops;

import static org.discoverweekly.etl.lake.Table.OPS_PIPELINE_RUNS;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.discoverweekly.etl.BuildInfo;
import org.discoverweekly.etl.lake.Lake;

/** Appends one {@code ops.pipeline_runs} row per stage run, whether it succeeded or failed. */
public final class RunLedger {

  private final Lake lake;
  private final Clock clock;

  public RunLedger(Lake lake, Clock clock) {
    this.lake = lake;
    this.clock = clock;
  }

  /** Runs a daily stage for one arrival date and records it. */
  public StageOutcome trackDate(String stage, LocalDate date, Supplier<StageOutcome> body) {
    return track(stage, date, null, body);
  }

  /** Runs a weekly stage for one Monday and records it. */
  public StageOutcome trackWeek(String stage, LocalDate week, Supplier<StageOutcome> body) {
    return track(stage, null, week, body);
  }

  private StageOutcome track(
      String stage, LocalDate date, LocalDate week, Supplier<StageOutcome> body) {
    Instant started = clock.instant();
    StageOutcome outcome;
    try {
      outcome = body.get();
    } catch (RuntimeException e) {
      append(stage, date, week, "failed", started, new StageOutcome(Map.of(), Map.of()), e);
      throw e;
    }
    append(stage, date, week, "succeeded", started, outcome, null);
    return outcome;
  }

  private void append(
      String stage,
      LocalDate date,
      LocalDate week,
      String status,
      Instant started,
      StageOutcome outcome,
      RuntimeException failure) {
    Instant finished = clock.instant();
    Row run =
        RowFactory.create(
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
            failure == null ? null : String.valueOf(failure.getMessage()),
            BuildInfo.version());
    lake.ensure(OPS_PIPELINE_RUNS);
    // A ledger: every run is a new fact with a fresh run_id, so appending cannot duplicate one.
    lake.spark()
        .createDataFrame(List.of(run), OPS_PIPELINE_RUNS.schema())
        .write()
        .format("delta")
        .mode("append")
        .save(lake.path(OPS_PIPELINE_RUNS));
  }
}
