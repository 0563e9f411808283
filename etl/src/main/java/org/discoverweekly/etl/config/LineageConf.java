package org.discoverweekly.etl.config;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code lineage} block as Spark settings: OpenLineage's Spark listener, which emits an event
 * for every Spark job with its input and output datasets, and its transport.
 */
public final class LineageConf {

  /** OpenLineage's Spark listener. */
  public static final String LISTENER = "io.openlineage.spark.agent.OpenLineageSparkListener";

  /** The Spark setting naming the file the file transport appends to. */
  public static final String FILE = "spark.openlineage.transport.location";

  private LineageConf() {}

  /**
   * The Spark settings that turn OpenLineage's listener on as {@code lineage} asks, none when it is
   * off. The file transport's default file lies in the lake's {@code ops/}.
   */
  static Map<String, String> sparkConf(Config config) {
    Config lineage = config.getConfig("lineage");
    if (!lineage.getBoolean("enabled")) {
      return Map.of();
    }
    Map<String, String> conf = new TreeMap<>();
    conf.put("spark.extraListeners", LISTENER);
    conf.put("spark.openlineage.namespace", lineage.getString("namespace"));
    String transport = lineage.getString("transport");
    String where = lineage.origin().description();
    switch (transport) {
      case "file" -> {
        String file = lineage.getString("file");
        if (file.isEmpty()) {
          String lake = config.getString("lake");
          if (lake.contains("://")) {
            throw new ConfigError(
                where,
                "file",
                "must name a local file when the lake is not on a local disk ("
                    + lake
                    + "), or set lineage.transport = \"http\"");
          }
          file = Path.of(lake, "ops", "lineage", "events.jsonl").toString();
        }
        conf.put("spark.openlineage.transport.type", "file");
        conf.put(FILE, file);
      }
      case "http" -> {
        String url = lineage.getString("url");
        if (!url.startsWith("http://") && !url.startsWith("https://")) {
          throw new ConfigError(
              where, "url", "must be an http:// or https:// URL with http, got \"" + url + "\"");
        }
        conf.put("spark.openlineage.transport.type", "http");
        conf.put("spark.openlineage.transport.url", url);
      }
      default ->
          throw new ConfigError(
              where, "transport", "must be \"file\" or \"http\", got \"" + transport + "\"");
    }
    return conf;
  }
}
