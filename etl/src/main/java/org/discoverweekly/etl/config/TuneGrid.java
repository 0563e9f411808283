package org.discoverweekly.etl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.discoverweekly.models.ImplicitAls;

/**
 * The axes of a {@code tune} grid: the values of rank, regularisation, alpha and iterations to try,
 * each the configured value when not given.
 */
public record TuneGrid(
    List<Integer> ranks, List<Double> regParams, List<Double> alphas, List<Integer> maxIters) {

  private static final Set<String> KEYS = Set.of("rank", "reg-param", "alpha", "max-iter");

  public TuneGrid {
    ranks = positive("rank", ranks);
    regParams = positive("reg-param", regParams);
    alphas = positive("alpha", alphas);
    maxIters = positive("max-iter", maxIters);
  }

  /** The single point of the configured ALS settings. */
  public static TuneGrid of(ImplicitAls.Settings als) {
    return new TuneGrid(
        List.of(als.rank()), List.of(als.regParam()), List.of(als.alpha()), List.of(als.maxIter()));
  }

  /**
   * {@code file}'s axes over this grid's: HOCON with any of {@code rank}, {@code reg-param}, {@code
   * alpha} and {@code max-iter}, each a value or a list of values.
   */
  public TuneGrid withFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigError("grid file not found: " + file);
    }
    Config grid;
    try {
      grid = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults());
    } catch (ConfigException e) {
      throw new ConfigError("cannot parse grid file " + file + ": " + e.getMessage());
    }
    Set<String> unknown = new TreeSet<>(grid.root().keySet());
    unknown.removeAll(KEYS);
    if (!unknown.isEmpty()) {
      throw new ConfigError(
          "grid file "
              + file
              + " sets "
              + unknown
              + ": a grid has rank, reg-param, alpha, max-iter");
    }
    try {
      return new TuneGrid(
          grid.hasPath("rank") ? integers(grid, "rank") : ranks,
          grid.hasPath("reg-param") ? doubles(grid, "reg-param") : regParams,
          grid.hasPath("alpha") ? doubles(grid, "alpha") : alphas,
          grid.hasPath("max-iter") ? integers(grid, "max-iter") : maxIters);
    } catch (ConfigException e) {
      throw new ConfigError("cannot read grid file " + file + ": " + e.getMessage());
    }
  }

  /** This grid with the axes given on the command line (null or empty: kept). */
  public TuneGrid with(
      List<Integer> ranks, List<Double> regParams, List<Double> alphas, List<Integer> maxIters) {
    return new TuneGrid(
        given(ranks) ? ranks : this.ranks,
        given(regParams) ? regParams : this.regParams,
        given(alphas) ? alphas : this.alphas,
        given(maxIters) ? maxIters : this.maxIters);
  }

  /** The number of points: every combination of the axes. */
  public int size() {
    return ranks.size() * regParams.size() * alphas.size() * maxIters.size();
  }

  private static boolean given(List<?> axis) {
    return axis != null && !axis.isEmpty();
  }

  private static List<Integer> integers(Config grid, String key) {
    return grid.getValue(key).valueType() == ConfigValueType.LIST
        ? grid.getIntList(key)
        : List.of(grid.getInt(key));
  }

  private static List<Double> doubles(Config grid, String key) {
    return grid.getValue(key).valueType() == ConfigValueType.LIST
        ? grid.getDoubleList(key)
        : List.of(grid.getDouble(key));
  }

  private static <T extends Number> List<T> positive(String key, List<T> values) {
    if (values.isEmpty()) {
      throw new ConfigError("the grid's " + key + " has no value");
    }
    for (T value : values) {
      if (value.doubleValue() <= 0) {
        throw new ConfigError("the grid's " + key + " must be positive, got " + value);
      }
    }
    return List.copyOf(values);
  }
}
