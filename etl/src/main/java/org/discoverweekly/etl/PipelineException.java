package org.discoverweekly.etl;

/**
 * A failure the user can act on, reported as one line: bad input, a missing folder, a broken
 * invariant. Anything else is a bug and is reported with the log.
 */
public class PipelineException extends RuntimeException {

  public PipelineException(String message) {
    super(message);
  }

  public PipelineException(String message, Throwable cause) {
    super(message, cause);
  }
}
