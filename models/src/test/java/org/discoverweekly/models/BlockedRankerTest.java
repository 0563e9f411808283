package org.discoverweekly.models;

import static org.discoverweekly.models.RankerRows.ITEMS;
import static org.discoverweekly.models.RankerRows.USERS;
import static org.discoverweekly.models.RankerRows.USERS_WITH_WEIGHTS;
import static org.discoverweekly.models.RankerRows.item;
import static org.discoverweekly.models.RankerRows.listsByUser;
import static org.discoverweekly.models.RankerRows.tracksOf;
import static org.discoverweekly.models.RankerRows.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

class BlockedRankerTest extends ModelsTestBase {

  @Test
  void shouldLeaveOutHeardTracks() {
    Dataset<Row> users = rows(USERS, user(0, List.of(1f), List.of(5, 3)));
    Dataset<Row> items =
        rows(ITEMS, item(1, 1f, "a1"), item(3, 9f, "a3"), item(5, 8f, "a5"), item(7, 2f, "a7"));

    Dataset<Row> ranked = BlockedRanker.rank(users, items, new BlockedRanker.Settings(3, 2, 16));

    assertEquals(List.of(7, 1), tracksOf(ranked, 0));
  }

  @Test
  void shouldCapTracksPerArtistAndFillFromBelow() {
    // The three best tracks are by one artist; with a cap of 2 the third slot goes further down.
    Dataset<Row> users = rows(USERS, user(0, List.of(1f), null));
    Dataset<Row> items =
        rows(
            ITEMS,
            item(0, 9f, "same"),
            item(1, 8f, "same"),
            item(2, 7f, "same"),
            item(3, 1f, "other"));

    Dataset<Row> ranked = BlockedRanker.rank(users, items, new BlockedRanker.Settings(3, 2, 16));

    assertEquals(List.of(0, 1, 3), tracksOf(ranked, 0));
  }

  @Test
  void shouldRankRecentArtistsByTheirWeightedScores() {
    // Artist a's 9 and 8 weigh 4.5 and 4 at 0.5: b's 7 and d's 5 come first; c's -1 weighs -4.
    Dataset<Row> users =
        rows(
            USERS_WITH_WEIGHTS,
            new Object[] {0, List.of(1f), null, Map.of("a", 0.5, "c", 0.25)},
            new Object[] {1, List.of(1f), null, null});
    Dataset<Row> items =
        rows(
            ITEMS,
            item(0, 9f, "a"),
            item(1, 8f, "a"),
            item(2, 7f, "b"),
            item(3, 5f, "d"),
            item(4, -1f, "c"),
            item(5, -2f, "e"));

    Dataset<Row> ranked =
        BlockedRanker.rank(users, items, new BlockedRanker.Settings(6, 2, 16)).cache();

    assertEquals(List.of(2, 3, 0, 1, 5, 4), tracksOf(ranked, 0));
    assertEquals(
        List.of(7.0, 5.0, 4.5, 4.0, -2.0, -4.0),
        ranked.filter("user_index = 0").orderBy("position").collectAsList().stream()
            .map(row -> row.getDouble(3))
            .toList());
    assertEquals(List.of(0, 1, 2, 3, 4, 5), tracksOf(ranked, 1), "a user without weights");
  }

  @Test
  void shouldBreakTiesByLowerTrackIndex() {
    Dataset<Row> users = rows(USERS, user(0, List.of(1f), null));
    Dataset<Row> items = rows(ITEMS, item(4, 5f, "a"), item(2, 5f, "b"), item(9, 5f, "c"));

    Dataset<Row> ranked = BlockedRanker.rank(users, items, new BlockedRanker.Settings(2, 2, 16));

    assertEquals(List.of(2, 4), tracksOf(ranked, 0));
  }

