package org.discoverweekly.etl.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
                  + " ingest, silver, weekly, evaluate, publish, run, backfill, playlist, rollback, sql,"
                  + " maintain and demo)");
      return DiscoverWeekly.FAILED;
    }
  }

  @Command(
      name = "forget",
      mixinStandardHelpOptions = true,
      description = "Erase a user everywhere, with an audit row (not built yet).")
  static final class Forget extends Pending {
    @Option(names = "--user", required = true, paramLabel = "U")
    String user;
  }
}
