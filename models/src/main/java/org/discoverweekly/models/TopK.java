package org.discoverweekly.models;

import java.util.Arrays;

/**
 * The bounded top-K selection: one user's best {@code bound} eligible items of the scores scanned
 * so far, ties to the lower position.
 *
 * <p>Items better than the worst kept are appended to a buffer of twice the bound; when it fills, a
 * selection keeps the best {@code bound} and the entry threshold rises to the worst of them, so an
 * item costs one comparison and, when it enters, one append. (A heap sifted each entry through up
 * to log2(bound) levels: about half the CPU samples of the weekly ranking on the bench's 200K users
 * x 100K tracks.) {@link #sort} then orders the kept items best first.
 *
 * <p>An item is kept as one long, its score's bits ordered as the floats are in the high half and
 * its position reversed in the low half, so a greater key is a better item and the selection
 * compares and moves one value, without a branch on the comparison: the selection's mispredicted
 * branches and paired swaps of two arrays had cost more than the scan of every score.
 */
final class TopK {
  private final int bound;
  private final long[] keys;
  private int size;

  /** The key of the worst kept item once the bound is reached: an item must beat it. */
  private long worst = Long.MIN_VALUE;

  /**
   * Its score: an item scoring less cannot enter. Below every finite score until then, so that
   * -infinity (a heard track) and NaN never do.
   */
  private float threshold = -Float.MAX_VALUE;

  TopK(int bound) {
    this.bound = bound;
    keys = new long[2 * bound];
  }

  /** How many items are kept; at most the bound once {@link #sort} ran. */
  int size() {
    return size;
  }

  /**
   * Offers the scores of positions {@code from .. from + count - 1}; -infinity and NaN are not
   * eligible.
   */
  void scan(float[] column, int offset, int from, int count) {
    scan(column, offset, from, count, null);
  }

  /**
   * Offers {@code count} scores of the items in slots {@code from ..} of {@code positions} (the
   * item in slot {@code s} is at position {@code positions[s]}; null: at position {@code s}).
   */
  void scan(float[] column, int offset, int from, int count, int[] positions) {
    float enter = threshold;
    for (int i = 0; i < count; i++) {
      float score = column[offset + i];
      // Only a score equal to the threshold needs its position to settle the tie.
      if (score >= enter) {
        long key = key(score, positions == null ? from + i : positions[from + i]);
        if (key > worst) {
          keys[size] = key;
          if (++size == keys.length) {
            keepBest();
            enter = threshold;
          }
        }
      }
    }
  }

  /** Whether no item scoring at most {@code most} can enter any more. */
  boolean cannotTake(double most) {
    return most < threshold;
  }

  /**
   * Keeps only the best {@code bound} items, best first, for {@link #position} and {@link #score};
   * nothing may be scanned after.
   */
  void sort() {
    if (size > bound) {
      keepBest();
    }
    Arrays.sort(keys, 0, size);
  }

  /** The position ranked {@code rank} (from 0) by {@link #sort}. */
  int position(int rank) {
    return positionOf(keys[size - 1 - rank]);
  }

  /** The score of the position ranked {@code rank}. */
  float score(int rank) {
    return scoreOf(keys[size - 1 - rank]);
  }

  /**
   * A finite or infinite score and a position as one long that orders as (score, then lower
   * position) does; -0 counts (and is reported) as 0, as the float comparison has it.
   */
  static long key(float score, int position) {
    int bits = Float.floatToRawIntBits(score + 0f);
    int ordered = bits ^ ((bits >> 31) & Integer.MAX_VALUE);
    return ((long) ordered << 32) | (Integer.MAX_VALUE - position);
  }

  /** The position a {@link #key} holds. */
  static int positionOf(long key) {
    return Integer.MAX_VALUE - (int) key;
  }

  /** The score a {@link #key} holds. */
  static float scoreOf(long key) {
    int ordered = (int) (key >> 32);
    return Float.intBitsToFloat(ordered ^ ((ordered >> 31) & Integer.MAX_VALUE));
  }

  /** Moves the best {@code bound} items to the first slots (a quickselect), drops the rest. */
  private void keepBest() {
    int lo = 0;
    int hi = size - 1;
    while (lo < hi) {
      int pivot = partition(lo, hi);
      if (pivot == bound - 1) {
        break;
      } else if (pivot < bound - 1) {
        lo = pivot + 1;
      } else {
        hi = pivot - 1;
      }
    }
    // The selection leaves slot bound - 1 in its sorted place, every better item before it: it
    // holds the worst kept.
    size = bound;
    worst = keys[bound - 1];
    threshold = scoreOf(worst);
  }

  /**
   * Partitions slots {@code lo .. hi} around the middle one: better items before it, worse after;
   * returns where it lands. Every slot is swapped and the boundary moves by the comparison's
   * outcome, which the compiler turns into arithmetic instead of a branch that random scores
   * mispredict half the time.
   */
  private int partition(int lo, int hi) {
    long[] k = keys;
    int middle = (lo + hi) >>> 1;
    long pivot = k[middle];
    k[middle] = k[hi];
    k[hi] = pivot;
    int store = lo;
    for (int i = lo; i < hi; i++) {
      long key = k[i];
      k[i] = k[store];
      k[store] = key;
      store += key > pivot ? 1 : 0;
    }
    k[hi] = k[store];
    k[store] = pivot;
    return store;
  }
}
