package org.discoverweekly.etl.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code publish}: week W's playlists from gold to Cassandra, then W served. */
@Command(
    name = "publish",
    mixinStandardHelpOptions = true,
    description = {
      "Write every playlist of week W from gold.discover_weekly to Cassandra (one row per user,",
      "the tracks in order, with a TTL), then mark W served so readers switch to it. Only a week",
      "the quality gate accepted. Creates the schema (conf/cassandra/schema.cql) when missing.",
      "Rerunning rewrites the same rows; until it completes, readers keep the week before."
    })
final class PublishCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin WeekOption weekOption;

  @Override
  public Integer call() {
    Pipeline pipeline = new Pipeline(root.config());
    try (var lock = pipeline.lockLake("publish --week " + weekOption.week)) {
      Stages.publish(pipeline, weekOption.week, spec.commandLine().getOut());
    }
    return 0;
  }
}
