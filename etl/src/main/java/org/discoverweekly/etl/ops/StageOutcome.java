package org.discoverweekly.etl.ops;

import java.util.Map;

/** What a stage run read and produced, for the run ledger. */
public record StageOutcome(Map<String, Long> inputVersions, Map<String, Long> rowCounts) {

  static final StageOutcome EMPTY = new StageOutcome(Map.of(), Map.of());

  public StageOutcome {
    inputVersions = Map.copyOf(inputVersions);
    rowCounts = Map.copyOf(rowCounts);
  }
}
