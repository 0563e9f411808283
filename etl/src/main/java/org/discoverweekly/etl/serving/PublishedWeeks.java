package org.discoverweekly.etl.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;

/**
 * {@code published_weeks}: the weeks readers may serve. A week is added only after all its rows are
 * written, so a half-published week is never served; a rollback withdraws it at once.
 */
public final class PublishedWeeks {

  /** The partition of this product's weeks. */
  static final String PLAYLIST = "discover_weekly";

  public static final String SERVED = "served";
  public static final String ROLLED_BACK = "rolled_back";

  /** One published week. */
  public record Week(
      LocalDate week, String status, String modelVersion, long users, Instant changedAt) {

    public boolean served() {
      return SERVED.equals(status);
    }
  }

  private final CqlSession session;
  private final CassandraSettings settings;

  public PublishedWeeks(CqlSession session, CassandraSettings settings) {
    this.session = session;
    this.settings = settings;
  }

  /** Every published week, newest first. */
  public List<Week> all() {
    return session
        .execute(
            statement(
                "SELECT week, status, model_version, users, changed_at FROM "
                    + table()
                    + " WHERE playlist = ?",
                PLAYLIST))
        .all()
        .stream()
        .map(PublishedWeeks::week)
        .toList();
  }

  public Optional<Week> find(LocalDate week) {
    return all().stream().filter(published -> published.week().equals(week)).findFirst();
  }

  /** Marks W served by {@code modelVersion}'s rows; readers switch to it at once. */
  public void serve(LocalDate week, String modelVersion, long users, Instant now) {
    session.execute(
        statement(
            "INSERT INTO "
                + table()
                + " (playlist, week, status, model_version, users, changed_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)",
            PLAYLIST,
            week,
            SERVED,
            modelVersion,
            users,
            now));
  }

  /** Marks W not served; readers fall back to the week before at once. */
  public void rollBack(LocalDate week, Instant now) {
    session.execute(
        statement(
            "UPDATE " + table() + " SET status = ?, changed_at = ? WHERE playlist = ? AND week = ?",
            ROLLED_BACK,
            now,
            PLAYLIST,
            week));
  }

  SimpleStatement statement(String cql, Object... values) {
    return SimpleStatement.newInstance(cql, values)
        .setConsistencyLevel(DefaultConsistencyLevel.valueOf(settings.write().consistency()));
  }

  private String table() {
    return settings.keyspace() + "." + ServingSchema.PUBLISHED_WEEKS;
  }

  private static Week week(Row row) {
    return new Week(
        row.getLocalDate("week"),
        row.getString("status"),
        row.getString("model_version"),
        row.getLong("users"),
        row.getInstant("changed_at"));
  }
}