  @Test
  void shouldMatchBruteForceExactlyAcrossBlocks() {
    // Small integer factors make every dot product exact in float, so the order is unambiguous
    // and ties (many, on purpose) must follow the lower-index rule.
    Random random = new Random(7);
    int rank = 3;
    List<Object[]> itemRows = new ArrayList<>();
    for (int t = 0; t < 200; t++) {
      itemRows.add(new Object[] {t * 2, randomFactors(random, rank), "a" + random.nextInt(40)});
    }
    List<Object[]> userRows = new ArrayList<>();
    for (int u = 0; u < 23; u++) {
      List<Integer> heard = IntStream.range(0, 150).map(i -> random.nextInt(420)).boxed().toList();
      userRows.add(user(u, randomFactors(random, rank), heard));
    }
    // One tile of all 200 items, and tiles of 7 that split users' heard tracks and ties; one
    // block of candidates, and blocks of 37 track indices whose lists are merged.
    for (int blockTracks : List.of(BlockedRanker.BLOCK_TRACKS, 37)) {
      for (int tileItems : List.of(200, 7)) {
        BlockedRanker.Settings settings = new BlockedRanker.Settings(30, 2, 5, blockTracks);
        Dataset<Row> ranked =
            BlockedRanker.rank(
                rows(USERS, userRows.toArray(Object[][]::new)),
                rows(ITEMS, itemRows.toArray(Object[][]::new)),
                settings,
                tileItems);
        String where = ", tiles " + tileItems + ", blocks of " + blockTracks;
        Map<Integer, List<Row>> lists = listsByUser(ranked);

        for (Object[] user : userRows) {
          int index = (Integer) user[0];
          List<Integer> expected = bruteForce(user, itemRows, settings);
          assertEquals(expected, tracksOf(lists, index), "user " + index + where);
          List<Integer> positions = lists.get(index).stream().map(row -> row.getInt(1)).toList();
          assertEquals(IntStream.rangeClosed(1, expected.size()).boxed().toList(), positions);
        }
        assertEquals(
            23 * 30,
            lists.values().stream().mapToInt(List::size).sum(),
            "every user has 30 eligible tracks here" + where);
      }
    }
  }

