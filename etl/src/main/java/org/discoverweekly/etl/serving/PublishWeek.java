package org.discoverweekly.etl.serving;

import static org.apache.spark.sql.functions.array_sort;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.discoverweekly.etl.storage.Table.GOLD_DISCOVER_WEEKLY;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.spark.connector.cql.CassandraConnector;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.storage.StorageLevel;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.ops.FaultPoint;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.ops.ModelRegistry;
import org.discoverweekly.etl.ops.Stage;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.ops.Step;
import org.discoverweekly.etl.storage.Lake;

/**
 * {@code publish --week W}: writes every playlist of W from {@code gold.discover_weekly} to
 * Cassandra, one row per user holding the ordered tracks, then marks W served, in Cassandra and on
 * its model in {@code ops.models}. Only a week whose model the quality gate judged last was
 * accepted is published, and only that model's rows. Until the last row is written readers keep
 * serving the week before; a rerun rewrites the same rows.
 */
public final class PublishWeek {

  /** Fault point between the rows and the served mark. */
  public static final String ROWS_WRITTEN = "publish.rows-written";

  /** Fault point: Cassandra answered and the playlists are grouped, the write has not started. */
  public static final String WRITING = "publish.writing";

  private final Lake lake;
  private final ModelRegistry registry;
  private final CassandraSettings settings;
  private final Clock clock;

  public PublishWeek(Lake lake, ModelRegistry registry, CassandraSettings settings, Clock clock) {
    this.lake = lake;
    this.registry = registry;
    this.settings = settings;
    this.clock = clock;
  }

  /** What was published. */
  public record Result(String modelVersion, long users) {

    /** What the recorded publish step wrote. */
    public static Result of(StageOutcome published) {
      return new Result(
          published.config().get("model_version"), published.rowCounts().get("users"));
    }
  }

  /**
   * Checks that W's gate accepted the model gold holds for W and reaches Cassandra; the step writes
   * the rows, then marks W served.
   */
  public Step step(LocalDate week) {
    String modelVersion = acceptedModel(week);
    // Read gold at the version the ledger records, whatever commits after this line.
    long goldVersion = lake.version(GOLD_DISCOVER_WEEKLY);
    Dataset<Row> slots =
        goldVersion < 0
            ? null
            : lake.read(GOLD_DISCOVER_WEEKLY, goldVersion)
                .filter(col("week").equalTo(lit(Date.valueOf(week))));
    List<String> versions =
        slots == null
            ? List.of()
            : slots.select("model_version").distinct().as(Encoders.STRING()).collectAsList();
    if (versions.isEmpty()) {
      throw new PipelineException(
          "gold.discover_weekly has no playlists for " + week + ": run weekly --week " + week);
    }
    if (!versions.equals(List.of(modelVersion))) {
      throw new PipelineException(
          "gold.discover_weekly for "
              + week
              + " holds "
              + versions
              + " but the quality gate judged "
              + modelVersion
              + ": rerun weekly --week "
              + week);
    }
    Map<String, Long> inputs = Map.of(GOLD_DISCOVER_WEEKLY.sqlName(), goldVersion);
    Map<String, String> config =
        new TreeMap<>(
            Hashes.withHash(
                Map.of(
                    "keyspace", settings.keyspace(),
                    "ttl_days", String.valueOf(settings.ttlDays()),
                    "consistency", settings.write().consistency())));
    config.put("model_version", modelVersion);

    // Reach the cluster and its schema before anything is recorded: an unreachable Cassandra
    // fails here, within the connect timeout, and leaves the lake as it was.
    CassandraConnector connector = CassandraConnection.connector(settings);
    try (CqlSession session = CassandraConnection.open(connector, settings)) {
      ServingSchema.ensure(session, settings);
    }

    return new Step(
        Stage.PUBLISH,
        () -> {
          long users = write(playlists(slots));
          FaultPoint.reached(ROWS_WRITTEN, week);
          try (CqlSession session = CassandraConnection.open(connector, settings)) {
            new PublishedWeeks(session, settings).serve(week, modelVersion, users, clock.instant());
          }
          registry.served(week, modelVersion);
          return new StageOutcome(
              inputs, Map.of("users", users), config, StageOutcome.SUCCEEDED, null);
        });
  }

  /** One row per user: the slots ordered by position, with the names the API shows. */
  static Dataset<Row> playlists(Dataset<Row> slots) {
    return slots
        .groupBy(col("user_id"), col("week"))
        .agg(
            array_sort(
                    collect_list(
                        struct(
                            col("position"),
                            col("track_id"),
                            col("track_name"),
                            col("artist_id"),
                            col("artist_name"),
                            col("score"),
                            col("because_track_id"),
                            col("because_track_name"),
                            col("because_artist_name"))))
                .as("tracks"),
            first("source").as("source"),
            first("model_version").as("model_version"));
  }

  private long write(Dataset<Row> playlists) {
    Dataset<Row> cached = playlists.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long users = cached.count();
      FaultPoint.reached(WRITING);
      try {
        cached
            .write()
            .format("org.apache.spark.sql.cassandra")
            .options(CassandraConnection.properties(settings))
            .option("keyspace", settings.keyspace())
            .option("table", ServingSchema.PLAYLISTS)
            .mode(SaveMode.Append)
            .save();
      } catch (Exception e) { // a failed Spark job is a SparkException, a checked exception
        throw new PipelineException(
            "writing the playlists to Cassandra failed ("
                + CassandraConnection.rootCause(e)
                + "); the week before is still served, and a rerun rewrites the same rows",
            e);
      }
      return users;
    } finally {
      cached.unpersist();
    }
  }

  /** The model the gate accepted for W: the one it judged last in {@code ops.models}. */
  private String acceptedModel(LocalDate week) {
    ModelRegistry.Entry judged =
        registry
            .latestJudged(week)
            .orElseThrow(
                () ->
                    new PipelineException(
                        "week "
                            + week
                            + " has no quality-gate verdict yet: run weekly --week "
                            + week));
    if (!judged.accepted()) {
      throw new PipelineException(
          "week "
              + week
              + " was rejected by the quality gate, not publishable"
              + (judged.judged().reason() == null ? "" : ": " + judged.judged().reason()));
    }
    return judged.modelVersion();
  }
}
