package org.discoverweekly.etl.privacy;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.instr;
import static org.apache.spark.sql.functions.lit;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.RowFactory;
import org.discoverweekly.etl.BuildInfo;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.serving.CassandraConnection;
import org.discoverweekly.etl.serving.ServingSchema;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;

/**
 * {@code forget --user U}: deletes U's rows from bronze (raw lines that name U), silver listens and
 * quarantine, both gold tables (every week), the saved models of the weeks U was in, and U's
 * playlists in Cassandra; then appends an audit row to {@code ops.forget_requests} that holds only
 * the salted hash of U. Rerunning it is harmless. The deleted rows stay in older Delta versions'
 * files until {@code maintain}'s VACUUM removes them after its retention.
 */
public final class ForgetUser {

  private static final Pattern USER_ID = Pattern.compile("[A-Za-z0-9._:@-]{1,128}");

  private final Lake lake;
  private final CassandraSettings cassandra;
  private final String salt;
  private final Clock clock;

  public ForgetUser(Lake lake, CassandraSettings cassandra, String salt, Clock clock) {
    this.lake = lake;
    this.cassandra = cassandra;
    this.salt = salt;
    this.clock = clock;
  }

  /** What was removed, by table (and {@code cassandra.playlists}, {@code models}). */
  public record Result(String requestId, String userHash, Map<String, Long> removed) {}

  public Result run(String userId) {
    if (!USER_ID.matcher(userId).matches()) {
      throw new PipelineException(
          "not a user id: expected 1 to 128 letters, digits or ._:@- characters");
    }
    String requestId = UUID.randomUUID().toString();
    String userHash = ForgottenUsers.hash(salt, userId);
    Instant started = clock.instant();
    Map<String, Long> removed = new TreeMap<>();
    try {
      removed.put("models", deleteModels(userId));
      removed.put(Table.BRONZE_LISTENS.sqlName(), delete(Table.BRONZE_LISTENS, namesUser(userId)));
      removed.put(Table.SILVER_LISTENS.sqlName(), delete(Table.SILVER_LISTENS, isUser(userId)));
      removed.put(
          Table.SILVER_QUARANTINE.sqlName(), delete(Table.SILVER_QUARANTINE, namesUser(userId)));
      removed.put(
          Table.BRONZE_FEEDBACK.sqlName(), delete(Table.BRONZE_FEEDBACK, namesUser(userId)));
      removed.put(Table.SILVER_FEEDBACK.sqlName(), delete(Table.SILVER_FEEDBACK, isUser(userId)));
      removed.put(
          Table.GOLD_USER_TRACK_MATRIX.sqlName(),
          delete(Table.GOLD_USER_TRACK_MATRIX, isUser(userId)));
      removed.put(
          Table.GOLD_DISCOVER_WEEKLY.sqlName(), delete(Table.GOLD_DISCOVER_WEEKLY, isUser(userId)));
      removed.put("cassandra.playlists", deletePlaylists(userId));
    } catch (RuntimeException e) {
      // The message may quote the id (a query, a path); the audit row never holds it.
      audit(
          requestId,
          userHash,
          started,
          StageOutcome.FAILED,
          removed,
          String.valueOf(e.getMessage()).replace(userId, "<user>"));
      throw e;
    }
    audit(requestId, userHash, started, StageOutcome.SUCCEEDED, removed, null);
    return new Result(requestId, userHash, removed);
  }

  private static Column isUser(String userId) {
    return col("user_id").equalTo(lit(userId));
  }

  /** A raw line that parses to U, or that quotes U's id anywhere (a broken line of U's). */
  private static Column namesUser(String userId) {
    return get_json_object(col("raw"), "$.user_id")
        .equalTo(lit(userId))
        .or(instr(col("raw"), "\"" + userId + "\"").gt(0));
  }

  private long delete(Table table, Column condition) {
    if (!lake.exists(table)) {
      return 0L;
    }
    long rows = lake.read(table).filter(condition).count();
    if (rows > 0) {
      lake.delta(table).delete(condition);
    }
    return rows;
  }

  /** Deletes every saved model of the weeks whose snapshot held U; returns how many weeks. */
  private long deleteModels(String userId) {
    if (!lake.exists(Table.GOLD_USER_TRACK_MATRIX)) {
      return 0L;
    }
    List<LocalDate> weeks =
        lake
            .read(Table.GOLD_USER_TRACK_MATRIX)
            .filter(isUser(userId))
            .select("week")
            .distinct()
            .collectAsList()
            .stream()
            .map(row -> row.getDate(0).toLocalDate())
            .toList();
    try {
      for (LocalDate week : weeks) {
        Path folder = new Path(lake.modelsPath(week));
        FileSystem fs = folder.getFileSystem(lake.spark().sparkContext().hadoopConfiguration());
        fs.delete(folder, true);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return weeks.size();
  }

  private long deletePlaylists(String userId) {
    try (CqlSession session =
        CassandraConnection.open(CassandraConnection.connector(cassandra), cassandra)) {
      if (!ServingSchema.exists(session, cassandra)) {
        return 0L;
      }
      String table = cassandra.keyspace() + "." + ServingSchema.PLAYLISTS;
      long rows =
          session
              .execute("SELECT count(*) FROM " + table + " WHERE user_id = ?", userId)
              .one()
              .getLong(0);
      session.execute("DELETE FROM " + table + " WHERE user_id = ?", userId);
      return rows;
    }
  }

  private void audit(
      String requestId,
      String userHash,
      Instant started,
      String status,
      Map<String, Long> removed,
      String message) {
    lake.ensure(Table.OPS_FORGET_REQUESTS);
    lake.spark()
        .createDataFrame(
            List.of(
                RowFactory.create(
                    requestId,
                    userHash,
                    Timestamp.from(started),
                    Timestamp.from(clock.instant()),
                    status,
                    Map.copyOf(removed),
                    message,
                    BuildInfo.version())),
            Table.OPS_FORGET_REQUESTS.schema())
        .write()
        .format("delta")
        .mode("append")
        .save(lake.path(Table.OPS_FORGET_REQUESTS));
  }
}
