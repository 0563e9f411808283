package org.discoverweekly.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArtistCapTest {

  /** A cap over items at positions 0, 1, ... by the artists numbered in {@code artists}. */
  private static ArtistCap cap(int k, int maxPerArtist, int... artists) {
    Candidates items = new Candidates(new int[artists.length], artists, new float[0], 0);
    return new ArtistCap(items, k, maxPerArtist);
  }

  /** The positions {@code cap} takes when offered 0, 1, ... best first. */
  private static List<Integer> taken(ArtistCap cap, int offered) {
    List<Integer> taken = new ArrayList<>();
    for (int p = 0; p < offered; p++) {
      if (cap.offer(p)) {
        taken.add(p);
      }
    }
    return taken;
  }

  @Test
  void shouldTakeAtMostMaxPerArtistAndFillFromBelow() {
    // The three best are one artist's; with a cap of 2 the third place goes to position 3.
    assertEquals(List.of(0, 1, 3), taken(cap(3, 2, 0, 0, 0, 1), 4));
  }

  @Test
  void shouldTakeNoMoreThanK() {
    ArtistCap cap = cap(2, 2, 0, 1, 2);

    assertEquals(List.of(0, 1), taken(cap, 3));
    assertTrue(cap.full());
    assertEquals(2, cap.size());
  }

  @Test
  void shouldStartTheNextUserFromAnEmptyList() {
    ArtistCap cap = cap(3, 1, 0, 0, 1);
    taken(cap, 3);

    cap.clear();

    assertFalse(cap.full());
    assertEquals(0, cap.size());
    assertEquals(List.of(0, 2), taken(cap, 3));
  }
}
