package org.discoverweekly.etl.cli;

import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import org.discoverweekly.etl.gold.Backtest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code evaluate}: the backtest of week W's recipe into gold.model_metrics. */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Backtest week W: train on listens before W - 7 days, rank as weekly does, and score",
      "against first plays in [W - 7 days, W) for ALS and popularity -> gold.model_metrics.",
      "Prints the metrics and what the quality gate would say. A backtest recorded for the",
      "same recipe (model version, catalog version, playlist and sample settings), such as the",
      "one weekly just ran, is read back instead of recomputed unless --force."
    })
final class EvaluateCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin WeekOption weekOption;

  @Option(
      names = "--force",
      description = "Recompute the backtest even if its recipe is unchanged.")
  boolean force;

  @Override
  public Integer call() {
    LocalDate week = weekOption.week;
    Pipeline pipeline = new Pipeline(root.config());
    PrintWriter out = spec.commandLine().getOut();
    Backtest.Result metrics;
    try (var lock = pipeline.lockLake("evaluate --week " + week)) {
      metrics = Stages.evaluate(pipeline, week, force);
    }
    Stages.printMetrics(metrics, out);
    var verdict = Stages.weeklyRecommendations(pipeline).judge(week, metrics);
    out.println(
        "gate: " + (verdict.accepted() ? "would accept: " : "would reject: ") + verdict.reason());
    return 0;
  }
}
