package org.discoverweekly.etl.config;

import com.typesafe.config.Config;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The whole pipeline configuration, parsed once from HOCON into typed records. */
public record PipelineConfig(
    String lake,
    String landing,
    SparkSettings spark,
    ListenRules listens,
    CassandraSettings cassandra) {

  /** How the SparkSession is built when the pipeline builds it. */
  public record SparkSettings(
      String master, String appName, int shufflePartitions, Map<String, String> conf) {}

  /** The listen contract: what counts as a stream, a late or future event, a bot. */
  public record ListenRules(
      long streamThresholdMs,
      int latenessHorizonDays,
      int futureSkewMinutes,
      long maxMsPlayed,
      int botPlaysPerDay) {}

  /** Where the serving Cassandra is; credentials are named environment variables. */
  public record CassandraSettings(
      List<String> hosts,
      int port,
      String localDatacenter,
      String keyspace,
      String usernameEnv,
      String passwordEnv,
      boolean ssl) {}

  static PipelineConfig from(Config config) {
    return new PipelineConfig(
        config.getString("lake"),
        config.getString("landing"),
        sparkSettings(config.getConfig("spark")),
        listenRules(config.getConfig("listens")),
        cassandraSettings(config.getConfig("cassandra")));
  }

  private static SparkSettings sparkSettings(Config spark) {
    Map<String, String> conf = new TreeMap<>();
    spark
        .getObject("conf")
        .forEach((key, value) -> conf.put(key, String.valueOf(value.unwrapped())));
    return new SparkSettings(
        spark.getString("master"),
        spark.getString("app-name"),
        positive(spark, "shuffle-partitions"),
        Map.copyOf(conf));
  }

  private static ListenRules listenRules(Config listens) {
    return new ListenRules(
        positiveLong(listens, "stream-threshold-ms"),
        positive(listens, "lateness-horizon-days"),
        nonNegative(listens, "future-skew-minutes"),
        positiveLong(listens, "max-ms-played"),
        positive(listens, "bot-plays-per-day"));
  }

  private static CassandraSettings cassandraSettings(Config cassandra) {
    return new CassandraSettings(
        List.copyOf(cassandra.getStringList("hosts")),
        positive(cassandra, "port"),
        cassandra.getString("local-datacenter"),
        cassandra.getString("keyspace"),
        cassandra.getString("username-env"),
        cassandra.getString("password-env"),
        cassandra.getBoolean("ssl"));
  }

  private static int positive(Config config, String key) {
    int value = config.getInt(key);
    if (value <= 0) {
      throw new ConfigError(config.origin().description(), key, "must be positive, got " + value);
    }
    return value;
  }

  private static long positiveLong(Config config, String key) {
    long value = config.getLong(key);
    if (value <= 0) {
      throw new ConfigError(config.origin().description(), key, "must be positive, got " + value);
    }
    return value;
  }

  private static int nonNegative(Config config, String key) {
    int value = config.getInt(key);
    if (value < 0) {
      throw new ConfigError(
          config.origin().description(), key, "must not be negative, got " + value);
    }
    return value;
  }
}
