package org.discoverweekly.etl.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.serving.RollbackWeek;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code rollback}: stop serving week W. */
@Command(
    name = "rollback",
    mixinStandardHelpOptions = true,
    description = {
      "Stop serving week W at once; readers fall back to the newest served week before it.",
      "The rows stay until their TTL: publish --week W serves W again."
    })
final class RollbackCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin WeekOption weekOption;

  @Override
  public Integer call() {
    Pipeline pipeline = new Pipeline(root.config());
    RollbackWeek.Result result;
    try (var lock = pipeline.lockLake("rollback --week " + weekOption.week)) {
      result = Stages.rollback(pipeline, weekOption.week);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "rollback "
            + weekOption.week
            + ": "
            + (result.alreadyRolledBack() ? "was already rolled back" : "no longer served")
            + "; readers now serve "
            + result.nowServed().map(String::valueOf).orElse("no week"));
    return 0;
  }
}
