package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.storage.Table;
import org.discoverweekly.models.FeedbackMatrix;
import org.discoverweekly.models.ImplicitAls;
import org.discoverweekly.models.Playlists;
import org.junit.jupiter.api.Test;

/** Week W's blocks in force and likes, from feedback events on inline rows. */
class FeedbackRulesTest extends SparkTestBase {

  private static final LocalDate WEEK = LocalDate.parse("2026-11-16");

  /** A catalog of t1..t3 by artist a, t4 by b, t5 by c. */
  private static Dataset<Row> catalog() {
    return rows(
        Table.SILVER_TRACKS.schema(),
        new Object[] {"t1", "a", "T1", "A", 200_000L, true},
        new Object[] {"t2", "a", "T2", "A", 200_000L, true},
        new Object[] {"t3", "a", "T3", "A", 200_000L, true},
        new Object[] {"t4", "b", "T4", "B", 200_000L, true},
        new Object[] {"t5", "c", "T5", "C", 200_000L, true});
  }

  /** One event: {@code daysBefore} days before W at noon, or after W when negative. */
  private static Object[] event(
      String id, String user, String action, String target, String until, int daysBefore) {
    Instant ts =
        WEEK.atStartOfDay(java.time.ZoneOffset.UTC)
            .toInstant()
            .minusSeconds(daysBefore * 86_400L - 43_200L);
    boolean track = action.endsWith("_track");
    return new Object[] {
      id,
      user,
      action,
      track ? target : null,
      track ? null : target,
      until == null ? null : Date.valueOf(until),
      Timestamp.from(ts),
      Date.valueOf(ts.atZone(java.time.ZoneOffset.UTC).toLocalDate()),
      Date.valueOf(WEEK),
      "file:/landing/feedback.json"
    };
  }

  private static Set<String> blocked(Object[]... events) {
    Set<String> pairs = new TreeSet<>();
    for (Row row :
        FeedbackRules.blockedTracks(rows(Table.SILVER_FEEDBACK.schema(), events), catalog(), WEEK)
            .collectAsList()) {
      pairs.add(row.getString(0) + "/" + row.getString(1));
    }
    return pairs;
  }

  @Test
  void shouldRemoveABlockedTrackAndEveryTrackOfABlockedArtist() {
    assertEquals(
        Set.of("u1/t4", "u2/t1", "u2/t2", "u2/t3"),
        blocked(
            event("e1", "u1", "block_track", "t4", null, 3),
            event("e2", "u2", "block_artist", "a", null, 3)));
  }

  @Test
  void shouldLiftABlockByALaterUnblockAndKeepOneThatCameAfterIt() {
    assertEquals(
        Set.of("u2/t4"),
        blocked(
            event("e1", "u1", "block_artist", "a", null, 5),
            event("e2", "u1", "unblock_artist", "a", null, 2),
            event("e3", "u2", "unblock_track", "t4", null, 5),
            event("e4", "u2", "block_track", "t4", null, 2)));
  }

  @Test
  void shouldIgnoreABlockWhoseUntilIsBeforeTheWeek() {
    assertEquals(
        Set.of("u2/t4"),
        blocked(
            event("e1", "u1", "block_track", "t4", "2026-11-15", 5),
            event("e2", "u2", "block_track", "t4", WEEK.toString(), 5)));
  }

  @Test
  void shouldIgnoreFeedbackGivenFromWOnward() {
    assertEquals(Set.of(), blocked(event("e1", "u1", "block_track", "t4", null, -1)));
  }

  @Test
  void shouldCountALikeBeforeWAsOneStream() {
    List<Row> likes =
        FeedbackRules.likesAsStreams(
                rows(
                    Table.SILVER_FEEDBACK.schema(),
                    event("e1", "u1", "like_track", "t5", null, 2),
                    event("e2", "u1", "block_track", "t4", null, 2),
                    event("e3", "u1", "like_track", "t3", null, -1)),
                WEEK)
            .collectAsList();

    assertEquals(1, likes.size());
    assertEquals("u1", likes.get(0).getString(0));
    assertEquals("t5", likes.get(0).getString(1));
    assertEquals(true, likes.get(0).getBoolean(3));
  }

  @Test
  void shouldFillWhatIsEligibleWhenEveryArtistButOneIsBlocked() {
    // Eight users played t1..t10 (artists a1..a5, two tracks each) and t11..t13 (artist z).
    StructType pairs =
        new StructType()
            .add("user_id", StringType)
            .add("track_id", StringType)
            .add("streams", LongType)
            .add("confidence", DoubleType);
    List<Object[]> played = new ArrayList<>();
    List<Object[]> tracks = new ArrayList<>();
    for (int t = 1; t <= 13; t++) {
      String artist = t <= 10 ? "a" + ((t + 1) / 2) : "z";
      tracks.add(new Object[] {"t" + t, artist, "T", "A", 200_000L, true});
      for (int u = 1; u <= 8; u++) {
        if ((u + t) % 3 == 0) {
          played.add(new Object[] {"u" + u, "t" + t, 1L, 1.0});
        }
      }
    }
    // u0 played t1 and t2 (artist a1) and t3, and was served t12 last week.
    for (String track : List.of("t1", "t2", "t3", "t4", "t5")) {
      played.add(new Object[] {"u0", track, 1L, 1.0});
    }
    Dataset<Row> matrix =
        FeedbackMatrix.withIndices(rows(pairs, played.toArray(Object[][]::new))).cache();
    Dataset<Row> catalog = rows(Table.SILVER_TRACKS.schema(), tracks.toArray(Object[][]::new));
    List<Object[]> blocks = new ArrayList<>();
    for (int a = 1; a <= 5; a++) {
      blocks.add(event("b" + a, "u0", "block_artist", "a" + a, null, 3));
    }
    Dataset<Row> blocked =
        FeedbackRules.blockedTracks(
            rows(Table.SILVER_FEEDBACK.schema(), blocks.toArray(Object[][]::new)), catalog, WEEK);
    Dataset<Row> served =
        rows(
            new StructType().add("user_id", StringType).add("track_id", StringType),
            new Object[] {"u0", "t12"});

    List<String> list;
    try (Playlists playlists =
        new Playlists(
            matrix,
            matrix.select("user_id", "track_id").unionByName(served).unionByName(blocked),
            catalog,
            new Playlists.Settings(30, 2, 1, Playlists.ColdStart.NONE, 4))) {
      list =
          playlists
              .recommend(
                  ImplicitAls.fit(matrix, new ImplicitAls.Settings(3, 0.1, 5, 3, 1, -1, 1)),
                  new ImplicitAls.Settings(3, 0.1, 5, 3, 1, -1, 1))
              .filter("user_id = 'u0'")
              .orderBy("position")
              .collectAsList()
              .stream()
              .map(row -> row.<String>getAs("track_id"))
              .toList();
    }

    // Artist z's unheard tracks are t11, t12 and t13; t12 was served, and the cap takes two.
    assertEquals(Set.of("t11", "t13"), new TreeSet<>(list));
    assertEquals(2, list.size());
  }
}
