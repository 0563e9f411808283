package org.discoverweekly.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class HeardFilterTest {

  private static final float NO = Float.NEGATIVE_INFINITY;

  /** Tracks 1, 3, 5 and 7 at positions 0 to 3, with one factor each: 1, 4, 3 and 2. */
  private static final Candidates ITEMS =
      new Candidates(new int[] {1, 3, 5, 7}, new int[] {0, 1, 2, 3}, new float[] {1, 4, 3, 2}, 1);

  private static HeardFilter heard(Integer... tracks) {
    return HeardFilter.of(ITEMS, Arrays.asList(tracks));
  }

  /** The indices 0 .. n - 1 that {@code filter} holds. */
  private static List<Integer> heldOf(HeardFilter filter, int n) {
    return IntStream.range(0, n).filter(filter::contains).boxed().toList();
  }

  @Test
  void shouldHoldTheCandidatePositionsOfTheHeardTracks() {
    assertEquals(List.of(1, 2), heldOf(heard(5, 3), 4));
  }

  @Test
  void shouldLeaveOutRepeatsNullsAndTracksThatAreNoCandidates() {
    assertEquals(List.of(1, 2), heldOf(heard(5, 3, 5, 99, -1, 2, null), 4));
  }

  @Test
  void shouldHoldNothingWhenTheUserHeardNothing() {
    assertEquals(List.of(), heldOf(HeardFilter.of(ITEMS, (List<Integer>) null), 4));
  }

  @Test
  void shouldMaskTheHeardScoresOfAWholeColumn() {
    float[] column = {9, 9, 9, 9};

    heard(3, 5).mask(column, 0, 0, 4);

    assertArrayEquals(new float[] {9, NO, NO, 9}, column);
  }

  @Test
  void shouldMaskOnlyTheHeardScoresInsideATile() {
    // The tile holds indices 2 and 3 at offset 1; index 1 is heard but outside it.
    float[] tile = {9, 9, 9, 9};

    heard(3, 5).mask(tile, 1, 2, 2);

    assertArrayEquals(new float[] {9, NO, 9, 9}, tile);
  }

  @Test
  void shouldFollowTheHeardTracksIntoTheirScoringSlots() {
    // By length the positions come in the order 1, 2, 3, 0: positions 1 and 2 are slots 0 and 1.
    assertEquals(List.of(0, 1), heldOf(heard(3, 5).inSlots(ITEMS.order()), 4));
  }
}
