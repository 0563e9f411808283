package org.discoverweekly.models;

/**
 * One user's whole score column ranked under the artist cap: the best items kept under a bound that
 * grows until the cap takes {@code k} of them or every eligible item is kept, so a list comes up
 * short only when the eligible items run out.
 */
final class ColumnRanking {

  private ColumnRanking() {}

  /**
   * The best items of {@code column} (heard ones at -infinity), sorted, under a bound that starts
   * at four times {@code tooSmall}: a bound known to leave the list short, or {@code k}.
   */
  static TopK best(float[] column, int tooSmall, ArtistCap cap, int k) {
    int n = column.length;
    int bound = tooSmall;
    while (true) {
      bound = Math.min(n, bound * 4);
      TopK best = new TopK(bound);
      best.scan(column, 0, 0, n);
      best.sort();
      // Fewer eligible items than the bound means every eligible item was seen: the list is
      // final.
      if (best.size() < bound || bound == n || cap.pick(best).length == k) {
        return best;
      }
    }
  }
}
