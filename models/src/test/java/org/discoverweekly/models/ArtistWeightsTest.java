package org.discoverweekly.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArtistWeightsTest {

  private static final float NO = Float.NEGATIVE_INFINITY;

  /** Tracks 1, 3, 5 and 7 at positions 0 to 3 by artists a, b, a, c; lengths 1, 4, 3 and 2. */
  private static final Candidates ITEMS =
      new Candidates(
          new int[] {1, 3, 5, 7},
          new int[] {0, 1, 0, 2},
          new String[] {"a", "b", "c"},
          new float[] {1, 4, 3, 2},
          1);

  @Test
  void shouldLowerPositiveScoresByTheWeightAndNegativeOnesFurther() {
    float[] column = {8, 8, -8, 8};

    ArtistWeights.of(ITEMS, Map.of("a", 0.5)).apply(column, 0, 0, 4);

    // Artist a's items, positions 0 and 2: 8 x 0.5 and -8 / 0.5; never raised either way.
    assertArrayEquals(new float[] {4, 8, -16, 8}, column);
  }

  @Test
  void shouldWeighOnlyTheScoresInsideATile() {
    // The tile holds positions 1 and 2 at offset 1; position 0 (artist a) is outside it.
    float[] tile = {8, 8, 8, 8};

    ArtistWeights.of(ITEMS, Map.of("a", 0.5, "b", 0.25)).apply(tile, 1, 1, 2);

    assertArrayEquals(new float[] {8, 2, 4, 8}, tile);
  }

  @Test
  void shouldLeaveHeardTracksOut() {
    float[] column = {NO, 8, 8, 8};

    ArtistWeights.of(ITEMS, Map.of("a", 0.5)).apply(column, 0, 0, 4);

    assertArrayEquals(new float[] {NO, 8, 4, 8}, column);
  }

  @Test
  void shouldIgnoreArtistsWithoutCandidatesAndWeightsThatAreNoFatigue() {
    Map<String, Double> weights = new HashMap<>();
    weights.put("nobody", 0.5);
    weights.put("a", 1.0);
    weights.put("b", 0.0);
    weights.put("c", null);

    assertTrue(ArtistWeights.of(ITEMS, weights).isEmpty());
  }

  @Test
  void shouldFollowTheWeightedItemsIntoTheirScoringSlots() {
    // By length the positions come in the order 1, 2, 3, 0: artist a's are slots 1 and 3.
    float[] slots = {8, 8, 8, 8};

    ArtistWeights.of(ITEMS, Map.of("a", 0.5)).inSlots(ITEMS.order()).apply(slots, 0, 0, 4);

    assertArrayEquals(new float[] {8, 4, 8, 4}, slots);
  }
}
