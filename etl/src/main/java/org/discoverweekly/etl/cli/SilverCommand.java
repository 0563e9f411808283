package org.discoverweekly.etl.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code silver}: bronze rows of arrival dates to silver.listens and silver.quarantine. */
@Command(
    name = "silver",
    mixinStandardHelpOptions = true,
    description = {
      "Bronze rows of each arrival date -> silver.listens (new unique listens, merged by event",
      "id) + silver.quarantine (every rejected line with a reason). Checks that bronze rows =",
      "new + duplicates + quarantined."
    })
final class SilverCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin DateRange range;

  @Option(
      names = "--ingest",
      description = {
        "Ingest the dates' landing files first, in the same process: `ingest` then `silver`",
        "with one JVM and Spark start-up instead of two."
      })
  boolean ingest;

  @Override
  public Integer call() {
    var dates = range.dates();
    Pipeline pipeline = new Pipeline(root.config());
    try (var lock = pipeline.lockLake("silver " + (ingest ? "--ingest " : "") + range)) {
      if (ingest) {
        Stages.ingest(pipeline, dates, spec.commandLine().getOut());
      }
      Stages.silver(pipeline, dates, spec.commandLine().getOut());
    }
    return 0;
  }
}
