package org.discoverweekly.etl.cli;

import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The verbs whose stages are not built yet: their arguments are checked, then they say so. */
final class PendingCommands {

  private PendingCommands() {}

  abstract static class Pending implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine()
          .getErr()
          .println(
              "discover-weekly "
                  + spec.name()
                  + ": not built yet (this release has generate,"
                  + " ingest, silver, weekly, evaluate, publish, playlist, rollback, sql and demo)");
      return DiscoverWeekly.FAILED;
    }
  }

  abstract static class WeekPending extends Pending {
    @Mixin WeekOption week;
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = "Every stage for the 7 arrival dates before W, then W (not built yet).")
  static final class Run extends WeekPending {}

  @Command(
      name = "backfill",
      mixinStandardHelpOptions = true,
      description = "Week by week from W1 to W2, in order, resumable (not built yet).")
  static final class Backfill extends Pending {
    @Option(names = "--from", required = true, converter = Dates.Monday.class, paramLabel = "W1")
    LocalDate from;

    @Option(names = "--to", required = true, converter = Dates.Monday.class, paramLabel = "W2")
    LocalDate to;

    @Option(names = "--force", description = "Rerun weeks that already succeeded.")
    boolean force;
  }

  @Command(
      name = "forget",
      mixinStandardHelpOptions = true,
      description = "Erase a user everywhere, with an audit row (not built yet).")
  static final class Forget extends Pending {
    @Option(names = "--user", required = true, paramLabel = "U")
    String user;
  }

  @Command(
      name = "maintain",
      mixinStandardHelpOptions = true,
      description = "Compaction, Z-order, vacuum by policy (not built yet).")
  static final class Maintain extends Pending {}
}
