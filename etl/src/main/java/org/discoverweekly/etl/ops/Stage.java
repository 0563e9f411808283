package org.discoverweekly.etl.ops;

/**
 * The stage names the run ledger records in {@code ops.pipeline_runs.stage}, written once: the
 * stages that record a run and the readers that look for it (reuse, served history, data quality,
 * the run report) name them from here.
 */
public final class Stage {

  private Stage() {}

  public static final String INGEST = "ingest";
  public static final String SILVER = "silver";

  /** Acknowledgement of an anomalous arrival date ({@code ack}). */
  public static final String ACK = "ack";

  // weekly's steps, in the order it runs them
  public static final String SNAPSHOT = "snapshot";
  public static final String TRAIN = "train";
  public static final String RANK = "rank";

  /** The backtest, in weekly and in the evaluate verb. */
  public static final String EVALUATE = "evaluate";

  public static final String GATE = "gate";
  public static final String CHALLENGER = "challenger";

  public static final String TUNE = "tune";
  public static final String PUBLISH = "publish";
  public static final String ROLLBACK = "rollback";
  public static final String MAINTAIN = "maintain";

  /** One week of {@code run} or {@code backfill}, its stages in turn. */
  public static final String RUN = "run";
}
