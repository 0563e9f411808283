package org.discoverweekly.models;

/** The candidates in scoring order: longest factor vector first, ties by position. */
final class LengthOrder {
  /** {@code byLength[slot]} is the position of the item scored in that slot. */
  final int[] byLength;

  /** {@code slotOf[position]}: where the item comes in {@link #byLength}. */
  final int[] slotOf;

  /**
   * The length of the factor vector of the item in each slot, never increasing among the finite
   * ones. NaN factors (NaN length) come last and never end a user's scan early: a comparison with
   * NaN is false.
   */
  final double[] lengthOfSlot;

  LengthOrder(Candidates items) {
    int n = items.trackIndex.length;
    double[] length = new double[n];
    double[] sortKey = new double[n];
    for (int p = 0; p < n; p++) {
      length[p] = Candidates.length(items.factors, p * items.rank, items.rank);
      // Lengths are never negative, so -1 puts NaN after every real length.
      sortKey[p] = Double.isNaN(length[p]) ? -1 : length[p];
    }
    byLength = Candidates.descending(sortKey);
    slotOf = new int[n];
    lengthOfSlot = new double[n];
    for (int slot = 0; slot < n; slot++) {
      slotOf[byLength[slot]] = slot;
      lengthOfSlot[slot] = length[byLength[slot]];
    }
  }
}