  @Test
  void shouldMatchBruteForceWithArtistWeightsAcrossTiles() {
    // Weights that are powers of two keep every weighted score exact, so ties stay ties.
    Random random = new Random(13);
    List<Object[]> itemRows = new ArrayList<>();
    for (int t = 0; t < 150; t++) {
      itemRows.add(new Object[] {t, randomFactors(random, 3), "a" + random.nextInt(20)});
    }
    List<Object[]> userRows = new ArrayList<>();
    for (int u = 0; u < 9; u++) {
      Map<String, Double> weights = new HashMap<>();
      for (int a = 0; a < 8; a++) {
        weights.put("a" + random.nextInt(20), Math.pow(2, -1 - random.nextInt(3)));
      }
      List<Integer> heard = IntStream.range(0, 30).map(i -> random.nextInt(150)).boxed().toList();
      userRows.add(new Object[] {u, randomFactors(random, 3), heard, weights});
    }
    // Blocks of 16 track indices split the weighted artists' tracks across blocks.
    for (int blockTracks : List.of(BlockedRanker.BLOCK_TRACKS, 16)) {
      BlockedRanker.Settings settings = new BlockedRanker.Settings(12, 2, 4, blockTracks);
      for (int tileItems : List.of(150, 8)) {
        Dataset<Row> ranked =
            BlockedRanker.rank(
                rows(USERS_WITH_WEIGHTS, userRows.toArray(Object[][]::new)),
                rows(ITEMS, itemRows.toArray(Object[][]::new)),
                settings,
                tileItems);
        Map<Integer, List<Row>> lists = listsByUser(ranked);

        for (Object[] user : userRows) {
          int index = (Integer) user[0];
          assertEquals(
              bruteForce(user, itemRows, settings),
              tracksOf(lists, index),
              "user " + index + ", tiles " + tileItems + ", blocks of " + blockTracks);
        }
      }
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldStopScanningOnlyWhereNoLaterItemCanEnter() {
    // Factor vectors from 1 down to 2^-12 long (small integers times powers of two, so every dot
    // product is exact and ties are real), many repeated: tiles of 16 of 3,000 items let a user
    // stop after the first tiles, and the lists must still be the brute-force ones, ties included.
    // A few items have a NaN factor: their length is NaN, they are scored last and never taken.
    Random random = new Random(5);
    int rank = 4;
    List<Object[]> itemRows = new ArrayList<>();
    for (int t = 0; t < 3_000; t++) {
      float scale = (float) Math.pow(2, -random.nextInt(13));
      List<Float> factors =
          t % 3 == 0 && t > 0
              ? (List<Float>) itemRows.get(t - 1)[1]
              : randomFactors(random, rank).stream().map(f -> f * scale).toList();
      if (t % 500 == 7) {
        factors = new ArrayList<>(factors);
        factors.set(0, Float.NaN);
      }
      itemRows.add(new Object[] {t, factors, "a" + random.nextInt(300)});
    }
    List<Object[]> userRows = new ArrayList<>();
    for (int u = 0; u < 12; u++) {
      List<Integer> heard = IntStream.range(0, 40).map(i -> random.nextInt(300)).boxed().toList();
      userRows.add(user(u, randomFactors(random, rank), heard));
    }
    BlockedRanker.Settings settings = new BlockedRanker.Settings(10, 1, 4);

    Dataset<Row> ranked =
        BlockedRanker.rank(
            rows(USERS, userRows.toArray(Object[][]::new)),
            rows(ITEMS, itemRows.toArray(Object[][]::new)),
            settings,
            16);
    Map<Integer, List<Row>> lists = listsByUser(ranked);

    for (Object[] user : userRows) {
      int index = (Integer) user[0];
      assertEquals(bruteForce(user, itemRows, settings), tracksOf(lists, index), "user " + index);
    }
  }

  @Test
  void shouldLookPastTheBoundWhenTheArtistCapEmptiesIt() {
    // The 20 best tracks are one artist's, more than the bound of 4 × k = 12 kept per user: with
    // one track per artist the list must reach below them.
    List<Object[]> itemRows = new ArrayList<>();
    for (int t = 0; t < 20; t++) {
      itemRows.add(item(t, 100 - t, "same"));
    }
    for (int t = 20; t < 25; t++) {
      itemRows.add(item(t, 50 - t, "a" + t));
    }
    Dataset<Row> users = rows(USERS, user(0, List.of(1f), List.of(0)));
    Dataset<Row> items = rows(ITEMS, itemRows.toArray(Object[][]::new));

    Dataset<Row> ranked = BlockedRanker.rank(users, items, new BlockedRanker.Settings(3, 1, 4), 5);

    assertEquals(List.of(1, 20, 21), tracksOf(ranked, 0));
    assertEquals(
        List.of(99.0, 30.0, 29.0),
        ranked.orderBy("position").collectAsList().stream().map(row -> row.getDouble(3)).toList());
  }

  @Test
  void shouldGiveTheSameListsOnEveryRun() {
    Random random = new Random(11);
    List<Object[]> itemRows = new ArrayList<>();
    for (int t = 0; t < 50; t++) {
      itemRows.add(new Object[] {t, randomFactors(random, 2), "a" + (t % 7)});
    }
    Dataset<Row> users =
        rows(USERS, user(0, List.of(1f, 0f), null), user(1, List.of(0f, 1f), List.of(1, 2)));
    Dataset<Row> items = rows(ITEMS, itemRows.toArray(Object[][]::new));
    BlockedRanker.Settings settings = new BlockedRanker.Settings(10, 2, 1);

    List<Row> first =
        BlockedRanker.rank(users, items, settings)
            .orderBy("user_index", "position")
            .collectAsList();
    List<Row> second =
        BlockedRanker.rank(users, items, settings)
            .orderBy("user_index", "position")
            .collectAsList();

    assertEquals(first, second);
    assertEquals(20, first.size());
  }

  @Test
  void shouldReturnEveryEligibleTrackWhenFewerThanK() {
    Dataset<Row> users = rows(USERS, user(0, List.of(1f), List.of(0)));
    Dataset<Row> items = rows(ITEMS, item(0, 3f, "a"), item(1, 2f, "b"), item(2, 1f, "a"));

    Dataset<Row> ranked = BlockedRanker.rank(users, items, new BlockedRanker.Settings(30, 2, 16));

    assertEquals(List.of(1, 2), tracksOf(ranked, 0));
  }

  private static List<Float> randomFactors(Random random, int rank) {
    List<Float> factors = new ArrayList<>();
    for (int f = 0; f < rank; f++) {
      factors.add((float) (random.nextInt(7) - 3));
    }
    return factors;
  }

  @SuppressWarnings("unchecked")
  private static List<Integer> bruteForce(
      Object[] user, List<Object[]> items, BlockedRanker.Settings settings) {
    List<Float> userFactors = (List<Float>) user[1];
    Set<Integer> heard = new HashSet<>((List<Integer>) user[2]);
    Map<String, Double> weights =
        user.length > 3 && user[3] != null ? (Map<String, Double>) user[3] : Map.of();
    Map<Integer, Float> scores = new HashMap<>();
    Map<Integer, String> artists = new HashMap<>();
    for (Object[] item : items) {
      int track = (Integer) item[0];
      if (heard.contains(track)) {
        continue;
      }
      List<Float> itemFactors = (List<Float>) item[1];
      float score = 0;
      for (int f = 0; f < userFactors.size(); f++) {
        score += userFactors.get(f) * itemFactors.get(f);
      }
      if (Float.isNaN(score)) {
        continue;
      }
      Double weight = weights.get((String) item[2]);
      if (weight != null) {
        score = score > 0 ? score * weight.floatValue() : score / weight.floatValue();
      }
      scores.put(track, score);
      artists.put(track, (String) item[2]);
    }
    List<Integer> order =
        scores.keySet().stream()
            .sorted(
                (a, b) -> {
                  float sa = scores.get(a);
                  float sb = scores.get(b);
                  return sa > sb ? -1 : sa < sb ? 1 : Integer.compare(a, b);
                })
            .toList();
    Map<String, Integer> perArtist = new HashMap<>();
    List<Integer> picked = new ArrayList<>();
    for (int track : order) {
      if (picked.size() == settings.k()) {
        break;
      }
      if (perArtist.merge(artists.get(track), 1, Integer::sum) <= settings.maxPerArtist()) {
        picked.add(track);
      }
    }
    return picked;
  }
}
