package org.discoverweekly.models;

import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.discoverweekly.models.RankerRows.ITEMS;
import static org.discoverweekly.models.RankerRows.SCORED_ITEMS;
import static org.discoverweekly.models.RankerRows.USERS;
import static org.discoverweekly.models.RankerRows.USERS_WITH_WEIGHTS;
import static org.discoverweekly.models.RankerRows.tracksOf;
import static org.discoverweekly.models.RankerRows.user;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class PopularityRankingTest extends ModelsTestBase {

  private static final StructType MATRIX =
      new StructType()
          .add("user_index", IntegerType)
          .add("track_index", IntegerType)
          .add("streams", LongType);

  @Test
  void shouldScoreATrackByTheUsersWhoStreamedIt() {
    // Track 0: two users streamed it, one only skipped it; track 1: only skipped.
    Dataset<Row> matrix =
        rows(
            MATRIX,
            new Object[] {0, 0, 3L},
            new Object[] {1, 0, 1L},
            new Object[] {2, 0, 0L},
            new Object[] {0, 1, 0L});

    List<Row> scores = PopularityRanking.scores(matrix).orderBy("track_index").collectAsList();

    assertEquals(List.of(RowFactory.create(0, 2f), RowFactory.create(1, 0f)), scores);
  }

  @Test
  void shouldOrderByScoreMostFirstAndTiesToTheLowerPosition() {
    Candidates items =
        new Candidates(new int[] {0, 1, 2, 3}, new int[] {0, 0, 0, 0}, new float[] {2, 5, 2, 7}, 1);

    assertArrayEquals(new int[] {3, 1, 0, 2}, PopularityRanking.order(items));
  }

  @Test
  void shouldWalkPastHeardTracksUnderTheArtistCap() {
    Dataset<Row> items =
        rows(
            SCORED_ITEMS,
            new Object[] {0, 9f, "a"},
            new Object[] {1, 8f, "a"},
            new Object[] {2, 7f, "a"},
            new Object[] {3, 6f, "b"},
            new Object[] {4, 5f, "c"});
    Dataset<Row> users = rows(USERS, user(0, null, List.of(0)), user(1, null, null));

    Dataset<Row> ranked =
        PopularityRanking.rank(users, items, new BlockedRanker.Settings(3, 2, 16)).cache();

    assertEquals(List.of(1, 2, 3), tracksOf(ranked, 0));
    assertEquals(List.of(0, 1, 3), tracksOf(ranked, 1));
    ranked.unpersist();
  }

  @Test
  void shouldRankExactlyAsTheFullRankerWouldByTheSameScores() {
    // Integer scores with many ties, heard tracks and a tight artist cap; every other user has
    // artist weights (powers of two, so weighted ties stay ties) and an order of their own.
    Random random = new Random(3);
    List<Object[]> itemRows = new ArrayList<>();
    List<Object[]> scoreRows = new ArrayList<>();
    for (int t = 0; t < 120; t++) {
      float score = random.nextInt(20);
      String artist = "a" + random.nextInt(25);
      itemRows.add(new Object[] {t, List.of(score), artist});
      scoreRows.add(new Object[] {t, score, artist});
    }
    List<Object[]> userRows = new ArrayList<>();
    for (int u = 0; u < 9; u++) {
      List<Integer> heard = IntStream.range(0, 30).map(i -> random.nextInt(120)).boxed().toList();
      Map<String, Double> weights =
          u % 2 == 0 ? null : Map.of("a" + random.nextInt(12), 0.5, "a" + (u + 12), 0.25);
      userRows.add(new Object[] {u, List.of(1f), u == 0 ? null : heard, weights});
    }
    Dataset<Row> users = rows(USERS_WITH_WEIGHTS, userRows.toArray(Object[][]::new));
    BlockedRanker.Settings settings = new BlockedRanker.Settings(30, 2, 4);

    List<Row> full =
        BlockedRanker.rank(users, rows(ITEMS, itemRows.toArray(Object[][]::new)), settings)
            .orderBy("user_index", "position")
            .collectAsList();
    List<Row> walked =
        PopularityRanking.rank(
                users, rows(SCORED_ITEMS, scoreRows.toArray(Object[][]::new)), settings)
            .orderBy("user_index", "position")
            .collectAsList();

    List<Row> walkedInBlocks =
        PopularityRanking.rank(
                users,
                rows(SCORED_ITEMS, scoreRows.toArray(Object[][]::new)),
                new BlockedRanker.Settings(30, 2, 4, 25))
            .orderBy("user_index", "position")
            .collectAsList();

    assertEquals(full, walked);
    assertEquals(9 * 30, walked.size());
    assertEquals(full, walkedInBlocks, "blocks of 25 track indices, merged");
  }
}
