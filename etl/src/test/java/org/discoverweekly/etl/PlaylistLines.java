package org.discoverweekly.etl;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.data.UdtValue;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;

/**
 * A week's playlists as comparable text, from gold or from Cassandra: per user, one line per slot
 * in position order (position, track, track name, artist, artist name, score, source, model). Equal
 * maps mean Cassandra serves exactly what gold holds.
 */
public final class PlaylistLines {

  private PlaylistLines() {}

  /** W's playlists in the lake's gold. */
  public static Map<String, List<String>> gold(Lake lake, LocalDate week) {
    Map<String, List<String>> playlists = new TreeMap<>();
    for (Row slot :
        lake.read(Table.GOLD_DISCOVER_WEEKLY)
            .filter("week = DATE'" + week + "'")
            .orderBy("user_id", "position")
            .collectAsList()) {
      playlists
          .computeIfAbsent(slot.getAs("user_id"), user -> new ArrayList<>())
          .add(
              line(
                  slot.<Integer>getAs("position"),
                  slot.getAs("track_id"),
                  slot.getAs("track_name"),
                  slot.getAs("artist_id"),
                  slot.getAs("artist_name"),
                  slot.<Double>getAs("score"),
                  slot.getAs("source"),
                  slot.getAs("model_version")));
    }
    return playlists;
  }

  /** W's rows in {@code keyspace}.playlists of the node {@code session} reads. */
  public static Map<String, List<String>> cassandra(
      CqlSession session, String keyspace, LocalDate week) {
    Map<String, List<String>> playlists = new TreeMap<>();
    for (var row :
        session.execute(
            SimpleStatement.newInstance(
                "SELECT user_id, week, source, model_version, tracks FROM "
                    + keyspace
                    + ".playlists"))) {
      if (!row.getLocalDate("week").equals(week)) {
        continue;
      }
      List<String> slots = new ArrayList<>();
      for (UdtValue track : row.getList("tracks", UdtValue.class)) {
        slots.add(
            line(
                track.getInt("position"),
                track.getString("track_id"),
                track.getString("track_name"),
                track.getString("artist_id"),
                track.getString("artist_name"),
                track.getDouble("score"),
                row.getString("source"),
                row.getString("model_version")));
      }
      playlists.put(row.getString("user_id"), slots);
    }
    return playlists;
  }

  private static String line(Object... fields) {
    StringBuilder line = new StringBuilder();
    for (Object field : fields) {
      line.append(line.isEmpty() ? "" : "|").append(field);
    }
    return line.toString();
  }
}
