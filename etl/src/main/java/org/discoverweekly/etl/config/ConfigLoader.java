package org.discoverweekly.etl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Layers the configuration: embedded {@code local.conf} under an optional {@code --conf} file,
 * under {@code -Dkey=value} overrides, under the {@code --lake}/{@code --landing} roots.
 */
public final class ConfigLoader {

  private static final String EMBEDDED = "local.conf";

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
    config = ConfigFactory.parseMap(overrides, "-D overrides").withFallback(config);
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
