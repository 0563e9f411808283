package org.discoverweekly.etl.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.Test;

/** What publish writes to Cassandra, from gold's slots: one row per user, slots in order. */
class PublishPlaylistsTest extends SparkTestBase {

  private static final Date WEEK = Date.valueOf("2026-11-16");

  private static Object[] slot(String user, int position, String track, String source) {
    return new Object[] {
      WEEK,
      user,
      position,
      track,
      "a-" + track,
      "Track " + track,
      "Artist " + track,
      1.0 / position,
      source,
      "als-2026-11-16-abc",
      source.equals("als") ? "p-" + track : null,
      source.equals("als") ? "Played " + track : null,
      source.equals("als") ? "Artist p-" + track : null
    };
  }

  private static Dataset<Row> slots(Object[]... slots) {
    return rows(Table.GOLD_DISCOVER_WEEKLY.schema(), slots);
  }

  @Test
  void shouldGroupEachUsersSlotsIntoOneRowOrderedByPosition() {
    Dataset<Row> slots =
        slots(
            slot("u1", 3, "t3", "als"),
            slot("u1", 1, "t1", "als"),
            slot("u2", 1, "t9", "popular"),
            slot("u1", 2, "t2", "als"));

    List<Row> playlists = PublishWeek.playlists(slots).orderBy("user_id").collectAsList();

    assertEquals(2, playlists.size());
    Row first = playlists.get(0);
    assertEquals("u1", first.getAs("user_id"));
    assertEquals(
        List.of("t1", "t2", "t3"),
        first.<Row>getList(first.fieldIndex("tracks")).stream()
            .map(track -> track.<String>getAs("track_id"))
            .toList());
    assertEquals("als", first.getAs("source"));
    assertEquals("als-2026-11-16-abc", first.getAs("model_version"));
    assertEquals("popular", playlists.get(1).getAs("source"));
  }

  @Test
  void shouldCarryTheNamesAndScoreOfEverySlot() {
    Row playlist = PublishWeek.playlists(slots(slot("u1", 2, "t2", "als"))).head();
    Row track = playlist.<Row>getList(playlist.fieldIndex("tracks")).get(0);

    assertEquals(2, (int) track.getAs("position"));
    assertEquals("Track t2", track.getAs("track_name"));
    assertEquals("Artist t2", track.getAs("artist_name"));
    assertEquals("a-t2", track.getAs("artist_id"));
    assertEquals(0.5, (double) track.getAs("score"));
    assertEquals("p-t2", track.getAs("because_track_id"));
    assertEquals("Played t2", track.getAs("because_track_name"));
    assertEquals("Artist p-t2", track.getAs("because_artist_name"));
  }
}
