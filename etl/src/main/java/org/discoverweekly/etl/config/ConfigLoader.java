package org.discoverweekly.etl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Layers the configuration: embedded {@code local.conf} under an optional {@code --conf} file,
 * under {@code -Dkey=value} overrides, under the {@code --lake}/{@code --landing} roots.
 *
 * <p>Spark's own keys contain dots, so below {@code spark.conf} the rest of an override key is one
 * Spark key: {@code -Dspark.conf.spark.hadoop.fs.s3a.endpoint=URL} and the HOCON-quoted {@code
 * -Dspark.conf."spark.hadoop.fs.s3a.endpoint"=URL} both set {@code spark.hadoop.fs.s3a.endpoint}.
 */
public final class ConfigLoader {

  private static final String EMBEDDED = "local.conf";
  private static final String SPARK_CONF = "spark.conf.";

  private ConfigLoader() {}

  /**
   * The keys a challenger file may set ({@link #challenger}): the ALS settings and the ranking's,
   * nothing that changes the snapshot both models train on or the backtest both are scored by.
   */
  public static final List<String> CHALLENGER_KEYS =
      List.of(
          "weekly.als.*",
          "weekly.max-tracks-per-artist",
          "weekly.repeat-weeks",
          "weekly.artist-fatigue");

  public static PipelineConfig load(
      Optional<Path> file,
      Map<String, String> overrides,
      Optional<String> lake,
      Optional<String> landing) {
    return parsed(layered(file, overrides, lake, landing));
  }

  /**
   * The configuration a challenger runs with: {@code challenger}'s keys over the layers {@link
   * #load} reads; the file may set only {@link #CHALLENGER_KEYS}.
   */
  public static PipelineConfig challenger(
      Path challenger,
      Optional<Path> file,
      Map<String, String> overrides,
      Optional<String> lake,
      Optional<String> landing) {
    Config keys = parseFile(challenger);
    if (keys.isEmpty()) {
      throw new ConfigError(
          "challenger file " + challenger + " sets no key: set " + challengerKeys());
    }
    for (String key : new TreeSet<>(keys.entrySet().stream().map(Map.Entry::getKey).toList())) {
      if (!key.startsWith("weekly.als.") && !CHALLENGER_KEYS.contains(key)) {
        throw new ConfigError(
            "challenger file "
                + challenger
                + " sets "
                + key
                + ": a challenger may set only "
                + challengerKeys());
      }
    }
    return parsed(keys.withFallback(layered(file, overrides, lake, landing)));
  }

  private static String challengerKeys() {
    return String.join(", ", CHALLENGER_KEYS);
  }

  private static PipelineConfig parsed(Config config) {
    try {
      return PipelineConfig.from(config.resolve());
    } catch (ConfigException e) {
      throw new ConfigError(e.getMessage());
    }
  }

  private static Config layered(
      Optional<Path> file,
      Map<String, String> overrides,
      Optional<String> lake,
      Optional<String> landing) {
    Config config = ConfigFactory.parseResources(EMBEDDED, required());
    if (file.isPresent()) {
      config = parseFile(file.get()).withFallback(config);
    }
    config =
        ConfigFactory.parseMap(sparkKeysQuoted(overrides), "-D overrides").withFallback(config);
    if (lake.isPresent()) {
      config = config.withValue("lake", ConfigValueFactory.fromAnyRef(lake.get(), "--lake"));
    }
    if (landing.isPresent()) {
      config =
          config.withValue("landing", ConfigValueFactory.fromAnyRef(landing.get(), "--landing"));
    }
    return config;
  }

  public static PipelineConfig defaults() {
    return load(Optional.empty(), Map.of(), Optional.empty(), Optional.empty());
  }

  /** The overrides with every unquoted Spark key below {@code spark.conf} quoted as one key. */
  static Map<String, String> sparkKeysQuoted(Map<String, String> overrides) {
    Map<String, String> quoted = new LinkedHashMap<>();
    overrides.forEach((key, value) -> quoted.put(quoteSparkKey(key), value));
    return quoted;
  }

  private static String quoteSparkKey(String key) {
    if (!key.startsWith(SPARK_CONF)) {
      return key;
    }
    String sparkKey = key.substring(SPARK_CONF.length());
    if (sparkKey.startsWith("\"")) {
      return key;
    }
    if (sparkKey.contains("\"")) {
      throw new ConfigError("cannot read override key " + key + ": a quote inside a Spark key");
    }
    return SPARK_CONF + "\"" + sparkKey + "\"";
  }

  private static Config parseFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigError("config file not found: " + file);
    }
    try {
      return ConfigFactory.parseFile(file.toFile(), required());
    } catch (ConfigException e) {
      throw new ConfigError("cannot parse config file " + file + ": " + e.getMessage());
    }
  }

  private static ConfigParseOptions required() {
    return ConfigParseOptions.defaults().setAllowMissing(false);
  }
}
