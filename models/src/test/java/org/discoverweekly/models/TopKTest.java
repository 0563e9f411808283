package org.discoverweekly.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class TopKTest {

  /** Positions kept by {@code top}, best first, after {@link TopK#sort}. */
  private static List<Integer> positions(TopK top) {
    top.sort();
    return IntStream.range(0, top.size()).map(top::position).boxed().toList();
  }

  @Test
  void shouldKeepTheBestBoundItemsBestFirst() {
    TopK top = new TopK(2);
    top.scan(new float[] {1f, 4f, 3f, 2f}, 0, 0, 4);

    assertEquals(List.of(1, 2), positions(top));
    assertEquals(4f, top.score(0));
    assertEquals(3f, top.score(1));
  }

  @Test
  void shouldBreakTiesToTheLowerPosition() {
    TopK top = new TopK(2);
    top.scan(new float[] {5f, 5f, 5f}, 0, 0, 3);

    assertEquals(List.of(0, 1), positions(top));
  }

  @Test
  void shouldNeverKeepMinusInfinityOrNaN() {
    TopK top = new TopK(3);
    top.scan(new float[] {Float.NEGATIVE_INFINITY, 2f, Float.NaN}, 0, 0, 3);

    assertEquals(List.of(1), positions(top));
  }

  @Test
  void shouldReportTheItemPositionsWhenOfferedInAnotherOrder() {
    // Slot 0 holds position 2's score, slot 1 position 0's, slot 2 position 1's.
    TopK top = new TopK(2);
    top.scan(new float[] {7f, 9f, 7f}, 0, 0, 3, new int[] {2, 0, 1});

    assertEquals(List.of(0, 1), positions(top));
  }

  @Test
  void shouldTakeNoScoreBelowTheWorstKeptOnceFull() {
    TopK top = new TopK(1);
    // The buffer of twice the bound fills, so the selection raises the threshold to 3.
    top.scan(new float[] {3f, 1f}, 0, 0, 2);

    assertTrue(top.cannotTake(2.0));
    assertFalse(top.cannotTake(3.0));
  }

  @Test
  void shouldKeepTheBestItemsOfAFullSortHoweverManyEnterAndInWhatOrder() {
    // Scores from a few values (ties everywhere, -0 tied with 0 as floats compare), rising and
    // falling runs (many items enter after the bound is reached), and ineligible -infinity and
    // NaN, offered in chunks like tiles.
    Random random = new Random(11);
    for (int bound : List.of(1, 3, 10, 120, 1_500)) {
      int n = 2_000;
      float[] scores = new float[n];
      for (int p = 0; p < n; p++) {
        int kind = random.nextInt(10);
        scores[p] =
            kind == 0
                ? Float.NEGATIVE_INFINITY
                : kind == 1
                    ? Float.NaN
                    : kind == 2
                        ? (random.nextBoolean() ? -0f : 0f)
                        : kind < 5 ? p / 100 : random.nextInt(20);
      }
      // Offered by position, or in a shuffled order of positions (as the ranker offers items, by
      // the length of their factors).
      List<Integer> shuffled = new ArrayList<>(IntStream.range(0, n).boxed().toList());
      Collections.shuffle(shuffled, random);
      int[] positions = shuffled.stream().mapToInt(Integer::intValue).toArray();
      float[] bySlot = new float[n];
      for (int slot = 0; slot < n; slot++) {
        bySlot[slot] = scores[positions[slot]];
      }
      TopK best = new TopK(bound);
      TopK shuffledBest = new TopK(bound);
      for (int from = 0; from < n; from += 37) {
        best.scan(scores, from, from, Math.min(37, n - from));
        shuffledBest.scan(bySlot, from, from, Math.min(37, n - from), positions);
      }
      best.sort();
      shuffledBest.sort();

      List<Integer> expected =
          IntStream.range(0, n)
              .filter(p -> scores[p] > Float.NEGATIVE_INFINITY)
              .boxed()
              .sorted(
                  (a, b) ->
                      scores[a] > scores[b]
                          ? -1
                          : scores[a] < scores[b] ? 1 : Integer.compare(a, b))
              .limit(bound)
              .toList();
      List<Integer> kept = new ArrayList<>();
      for (int rank = 0; rank < best.size(); rank++) {
        kept.add(best.position(rank));
        // A kept -0 is reported as 0, the value it ties with.
        assertEquals(scores[best.position(rank)] + 0f, best.score(rank));
      }
      assertEquals(expected, kept, "bound " + bound);
      List<Integer> keptShuffled = new ArrayList<>();
      for (int rank = 0; rank < shuffledBest.size(); rank++) {
        keptShuffled.add(shuffledBest.position(rank));
      }
      assertEquals(expected, keptShuffled, "bound " + bound + ", shuffled");
    }
  }
}
