package org.discoverweekly.etl.ops;

import java.util.Map;

/**
 * What a stage run read and produced, for the run ledger: input versions, row counts, the config
 * values that shaped it, and its status with an optional message.
 */
public record StageOutcome(
    Map<String, Long> inputVersions,
    Map<String, Long> rowCounts,
    Map<String, String> config,
    String status,
    String message) {

  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String REUSED = "reused";
  public static final String ACCEPTED = "accepted";
  public static final String REJECTED = "rejected";

  /** Silver's status of an arrival date whose data broke an anomaly rule (it was still built). */
  public static final String ANOMALOUS = "anomalous";

  /** The status of an acknowledgement of an anomalous date ({@code ack}). */
  public static final String ACKNOWLEDGED = "acknowledged";

  static final StageOutcome EMPTY = new StageOutcome(Map.of(), Map.of());

  public StageOutcome {
    inputVersions = Map.copyOf(inputVersions);
    rowCounts = Map.copyOf(rowCounts);
    config = Map.copyOf(config);
  }

  /** The same outcome with {@code more} row counts beside its own. */
  public StageOutcome withCounts(Map<String, Long> more) {
    Map<String, Long> counts = new java.util.TreeMap<>(rowCounts);
    counts.putAll(more);
    return new StageOutcome(inputVersions, counts, config, status, message);
  }

  /** The same outcome with another status and message. */
  public StageOutcome withStatus(String status, String message) {
    return new StageOutcome(inputVersions, rowCounts, config, status, message);
  }

  public StageOutcome(Map<String, Long> inputVersions, Map<String, Long> rowCounts) {
    this(inputVersions, rowCounts, Map.of(), SUCCEEDED, null);
  }
}
