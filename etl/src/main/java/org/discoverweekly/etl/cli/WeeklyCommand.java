package org.discoverweekly.etl.cli;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.config.ConfigError;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.gold.WeeklyRecommendations;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code weekly}: week W's snapshot, model, playlists, backtest and quality gate. */
@Command(
    name = "weekly",
    mixinStandardHelpOptions = true,
    description = {
      "Build week W from listens before W 00:00 UTC: gold.user_track_matrix (snapshot),",
      "the ALS model, gold.discover_weekly (top 30 unheard tracks per user), a backtest in",
      "gold.model_metrics and the quality gate. Snapshot, model and backtest are reused when",
      "silver and the config are unchanged. Exits 1 when the gate rejects the week."
    })
final class WeeklyCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin WeekOption weekOption;

  @Option(names = "--force", description = "Recompute the snapshot, the model and the backtest.")
  boolean force;

  @Option(
      names = "--as-of-run",
      paramLabel = "RUN_ID",
      description = {
        "Rebuild W from the silver versions a recorded run of W read (its run_id in",
        "ops.pipeline_runs, stage snapshot, rank or gate), by Delta time travel: the same",
        "inputs, config and code give the same rows. Works while those versions' files are",
        "kept (maintain.vacuum-retention-hours)."
      })
  String asOfRun;

  @Option(
      names = "--challenger",
      paramLabel = "FILE",
      description = {
        "Also train a challenger with this HOCON file's keys over the config (only weekly.als.*",
        "and the ranking keys weekly.max-tracks-per-artist, weekly.repeat-weeks and",
        "weekly.artist-fatigue), backtest it on the same users, and rank W with it instead when",
        "its NDCG@30 beats the week's model's by weekly.gate.challenger-min-lift and it passes",
        "the gate. Both stay in ops.models and gold.model_metrics. An empty FILE: no challenger."
      })
  String challenger;

  @Override
  public Integer call() {
    LocalDate week = weekOption.week;
    Optional<WeeklySettings> contender;
    try {
      contender =
          Optional.ofNullable(challenger)
              .filter(file -> !file.isBlank())
              .map(file -> root.challengerConfig(Path.of(file)).weekly());
    } catch (ConfigError e) {
      spec.commandLine().getErr().println("discover-weekly weekly: " + e.getMessage());
      return DiscoverWeekly.USAGE;
    }
    Pipeline pipeline = new Pipeline(root.config());
    WeeklyRecommendations.Result result;
    try (var lock = pipeline.lockLake("weekly --week " + week)) {
      result =
          Stages.weekly(
              pipeline,
              week,
              force,
              Optional.ofNullable(asOfRun),
              contender,
              spec.commandLine().getOut());
    }
    if (!result.verdict().accepted()) {
      spec.commandLine()
          .getErr()
          .println(
              "discover-weekly weekly: week "
                  + week
                  + " rejected by the quality gate, not publishable: "
                  + result.verdict().reason());
      return DiscoverWeekly.FAILED;
    }
    return 0;
  }
}
