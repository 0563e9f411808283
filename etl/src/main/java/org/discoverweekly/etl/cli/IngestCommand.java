package org.discoverweekly.etl.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code ingest}: landing files of arrival dates to bronze.listens, the catalog to silver.tracks.
 */
@Command(
    name = "ingest",
    mixinStandardHelpOptions = true,
    description = {
      "Landing files of each arrival date -> bronze.listens (the date's partition replaced",
      "atomically), and the track catalog -> silver.tracks."
    })
final class IngestCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin DateRange range;

  @Override
  public Integer call() {
    var dates = range.dates();
    Pipeline pipeline = new Pipeline(root.config());
    try (var lock = pipeline.lockLake("ingest " + range)) {
      Stages.ingest(pipeline, dates, spec.commandLine().getOut());
    }
    return 0;
  }
}
