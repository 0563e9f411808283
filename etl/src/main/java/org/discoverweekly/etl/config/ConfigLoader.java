package org.discoverweekly.etl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

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

  public static PipelineConfig load(
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
    try {
      return PipelineConfig.from(config.resolve());
    } catch (ConfigException e) {
      throw new ConfigError(e.getMessage());
    }
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
