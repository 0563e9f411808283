package org.discoverweekly.models;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * The heard filter: one user's heard tracks as ascending indices into that user's scores (candidate
 * positions, or slots of the scoring order), whose scores are masked to -infinity so that no
 * ranking takes them.
 */
final class HeardFilter {
  private final int[] heard;

  private HeardFilter(int[] heard) {
    this.heard = heard;
  }

  /**
   * The heard tracks of {@code user}: its field {@code field}, as {@link #of(Candidates, List)}.
   */
  static HeardFilter of(Candidates items, Row user, int field) {
    return of(items, user.isNullAt(field) ? null : user.getList(field));
  }

  /**
   * The heard {@code tracks} (track indices, null: none) by their candidate positions; a track that
   * is no candidate cannot be ranked and is left out.
   */
  static HeardFilter of(Candidates items, List<Integer> tracks) {
    if (tracks == null) {
      return new HeardFilter(new int[0]);
    }
    return new HeardFilter(
        tracks.stream()
            .filter(track -> track != null)
            .mapToInt(items::positionOf)
            .filter(p -> p >= 0)
            .sorted()
            .distinct()
            .toArray());
  }

  /** The same tracks by the slots the tile scorer scores them in. */
  HeardFilter inSlots(LengthOrder order) {
    return new HeardFilter(Arrays.stream(heard).map(p -> order.slotOf[p]).sorted().toArray());
  }

  /** Whether the item at {@code index} is heard. */
  boolean contains(int index) {
    return Arrays.binarySearch(heard, index) >= 0;
  }

  /**
   * Sets the heard ones of the scores of indices {@code from .. from + count - 1}, held at {@code
   * scores[offset ..]}, to -infinity.
   */
  void mask(float[] scores, int offset, int from, int count) {
    int found = Arrays.binarySearch(heard, from);
    for (int h = found >= 0 ? found : -found - 1;
        h < heard.length && heard[h] < from + count;
        h++) {
      scores[offset + heard[h] - from] = Float.NEGATIVE_INFINITY;
    }
  }
}
