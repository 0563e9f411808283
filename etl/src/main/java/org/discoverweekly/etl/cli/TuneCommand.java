package org.discoverweekly.etl.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.ConfigError;
import org.discoverweekly.etl.config.PipelineConfig;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.config.TuneGrid;
import org.discoverweekly.etl.gold.TuneWeek;
import org.discoverweekly.models.ImplicitAls;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code tune}: a grid of ALS settings backtested on week W's split, best first. */
@Command(
    name = "tune",
    mixinStandardHelpOptions = true,
    description = {
      "Backtest a grid of ALS settings on week W: every point is trained on the listens before",
      "W - 7 days and scored on the same sample of users against their first plays in",
      "[W - 7 days, W). Each point's metrics and seconds go to gold.model_metrics as model",
      "version tune-W-<recipe hash>; the table is printed best NDCG first. An axis not given",
      "keeps the configured value."
    })
final class TuneCommand implements Callable<Integer> {

  @ParentCommand DiscoverWeekly root;

  @Spec CommandSpec spec;

  @Mixin WeekOption weekOption;

  @Option(names = "--rank", split = ",", paramLabel = "N", description = "Ranks to try.")
  List<Integer> ranks;

  @Option(
      names = "--reg-param",
      split = ",",
      paramLabel = "X",
      description = "Regularisations to try.")
  List<Double> regParams;

  @Option(names = "--alpha", split = ",", paramLabel = "X", description = "Alphas to try.")
  List<Double> alphas;

  @Option(
      names = "--max-iter",
      split = ",",
      paramLabel = "N",
      description = "Iteration counts to try.")
  List<Integer> maxIters;

  @Option(
      names = "--grid",
      paramLabel = "FILE",
      description = {
        "HOCON with any of rank, reg-param, alpha, max-iter, each a value or a list;",
        "the command line's axes win."
      })
  Path grid;

  @Option(
      names = "--users",
      paramLabel = "N",
      description = "Score at most N users (default weekly.evaluate-users).")
  Integer users;

  @Option(
      names = "--time-limit",
      paramLabel = "DURATION",
      defaultValue = "1h",
      converter = DurationConverter.class,
      description = {
        "Start no point after this long, e.g. 90s, 30m, 2h (default ${DEFAULT-VALUE});",
        "the first point always runs."
      })
  Duration limit;

  @Option(
      names = "--write",
      paramLabel = "FILE",
      description = {
        "Write the best point as a config override (weekly.als), for weekly --conf FILE or",
        "weekly --challenger FILE."
      })
  Path write;

  @Override
  public Integer call() {
    LocalDate week = weekOption.week;
    PipelineConfig config = root.config();
    WeeklySettings settings = config.weekly();
    List<ImplicitAls.Settings> points;
    try {
      if (users != null) {
        if (users <= 0) {
          throw new ConfigError("--users must be positive, got " + users);
        }
        settings = settings.withEvaluateUsers(users);
      }
      TuneGrid axes = TuneGrid.of(settings.als());
      if (grid != null) {
        axes = axes.withFile(grid);
      }
      axes = axes.with(ranks, regParams, alphas, maxIters);
      points =
          TuneWeek.grid(
              settings.als(), axes.ranks(), axes.regParams(), axes.alphas(), axes.maxIters());
    } catch (ConfigError e) {
      spec.commandLine().getErr().println("discover-weekly tune: " + e.getMessage());
      return DiscoverWeekly.USAGE;
    }
    Pipeline pipeline = new Pipeline(config);
    TuneWeek.Result result;
    try (var lock = pipeline.lockLake("tune --week " + week)) {
      result = Stages.tune(pipeline, week, settings, points, limit);
    }
    PrintWriter out = spec.commandLine().getOut();
    print(week, result, out);
    if (write != null) {
      TuneWeek.Scored best = result.best().orElseThrow();
      try {
        Files.writeString(write, override(week, result, best));
      } catch (IOException e) {
        throw new PipelineException("cannot write " + write + ": " + e.getMessage(), e);
      }
      out.println(
          "best point written to "
              + write
              + ": use it as weekly --conf "
              + write
              + ", or try it with weekly --challenger "
              + write);
    }
    return 0;
  }

  private void print(LocalDate week, TuneWeek.Result result, PrintWriter out) {
    TuneWeek.Scored first = result.scored().get(0);
    out.printf(
        "tune %s: %d of %d points backtested on %d users (trained on listens before %s);"
            + " popularity NDCG@%d %.4f%n",
        week,
        result.scored().size(),
        result.planned(),
        first.metrics().als().users(),
        week.minusDays(7),
        first.metrics().als().k(),
        first.metrics().popularity().ndcg());
    TextTable table =
        new TextTable(
            List.of(
                "rank",
                "reg_param",
                "alpha",
                "max_iter",
                "ndcg@k",
                "recall@k",
                "seconds",
                "recipe_hash"));
    for (TuneWeek.Scored point : result.scored()) {
      ImplicitAls.Settings als = point.point().als();
      table.add(
          als.rank(),
          als.regParam(),
          als.alpha(),
          als.maxIter(),
          String.format(Locale.ROOT, "%.4f", point.metrics().als().ndcg()),
          String.format(Locale.ROOT, "%.4f", point.metrics().als().recall()),
          String.format(Locale.ROOT, "%.1f", point.seconds()),
          point.point().recipeHash());
    }
    table.print(out);
    if (result.scored().size() < result.planned()) {
      out.printf(
          "time limit of %d s reached: %d of %d points backtested%n",
          limit.toSeconds(), result.scored().size(), result.planned());
    }
  }

  /** The best point as HOCON over the config: its ALS settings, and where it came from. */
  private static String override(LocalDate week, TuneWeek.Result result, TuneWeek.Scored best) {
    ImplicitAls.Settings als = best.point().als();
    return String.format(
        Locale.ROOT,
        "# tune --week %s: the best of %d points backtested on %d users, NDCG@%d %.4f"
            + " (%s in gold.model_metrics).%n"
            + "# Use it as weekly --conf FILE (or include it in yours), or try it with weekly"
            + " --challenger FILE.%n"
            + "weekly.als {%n  rank = %d%n  reg-param = %s%n  alpha = %s%n  max-iter = %d%n}%n",
        week,
        result.scored().size(),
        best.metrics().als().users(),
        best.metrics().als().k(),
        best.metrics().als().ndcg(),
        best.modelVersion(week),
        als.rank(),
        als.regParam(),
        als.alpha(),
        als.maxIter());
  }

  /** {@code 90s}, {@code 30m}, {@code 2h}, or a number of seconds. */
  static final class DurationConverter implements ITypeConverter<Duration> {

    private static final Pattern DURATION = Pattern.compile("(\\d+)([smh]?)");

    @Override
    public Duration convert(String value) {
      Matcher m = DURATION.matcher(value.strip().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new IllegalArgumentException("expected a duration like 90s, 30m or 2h");
      }
      long amount = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "m" -> Duration.ofMinutes(amount);
        case "h" -> Duration.ofHours(amount);
        default -> Duration.ofSeconds(amount);
      };
    }
  }
}
