package org.discoverweekly.etl.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.data.UdtValue;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;

/**
 * Reads playlists the way the serving API does: the newest served week the user has a row for,
 * falling back week by week when the newest week is missing for the user or was rolled back. A row
 * counts only when it was written by the model its week was published with, so rows left from a
 * superseded publish of the same week are never served.
 */
public final class PlaylistReader {

  /** One slot of a playlist, with the played track that explains it (null ids: none). */
  public record Track(
      int position,
      String trackId,
      String trackName,
      String artistId,
      String artistName,
      double score,
      String becauseTrackId,
      String becauseTrackName,
      String becauseArtistName) {}

  /** A user's playlist for one week. */
  public record Playlist(
      String userId, LocalDate week, String source, String modelVersion, List<Track> tracks) {}

  private final CqlSession session;
  private final CassandraSettings settings;
  private final PublishedWeeks published;

  public PlaylistReader(CqlSession session, CassandraSettings settings) {
    this.session = session;
    this.settings = settings;
    this.published = new PublishedWeeks(session, settings);
  }

  /** The playlist a reader serves to {@code user} now, if any. */
  public Optional<Playlist> newest(String user) {
    Map<LocalDate, Playlist> rows = rows(user);
    for (PublishedWeeks.Week week : published.all()) {
      Playlist playlist = rows.get(week.week());
      if (week.served()
          && playlist != null
          && playlist.modelVersion().equals(week.modelVersion())) {
        return Optional.of(playlist);
      }
    }
    return Optional.empty();
  }

  /** {@code user}'s playlist for exactly {@code week}, if that week is served and has one. */
  public Optional<Playlist> forWeek(String user, LocalDate week) {
    Optional<PublishedWeeks.Week> published = this.published.find(week);
    Playlist playlist = rows(user).get(week);
    if (published.isEmpty() || !published.get().served() || playlist == null) {
      return Optional.empty();
    }
    return playlist.modelVersion().equals(published.get().modelVersion())
        ? Optional.of(playlist)
        : Optional.empty();
  }

  /** The published weeks, newest first. */
  public List<PublishedWeeks.Week> weeks() {
    return published.all();
  }

  /** Every row of the user (one per week still within its TTL), by week. */
  private Map<LocalDate, Playlist> rows(String user) {
    List<Row> rows =
        session
            .execute(
                published.statement(
                    "SELECT week, source, model_version, tracks FROM "
                        + settings.keyspace()
                        + "."
                        + ServingSchema.PLAYLISTS
                        + " WHERE user_id = ?",
                    user))
            .all();
    return rows.stream()
        .map(row -> playlist(user, row))
        .collect(Collectors.toMap(Playlist::week, Function.identity()));
  }

  private static Playlist playlist(String user, Row row) {
    List<Track> tracks =
        row.getList("tracks", UdtValue.class).stream()
            .map(
                slot ->
                    new Track(
                        slot.getInt("position"),
                        slot.getString("track_id"),
                        slot.getString("track_name"),
                        slot.getString("artist_id"),
                        slot.getString("artist_name"),
                        slot.getDouble("score"),
                        slot.getString("because_track_id"),
                        slot.getString("because_track_name"),
                        slot.getString("because_artist_name")))
            .toList();
    return new Playlist(
        user,
        row.getLocalDate("week"),
        row.getString("source"),
        row.getString("model_version"),
        tracks);
  }
}
