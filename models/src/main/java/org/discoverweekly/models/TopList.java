package org.discoverweekly.models;

import java.util.Arrays;

/**
 * The artist cap over a user's best items: a greedy pass over them best first, and a bound that
 * grows when the cap left the list short while more eligible items remain.
 */
final class TopList {
  private final Candidates items;
  private final int k;
  private final int maxPerArtist;
  private final int[] perArtist;

  TopList(Candidates items, int k, int maxPerArtist) {
    this.items = items;
    this.k = k;
    this.maxPerArtist = maxPerArtist;
    this.perArtist = new int[items.artistCount()];
  }

  /**
   * The best items of a whole score column kept under a bound that grows from four times {@code
   * tooSmall} until {@link #pick} finds {@code k} or every eligible item is kept, sorted.
   */
  TopK widen(float[] column, int tooSmall) {
    int n = column.length;
    int bound = tooSmall;
    while (true) {
      bound = Math.min(n, bound * 4);
      TopK best = new TopK(bound);
      best.scan(column, 0, 0, n);
      best.sort();
      // Fewer eligible items than the bound means every eligible item was seen: the list is
      // final.
      if (best.size() < bound || bound == n || pick(best).length == k) {
        return best;
      }
    }
  }

  /**
   * The greedy artist cap over sorted {@code best}: the ranks (into {@code best}) of at most {@code
   * k} items, best first.
   */
  int[] pick(TopK best) {
    int[] ranks = new int[Math.min(k, best.size())];
    int count = 0;
    for (int r = 0; r < best.size() && count < ranks.length; r++) {
      int artist = items.artist[best.position(r)];
      if (perArtist[artist] < maxPerArtist) {
        perArtist[artist]++;
        ranks[count++] = r;
      }
    }
    for (int r = 0; r < best.size(); r++) {
      perArtist[items.artist[best.position(r)]] = 0;
    }
    return Arrays.copyOf(ranks, count);
  }
}
