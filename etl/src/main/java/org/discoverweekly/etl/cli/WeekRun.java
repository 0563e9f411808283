package org.discoverweekly.etl.cli;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig;
import org.discoverweekly.etl.gold.WeeklyRecommendations;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;

/**
 * One week end to end, for {@code run} and {@code backfill}: ingest and silver for the seven
 * arrival dates before W, then weekly (with its gate) and publish. The week is recorded as stage
 * {@code run} with a fingerprint of its landing files and of the config that shapes its output, so
 * a week already done from the same files and config is skipped unless forced. Every stage is
 * idempotent, so a week that died halfway is simply run again.
 */
final class WeekRun {

  static final String SUCCEEDED = "succeeded";
  static final String SKIPPED = "skipped";
  static final String FAILED = "failed";
  static final String NOT_RUN = "not run";

  /** What happened to one week. */
  record Outcome(LocalDate week, String status, double seconds, Long users, String message) {}

  private final Pipeline pipeline;
  private final PrintWriter progress;

  /** Stage details and progress go to {@code progress} (stderr). */
  WeekRun(Pipeline pipeline, PrintWriter progress) {
    this.pipeline = pipeline;
    this.progress = progress;
  }

  /** The arrival dates whose files make week W: W − 7 days to W − 1 day. */
  static List<LocalDate> arrivalDates(LocalDate week) {
    return Stream.iterate(week.minusDays(7), date -> date.plusDays(1)).limit(7).toList();
  }

  Outcome run(LocalDate week, boolean force, String label) {
    long started = System.nanoTime();
    List<LocalDate> dates = arrivalDates(week);
    try {
      String fingerprint = fingerprint(dates);
      Optional<Long> done = force ? Optional.empty() : done(week, fingerprint);
      if (done.isPresent()) {
        progress.println(
            label + " " + week + ": skipped, done before from the same landing files and config");
        return new Outcome(week, SKIPPED, elapsed(started), done.get(), null);
      }
      long[] users = new long[1];
      pipeline
          .ledger()
          .trackWeek(
              Stage.RUN,
              week,
              () -> {
                step(label, week, "ingest", () -> Stages.ingest(pipeline, dates, progress));
                step(label, week, "silver", () -> Stages.silver(pipeline, dates, progress));
                WeeklyRecommendations.Result weekly =
                    step(
                        label,
                        week,
                        "weekly",
                        () -> Stages.weekly(pipeline, week, force, progress));
                if (!weekly.verdict().accepted()) {
                  throw new PipelineException(
                      "rejected by the quality gate, not published: " + weekly.verdict().reason());
                }
                users[0] =
                    step(label, week, "publish", () -> Stages.publish(pipeline, week, progress))
                        .users();
                return new StageOutcome(
                    Map.of(),
                    Map.of("users", users[0]),
                    Map.of("fingerprint", fingerprint, "model_version", weekly.modelVersion()),
                    StageOutcome.SUCCEEDED,
                    null);
              });
      return new Outcome(week, SUCCEEDED, elapsed(started), users[0], null);
    } catch (RuntimeException e) {
      String message = DiscoverWeekly.describe(e);
      progress.println(label + " " + week + ": failed: " + message);
      return new Outcome(week, FAILED, elapsed(started), null, message);
    }
  }

  private <T> T step(String label, LocalDate week, String stage, Supplier<T> body) {
    long started = System.nanoTime();
    progress.println(label + " " + week + ": " + stage + " ...");
    T result = body.get();
    progress.printf("%s %s: %s done in %.1f s%n", label, week, stage, elapsed(started));
    return result;
  }

  private void step(String label, LocalDate week, String stage, Runnable body) {
    step(
        label,
        week,
        stage,
        () -> {
          body.run();
          return null;
        });
  }

  /** The users published when W's latest run succeeded from the same fingerprint. */
  private Optional<Long> done(LocalDate week, String fingerprint) {
    return pipeline
        .ledger()
        .history()
        .current(Stage.RUN, week, "fingerprint", fingerprint)
        .map(run -> run.<String, Long>getJavaMap(run.fieldIndex("row_counts")))
        .map(counts -> counts.getOrDefault("users", 0L));
  }

  /** The landing files of the dates and every setting that shapes what the week publishes. */
  private String fingerprint(List<LocalDate> dates) {
    PipelineConfig config = pipeline.config();
    Map<String, String> recipe = new TreeMap<>(config.weekly().asMap());
    recipe.put("landing", pipeline.landing().fingerprint(dates));
    recipe.put("listens", config.listens().toString());
    recipe.put(
        "cassandra",
        config.cassandra().hosts()
            + ":"
            + config.cassandra().port()
            + "/"
            + config.cassandra().keyspace()
            + " ttl "
            + config.cassandra().ttlDays());
    return Hashes.sha256(recipe.toString()).substring(0, 16);
  }

  private static double elapsed(long startedNanos) {
    return (System.nanoTime() - startedNanos) / 1e9;
  }
}
