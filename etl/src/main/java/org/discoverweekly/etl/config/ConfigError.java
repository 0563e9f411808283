package org.discoverweekly.etl.config;

/** A configuration value that is missing, ill-typed or out of range. */
public final class ConfigError extends RuntimeException {

  public ConfigError(String message) {
    super(message);
  }

  ConfigError(String origin, String key, String problem) {
    super("config key '" + key + "' " + problem + " (" + origin + ")");
  }
}
