package org.discoverweekly.models;

import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.Row;

/**
 * Artist fatigue: one user's candidate items by artists featured in their recent playlists, as
 * ascending indices into that user's scores (candidate positions, or slots of the scoring order),
 * each with the artist's weight in (0, 1]. A weighted score never rises: a positive one is
 * multiplied by the weight, a negative one divided by it, so the order of one artist's items is
 * kept and a bound on the unweighted scores still bounds the weighted ones.
 */
final class ArtistWeights {
  private static final ArtistWeights NONE = new ArtistWeights(new int[0], new float[0]);

  private final int[] index;
  private final float[] weight;

  private ArtistWeights(int[] index, float[] weight) {
    this.index = index;
    this.weight = weight;
  }

  /**
   * The weights of {@code user}'s field {@code field} ({@code map<string, double>}: artist id to
   * weight; null: none), as {@link #of(Candidates, Map)}.
   */
  static ArtistWeights of(Candidates items, Row user, int field) {
    return user.isNullAt(field) ? NONE : of(items, user.getJavaMap(field));
  }

  /**
   * Every candidate item of the weighted artists, by position; an artist with no candidate, a
   * weight of 1 or more, or no valid weight is left out.
   */
  static ArtistWeights of(Candidates items, Map<String, ? extends Number> byArtist) {
    if (byArtist == null || byArtist.isEmpty()) {
      return NONE;
    }
    float[] byPosition = new float[0];
    int[] positions = new int[0];
    int size = 0;
    for (Map.Entry<String, ? extends Number> artist : byArtist.entrySet()) {
      int a = artist.getKey() == null ? -1 : items.artistNumber(artist.getKey());
      float w = artist.getValue() == null ? Float.NaN : artist.getValue().floatValue();
      if (a < 0 || !(w > 0 && w < 1)) {
        continue;
      }
      int[] ofArtist = items.positionsOfArtist(a);
      if (size + ofArtist.length > positions.length) {
        positions =
            Arrays.copyOf(positions, Math.max(2 * positions.length, size + ofArtist.length));
        byPosition = Arrays.copyOf(byPosition, positions.length);
      }
      for (int p : ofArtist) {
        positions[size] = p;
        byPosition[size++] = w;
      }
    }
    return sorted(Arrays.copyOf(positions, size), Arrays.copyOf(byPosition, size));
  }

  /** The same items by the slots the tile scorer scores them in. */
  ArtistWeights inSlots(LengthOrder order) {
    int[] slots = new int[index.length];
    for (int i = 0; i < index.length; i++) {
      slots[i] = order.slotOf[index[i]];
    }
    return sorted(slots, weight);
  }

  /** Whether no score is weighted. */
  boolean isEmpty() {
    return index.length == 0;
  }

  /**
   * Weighs the scores of indices {@code from .. from + count - 1}, held at {@code scores[offset
   * ..]}; -infinity (a heard track) stays -infinity.
   */
  void apply(float[] scores, int offset, int from, int count) {
    int found = Arrays.binarySearch(index, from);
    for (int i = found >= 0 ? found : -found - 1;
        i < index.length && index[i] < from + count;
        i++) {
      int at = offset + index[i] - from;
      scores[at] = weighted(scores[at], weight[i]);
    }
  }

  /** {@code score}, the score of index {@code i}, weighted as {@link #apply} weighs it. */
  float weigh(int i, float score) {
    int found = Arrays.binarySearch(index, i);
    return found < 0 ? score : weighted(score, weight[found]);
  }

  private static float weighted(float score, float weight) {
    return score > 0 ? score * weight : score / weight;
  }

  /** The pairs ordered by index; an artist's items are distinct, and artists share none. */
  private static ArtistWeights sorted(int[] index, float[] weight) {
    Integer[] order = new Integer[index.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Integer.compare(index[a], index[b]));
    int[] sortedIndex = new int[index.length];
    float[] sortedWeight = new float[index.length];
    for (int i = 0; i < order.length; i++) {
      sortedIndex[i] = index[order[i]];
      sortedWeight[i] = weight[order[i]];
    }
    return new ArtistWeights(sortedIndex, sortedWeight);
  }
}
