package org.discoverweekly.etl.quality;

import org.discoverweekly.etl.PipelineException;

/**
 * Arrival dates whose data broke an anomaly rule, with {@code quality.on-anomaly = fail}: silver
 * recorded them as anomalous, or weekly refused a window holding them unacknowledged. The CLI exits
 * with a code of its own for it, so a scheduler can tell bad data from a failed run.
 */
public final class DataAnomalyException extends PipelineException {

  public DataAnomalyException(String message) {
    super(message);
  }
}
