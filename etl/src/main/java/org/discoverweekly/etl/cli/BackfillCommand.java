package org.discoverweekly.etl.cli;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code backfill}: weeks W1 to W2 in order, each end to end, resumable. */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    description = {
      "Run every week from W1 to W2 in order, each as `run` does: ingest and silver for its",
      "seven arrival dates, weekly (with the gate), publish. A week whose last run succeeded",
      "from the same landing files and config is skipped unless --force, so a rerun after a",
      "crash resumes where it stopped. Stops at the first failed week. Progress goes to stderr,",
      "a summary table to stdout; exits 1 naming the failed week."
    })
final class BackfillCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Option(
      names = "--from",
      required = true,
      converter = Dates.Monday.class,
      paramLabel = "W1",
      description = "The first week (a Monday).")
  LocalDate from;

  @Option(
      names = "--to",
      required = true,
      converter = Dates.Monday.class,
      paramLabel = "W2",
      description = "The last week (a Monday), W1 or later.")
  LocalDate to;

  @Option(names = "--force", description = "Rerun weeks already done, and retrain their models.")
  boolean force;

  @Override
  public Integer call() {
    if (to.isBefore(from)) {
      throw new ParameterException(spec.commandLine(), "--to " + to + " is before --from " + from);
    }
    List<LocalDate> weeks =
        Stream.iterate(from, week -> !week.isAfter(to), week -> week.plusWeeks(1)).toList();
    return runWeeks(root, spec, weeks, force);
  }

  /** Runs the weeks in order until one fails; prints the summary; 0 only if none failed. */
  static int runWeeks(DiscoverWeekly root, CommandSpec spec, List<LocalDate> weeks, boolean force) {
    Pipeline pipeline = new Pipeline(root.config());
    String command =
        spec.name()
            + " "
            + (weeks.size() == 1
                ? "--week " + weeks.get(0)
                : "--from " + weeks.get(0) + " --to " + weeks.get(weeks.size() - 1));
    try (var lock = pipeline.lockLake(command)) {
      return runWeeks(pipeline, spec, weeks, force);
    }
  }

  private static int runWeeks(
      Pipeline pipeline, CommandSpec spec, List<LocalDate> weeks, boolean force) {
    PrintWriter err = spec.commandLine().getErr();
    WeekRun run = new WeekRun(pipeline, err);
    List<WeekRun.Outcome> outcomes = new ArrayList<>();
    WeekRun.Outcome failed = null;
    for (int i = 0; i < weeks.size(); i++) {
      LocalDate week = weeks.get(i);
      if (failed != null) {
        outcomes.add(new WeekRun.Outcome(week, WeekRun.NOT_RUN, 0, null, null));
        continue;
      }
      WeekRun.Outcome outcome = run.run(week, force, "[" + (i + 1) + "/" + weeks.size() + "]");
      outcomes.add(outcome);
      if (outcome.status().equals(WeekRun.FAILED)) {
        failed = outcome;
      }
    }
    TextTable table = new TextTable(List.of("week", "status", "seconds", "users", "message"));
    for (WeekRun.Outcome outcome : outcomes) {
      table.add(
          outcome.week(),
          outcome.status(),
          String.format(Locale.ROOT, "%.1f", outcome.seconds()),
          outcome.users() == null ? "" : outcome.users(),
          outcome.message() == null ? "" : outcome.message());
    }
    table.print(spec.commandLine().getOut());
    if (failed != null) {
      err.println(
          "discover-weekly "
              + spec.name()
              + ": week "
              + failed.week()
              + " failed ("
              + failed.message()
              + "); rerun the same command to resume, done weeks are skipped");
      return DiscoverWeekly.FAILED;
    }
    return 0;
  }
}
