package org.discoverweekly.etl.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.io.Serializable;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.discoverweekly.models.FeedbackMatrix;
import org.discoverweekly.models.ImplicitAls;
import org.discoverweekly.models.Playlists;
import org.discoverweekly.models.QualityGate;

/** The whole pipeline configuration, parsed once from HOCON into typed records. */
public record PipelineConfig(
    String lake,
    String landing,
    SparkSettings spark,
    ListenRules listens,
    WeeklySettings weekly,
    CassandraSettings cassandra,
    MaintainSettings maintain,
    ForgetSettings forget,
    QualitySettings quality) {

  /** How the SparkSession is built when the pipeline builds it. */
  public record SparkSettings(
      String master, String appName, int shufflePartitions, Map<String, String> conf) {}

  /** The listen contract: what counts as a stream, a late or future event, a bot. */
  public record ListenRules(
      long streamThresholdMs,
      int latenessHorizonDays,
      int futureSkewMinutes,
      long maxMsPlayed,
      int botPlaysPerDay,
      int maxLineBytes,
      List<String> trackIdPrefixes)
      implements Serializable {

    public ListenRules {
      trackIdPrefixes = List.copyOf(trackIdPrefixes);
    }

    /**
     * A track id with the first of {@link #trackIdPrefixes} it starts with taken off, so an id a
     * client sends in another form meets the catalog's; the id as sent when none matches.
     */
    public String trackId(String sent) {
      for (String prefix : trackIdPrefixes) {
        if (sent.length() > prefix.length() && sent.startsWith(prefix)) {
          return sent.substring(prefix.length());
        }
      }
      return sent;
    }

    /** The rules that decide what silver keeps, by their config names, for the run ledger. */
    public Map<String, String> silverValues() {
      Map<String, String> values =
          new TreeMap<>(
              Map.of(
                  "listens.stream-threshold-ms", String.valueOf(streamThresholdMs),
                  "listens.lateness-horizon-days", String.valueOf(latenessHorizonDays),
                  "listens.future-skew-minutes", String.valueOf(futureSkewMinutes),
                  "listens.max-ms-played", String.valueOf(maxMsPlayed),
                  "listens.max-line-bytes", String.valueOf(maxLineBytes)));
      // Only when set, so that the hash of a lake's earlier silver runs stays the same.
      if (!trackIdPrefixes.isEmpty()) {
        values.put("listens.track-id-prefixes", String.join(",", trackIdPrefixes));
      }
      return values;
    }
  }

  /** How the weekly stage builds the matrix, trains, ranks and gates a week. */
  public record WeeklySettings(
      FeedbackMatrix.Settings matrix,
      Playlists.Settings playlists,
      ImplicitAls.Settings als,
      String checkpointDir,
      int evaluateUsers,
      QualityGate.Settings gate,
      MemorySettings memory) {

    /** The values that shape the week's output, for the run ledger. */
    public Map<String, String> asMap() {
      Map<String, String> values = new TreeMap<>();
      values.put("matrix", matrix.toString());
      values.put("playlists", playlists.toString());
      values.put("als", als.toString());
      values.put("gate", gate.toString());
      values.put("evaluate_users", String.valueOf(evaluateUsers));
      values.put("memory", memory.toString());
      return values;
    }

    /** These settings with {@code als} instead of their own. */
    public WeeklySettings withAls(ImplicitAls.Settings als) {
      return new WeeklySettings(matrix, playlists, als, checkpointDir, evaluateUsers, gate, memory);
    }

    /** These settings scoring at most {@code users} users in the backtest. */
    public WeeklySettings withEvaluateUsers(int users) {
      return new WeeklySettings(matrix, playlists, als, checkpointDir, users, gate, memory);
    }
  }

  /**
   * What a week remembers of the weeks served before it: tracks served in the last {@code
   * repeatWeeks} are not served again, and an artist featured in them weighs {@code artistFatigue}
   * per week, fading with the week's age (0 weeks: no memory; a fatigue of 1: no down-weighting).
   */
  public record MemorySettings(int repeatWeeks, double artistFatigue) {}

  /** Where the serving Cassandra is and how publish writes; credentials are named env variables. */
  public record CassandraSettings(
      List<String> hosts,
      int port,
      String localDatacenter,
      String keyspace,
      String replication,
      String usernameEnv,
      String passwordEnv,
      Ssl ssl,
      int connectTimeoutMs,
      int requestTimeoutMs,
      int ttlDays,
      Write write) {

    /** TLS to the nodes; the trust store's password is a named environment variable. */
    public record Ssl(boolean enabled, String trustStore, String trustStorePasswordEnv) {}

    /** The connector's write settings; 0 means the connector's automatic batch size, no cap. */
    public record Write(
        String consistency, int batchSizeRows, int concurrentWrites, double throughputMbPerSec) {}
  }

  /**
   * What {@code maintain} does: compact (and Z-order) the partitions within {@code recentDays} of
   * each table's newest one, then vacuum files unreferenced for {@code vacuumRetentionHours}.
   */
  public record MaintainSettings(int recentDays, int vacuumRetentionHours) {

    /** Delta's own safety default for VACUUM: files a reader of the last 7 days may still open. */
    public static final int DELTA_SAFE_RETENTION_HOURS = 168;
  }

  /**
   * How {@code forget} identifies a user without keeping the id: a salt from the environment
   * variable named {@code saltEnv}, the same for the lake's whole life.
   */
  public record ForgetSettings(String saltEnv) {

    /** The salt; a one-line error naming the variable when it is unset. */
    public String salt() {
      String salt = System.getenv(saltEnv);
      if (salt == null || salt.isBlank()) {
        throw new ConfigError(
            "set the environment variable "
                + saltEnv
                + " (forget.salt-env) to the secret salt that hashes forgotten user ids; keep it"
                + " the same for the lake's whole life");
      }
      return salt;
    }
  }

  /**
   * How silver's data-quality check judges an arrival date against the trailing dates before it,
   * and whether an anomaly fails the run ({@code failOnAnomaly}) or only warns.
   */
  public record QualitySettings(
      int trailingDates,
      int minListens,
      double maxDrop,
      double maxQuarantineRate,
      double maxQuarantineFactor,
      boolean failOnAnomaly) {

    /** The rules by their config names, for the run ledger. */
    public Map<String, String> values() {
      return Map.of(
          "quality.trailing-dates", String.valueOf(trailingDates),
          "quality.min-listens", String.valueOf(minListens),
          "quality.max-drop", String.valueOf(maxDrop),
          "quality.max-quarantine-rate", String.valueOf(maxQuarantineRate),
          "quality.max-quarantine-factor", String.valueOf(maxQuarantineFactor),
          "quality.on-anomaly", failOnAnomaly ? "fail" : "warn");
    }
  }

  private static final Set<String> CONSISTENCY_LEVELS =
      Set.of(
          "ANY",
          "ONE",
          "TWO",
          "THREE",
          "QUORUM",
          "ALL",
          "LOCAL_ONE",
          "LOCAL_QUORUM",
          "EACH_QUORUM");

  static PipelineConfig from(Config config) {
    return new PipelineConfig(
        config.getString("lake"),
        config.getString("landing"),
        sparkSettings(config.getConfig("spark"), LineageConf.sparkConf(config)),
        listenRules(config.getConfig("listens")),
        weeklySettings(config.getConfig("weekly"), config.getInt("listens.bot-plays-per-day")),
        cassandraSettings(config.getConfig("cassandra")),
        new MaintainSettings(
            positive(config, "maintain.recent-days"),
            nonNegative(config, "maintain.vacuum-retention-hours")),
        new ForgetSettings(config.getString("forget.salt-env")),
        qualitySettings(config.getConfig("quality")));
  }

  private static QualitySettings qualitySettings(Config quality) {
    String onAnomaly = quality.getString("on-anomaly");
    if (!onAnomaly.equals("fail") && !onAnomaly.equals("warn")) {
      throw new ConfigError(
          quality.origin().description(),
          "on-anomaly",
          "must be \"fail\" or \"warn\", got \"" + onAnomaly + "\"");
    }
    double factor = quality.getDouble("max-quarantine-factor");
    if (!(factor >= 1)) {
      throw new ConfigError(
          quality.origin().description(),
          "max-quarantine-factor",
          "must be at least 1, got " + factor);
    }
    return new QualitySettings(
        positive(quality, "trailing-dates"),
        nonNegative(quality, "min-listens"),
        fraction(quality, "max-drop"),
        fraction(quality, "max-quarantine-rate"),
        factor,
        onAnomaly.equals("fail"));
  }

  private static SparkSettings sparkSettings(Config spark, Map<String, String> lineage) {
    Map<String, String> conf = new TreeMap<>();
    spark
        .getObject("conf")
        .forEach(
            (key, value) -> {
              // An unquoted Spark key in a file ({ spark.hadoop.x = 1 }) nests instead of naming.
              if (value.valueType() == ConfigValueType.OBJECT
                  || value.valueType() == ConfigValueType.LIST) {
                throw new ConfigError(
                    value.origin().description(),
                    "spark.conf." + key,
                    "is not a Spark setting; quote Spark keys, e.g. \"spark.hadoop.fs.s3a.endpoint\"");
              }
              conf.put(key, String.valueOf(value.unwrapped()));
            });
    lineage.forEach(
        (key, value) ->
            // A listener of the operator's own stays beside OpenLineage's.
            conf.merge(
                key,
                value,
                (own, added) -> key.equals("spark.extraListeners") ? own + "," + added : own));
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
        positive(listens, "bot-plays-per-day"),
        positive(listens, "max-line-bytes"),
        listens.getStringList("track-id-prefixes"));
  }

  private static WeeklySettings weeklySettings(Config weekly, int botPlaysPerDay) {
    Config als = weekly.getConfig("als");
    Config gate = weekly.getConfig("gate");
    String coldStart = weekly.getString("cold-start");
    if (!coldStart.equals("popular") && !coldStart.equals("none")) {
      throw new ConfigError(
          weekly.origin().description(),
          "cold-start",
          "must be \"popular\" or \"none\", got \"" + coldStart + "\"");
    }
    return new WeeklySettings(
        new FeedbackMatrix.Settings(
            positive(weekly, "history-days"),
            positiveDouble(weekly, "half-life-days"),
            fraction(weekly, "skip-weight"),
            botPlaysPerDay),
        new Playlists.Settings(
            positive(weekly, "playlist-size"),
            positive(weekly, "max-tracks-per-artist"),
            positive(weekly, "min-history-tracks"),
            Playlists.ColdStart.valueOf(coldStart.toUpperCase(Locale.ROOT)),
            positive(weekly, "rank-block-users"),
            positive(weekly, "rank-block-tracks")),
        new ImplicitAls.Settings(
            positive(als, "rank"),
            positiveDouble(als, "reg-param"),
            positiveDouble(als, "alpha"),
            positive(als, "max-iter"),
            als.getLong("seed"),
            positive(als, "checkpoint-interval"),
            nonNegative(als, "blocks")),
        als.getString("checkpoint-dir"),
        positive(weekly, "evaluate-users"),
        new QualityGate.Settings(
            nonNegativeDouble(gate, "min-ndcg-lift"),
            fraction(gate, "max-ndcg-drop"),
            nonNegativeDouble(gate, "challenger-min-lift")),
        new MemorySettings(nonNegative(weekly, "repeat-weeks"), fatigue(weekly, "artist-fatigue")));
  }

  private static CassandraSettings cassandraSettings(Config cassandra) {
    String keyspace = cassandra.getString("keyspace");
    if (!keyspace.matches("[a-z][a-z0-9_]{0,47}")) {
      throw new ConfigError(
          cassandra.origin().description(),
          "keyspace",
          "must be a lower-case CQL identifier, got '" + keyspace + "'");
    }
    Config ssl = cassandra.getConfig("ssl");
    Config write = cassandra.getConfig("write");
    String consistency = write.getString("consistency").toUpperCase(Locale.ROOT);
    if (!CONSISTENCY_LEVELS.contains(consistency)) {
      throw new ConfigError(
          write.origin().description(),
          "consistency",
          "must be one of " + new TreeSet<>(CONSISTENCY_LEVELS) + ", got " + consistency);
    }
    return new CassandraSettings(
        List.copyOf(cassandra.getStringList("hosts")),
        positive(cassandra, "port"),
        cassandra.getString("local-datacenter"),
        keyspace,
        cassandra.getString("replication"),
        cassandra.getString("username-env"),
        cassandra.getString("password-env"),
        new CassandraSettings.Ssl(
            ssl.getBoolean("enabled"),
            ssl.getString("trust-store"),
            ssl.getString("trust-store-password-env")),
        positive(cassandra, "connect-timeout-ms"),
        positive(cassandra, "request-timeout-ms"),
        positive(cassandra, "ttl-days"),
        new CassandraSettings.Write(
            consistency,
            nonNegative(write, "batch-size-rows"),
            positive(write, "concurrent-writes"),
            nonNegativeDouble(write, "throughput-mb-per-sec")));
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

  private static double positiveDouble(Config config, String key) {
    double value = config.getDouble(key);
    if (!(value > 0)) {
      throw new ConfigError(config.origin().description(), key, "must be positive, got " + value);
    }
    return value;
  }

  private static double nonNegativeDouble(Config config, String key) {
    double value = config.getDouble(key);
    if (!(value >= 0)) {
      throw new ConfigError(
          config.origin().description(), key, "must not be negative, got " + value);
    }
    return value;
  }

  private static double fraction(Config config, String key) {
    double value = config.getDouble(key);
    if (!(value >= 0 && value <= 1)) {
      throw new ConfigError(
          config.origin().description(), key, "must be between 0 and 1, got " + value);
    }
    return value;
  }

  private static double fatigue(Config config, String key) {
    double value = config.getDouble(key);
    if (!(value > 0 && value <= 1)) {
      throw new ConfigError(
          config.origin().description(),
          key,
          "must be above 0 and at most 1 (1: no fatigue), got " + value);
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
