package org.discoverweekly.etl.ops;

import java.util.function.Supplier;

/**
 * A step of a stage with its decisions taken: the name it is recorded under in {@code
 * ops.pipeline_runs} and the body whose {@link StageOutcome} the runner records.
 */
public record Step(String stage, Supplier<StageOutcome> body) {}
