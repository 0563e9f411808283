package org.discoverweekly.etl.cli;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code run}: one week end to end. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run week W end to end: ingest and silver for the seven arrival dates W-7 .. W-1, weekly",
      "(with the gate), publish. Skipped when its last run succeeded from the same landing files",
      "and config, unless --force. Progress goes to stderr, a summary to stdout."
    })
final class RunCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin WeekOption weekOption;

  @Option(names = "--force", description = "Run the week again, and retrain its model.")
  boolean force;

  @Override
  public Integer call() {
    return BackfillCommand.runWeeks(root, spec, List.of(weekOption.week), force);
  }
}
