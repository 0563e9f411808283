package org.discoverweekly.models;

import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class BeyondAccuracyTest extends ModelsTestBase {

  private static final StructType PAIRS =
      new StructType().add("user_id", StringType).add("track_id", StringType);
  private static final StructType SLOTS = PAIRS.add("artist_id", StringType);

  /** Four users: t1 played by all four, t2 by two, t3 by one. */
  private static Dataset<Row> matrix() {
    return rows(
        PAIRS,
        new Object[] {"u1", "t1"},
        new Object[] {"u2", "t1"},
        new Object[] {"u3", "t1"},
        new Object[] {"u4", "t1"},
        new Object[] {"u3", "t2"},
        new Object[] {"u4", "t2"},
        new Object[] {"u4", "t3"});
  }

  /** u1: t1 and t2 by one artist; u2: t3 and t2 by two. */
  private static Dataset<Row> lists() {
    return rows(
        SLOTS,
        new Object[] {"u1", "t1", "a1"},
        new Object[] {"u1", "t2", "a1"},
        new Object[] {"u2", "t3", "a2"},
        new Object[] {"u2", "t2", "a3"});
  }

  @Test
  void shouldMeasureNoveltyArtistsAndTheTopTracksShare() {
    BeyondAccuracy.Metrics metrics = BeyondAccuracy.measure(lists(), matrix(), rows(PAIRS));

    assertEquals(2, metrics.users());
    // −log2 of 4/4, 2/4, 1/4 and 2/4.
    assertEquals((0 + 1 + 2 + 1) / 4.0, metrics.novelty(), 1e-12);
    assertEquals(1.5, metrics.artistsPerPlaylist(), 1e-12);
    // 1 % of 3 tracks rounds up to the one most played, t1: one slot of four.
    assertEquals(0.25, metrics.topTrackShare(), 1e-12);
    assertNull(metrics.overlapPrevious(), "nobody had a previous playlist");
  }

  @Test
  void shouldMeasureSeveralModelsAtOnceAsEachAlone() {
    Dataset<Row> other =
        rows(SLOTS, new Object[] {"u1", "t3", "a2"}, new Object[] {"u3", "t1", "a1"});
    Dataset<Row> previous = rows(PAIRS, new Object[] {"u1", "t3"});

    java.util.Map<String, BeyondAccuracy.Metrics> both =
        BeyondAccuracy.measureEach(
            lists()
                .withColumn("model", org.apache.spark.sql.functions.lit("one"))
                .unionByName(other.withColumn("model", org.apache.spark.sql.functions.lit("two"))),
            matrix(),
            previous);

    assertEquals(BeyondAccuracy.measure(lists(), matrix(), previous), both.get("one"));
    assertEquals(BeyondAccuracy.measure(other, matrix(), previous), both.get("two"));
    assertEquals(1.0, both.get("two").overlapPrevious(), 1e-12);
  }

  @Test
  void shouldAverageTheJaccardOverlapOverUsersWithAPreviousPlaylist() {
    // u1 had t1 and t9: {t1, t2} and {t1, t9} share one of three. u2 had none; u5 has no list.
    Dataset<Row> previous =
        rows(
            PAIRS, new Object[] {"u1", "t1"}, new Object[] {"u1", "t9"}, new Object[] {"u5", "t1"});

    BeyondAccuracy.Metrics metrics = BeyondAccuracy.measure(lists(), matrix(), previous);

    assertEquals(1.0 / 3, metrics.overlapPrevious(), 1e-12);
  }
}
