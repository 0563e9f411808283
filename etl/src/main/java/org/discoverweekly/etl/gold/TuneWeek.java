package org.discoverweekly.etl.gold;

import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.spark.ml.recommendation.ALSModel;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.models.ImplicitAls;

/**
 * {@code tune --week W}: a grid of ALS settings, each point fitted on the listens before W − 7 days
 * and scored on one {@link Backtest.Split} (the same users and first plays for every point), its
 * metrics and seconds in {@code gold.model_metrics} as model version {@code tune-W-<recipe hash>},
 * best NDCG first.
 */
public final class TuneWeek {

  private final Lake lake;
  private final WeeklySettings settings;

  /** {@code settings}: the week's, whose matrix, playlists and sample size every point shares. */
  public TuneWeek(Lake lake, WeeklySettings settings) {
    this.lake = lake;
    this.settings = settings;
  }

  /** A grid point: its ALS settings and the hash of the whole recipe with them. */
  public record Point(ImplicitAls.Settings als, String recipeHash) {}

  /** A point's backtest and the seconds its fit and scoring took. */
  public record Scored(Point point, Backtest.Result metrics, double seconds) {

    public String modelVersion(LocalDate week) {
      return "tune-" + week + "-" + point.recipeHash();
    }
  }

  /** The points backtested, best NDCG first, and how many the grid held. */
  public record Result(List<Scored> scored, int planned) {

    public Optional<Scored> best() {
      return scored.stream().findFirst();
    }
  }

  /**
   * Every combination of the axes, in order, the other ALS settings ({@code seed}, checkpoints,
   * blocks) as configured.
   */
  public static List<ImplicitAls.Settings> grid(
      ImplicitAls.Settings base,
      List<Integer> ranks,
      List<Double> regParams,
      List<Double> alphas,
      List<Integer> maxIters) {
    List<ImplicitAls.Settings> grid = new ArrayList<>();
    for (int rank : ranks) {
      for (double regParam : regParams) {
        for (double alpha : alphas) {
          for (int maxIter : maxIters) {
            grid.add(
                new ImplicitAls.Settings(
                    rank,
                    regParam,
                    alpha,
                    maxIter,
                    base.seed(),
                    base.checkpointInterval(),
                    base.blocks()));
          }
        }
      }
    }
    return grid;
  }

  /**
   * Backtests the grid's points in order on W's split, each written to {@code gold.model_metrics}
   * once scored; no point starts once {@code limit} has passed (the first always runs).
   */
  public Result run(LocalDate week, List<ImplicitAls.Settings> grid, Duration limit) {
    WeeklyRecommendations.useCheckpointDir(lake, settings);
    long started = System.nanoTime();
    List<Scored> scored = new ArrayList<>();
    try (Backtest.Split split = new Backtest(lake, settings).split(week, Optional.empty())) {
      for (ImplicitAls.Settings als : grid) {
        if (!scored.isEmpty() && System.nanoTime() - started >= limit.toNanos()) {
          break;
        }
        Point point = point(als);
        long fitted = System.nanoTime();
        Backtest.Result metrics;
        if (split.isEmpty()) {
          metrics = split.score(null, settings.playlists(), Backtest.FITTED);
        } else {
          ALSModel model = ImplicitAls.fit(split.matrix(), als);
          metrics = split.score(model, settings.playlists(), Backtest.FITTED);
        }
        Scored done = new Scored(point, metrics, (System.nanoTime() - fitted) / 1e9);
        Backtest.write(lake, week, done.modelVersion(week), metrics, null, done.seconds());
        scored.add(done);
      }
    }
    scored.sort(
        Comparator.comparingDouble((Scored s) -> s.metrics().als().ndcg())
            .reversed()
            .thenComparingDouble(Scored::seconds));
    return new Result(List.copyOf(scored), grid.size());
  }

  /**
   * The point of {@code als}: the recipe's hash with those ALS settings, as the ledger names it.
   */
  private Point point(ImplicitAls.Settings als) {
    return new Point(als, Hashes.withHash(settings.withAls(als).asMap()).get("hash"));
  }
}
