package org.discoverweekly.models;

/**
 * The artist cap: one user's list, taken from items offered best first, holds at most {@code k}
 * tracks and at most {@code maxPerArtist} by any one artist.
 */
final class ArtistCap {
  private final int[] artist;
  private final int k;
  private final int maxPerArtist;
  private final int[] perArtist;
  private final int[] taken;
  private int size;

  ArtistCap(Candidates items, int k, int maxPerArtist) {
    this(items.artist, items.artistCount(), k, maxPerArtist);
  }

  /** A cap over items whose artists are numbered {@code artist[position]}, from 0. */
  ArtistCap(int[] artist, int artistCount, int k, int maxPerArtist) {
    this.artist = artist;
    this.k = k;
    this.maxPerArtist = maxPerArtist;
    this.perArtist = new int[artistCount];
    this.taken = new int[k];
  }

  /**
   * Takes the item at {@code position}, offered after every better one, unless the list is full or
   * already holds {@code maxPerArtist} tracks by its artist; whether it did.
   */
  boolean offer(int position) {
    if (size == k || perArtist[artist[position]] >= maxPerArtist) {
      return false;
    }
    perArtist[artist[position]]++;
    taken[size++] = position;
    return true;
  }

  /** Whether the list holds {@code k} tracks. */
  boolean full() {
    return size == k;
  }

  /** How many tracks the list holds. */
  int size() {
    return size;
  }

  /**
   * The ranks (into sorted {@code best}) of the items this cap takes from them, best first; the cap
   * is empty again after.
   */
  int[] pick(TopK best) {
    int[] ranks = new int[best.size()];
    int count = 0;
    for (int r = 0; r < best.size() && !full(); r++) {
      if (offer(best.position(r))) {
        ranks[count++] = r;
      }
    }
    clear();
    return java.util.Arrays.copyOf(ranks, count);
  }

  /** Empties the list for the next user. */
  void clear() {
    for (int i = 0; i < size; i++) {
      perArtist[artist[taken[i]]] = 0;
    }
    size = 0;
  }
}
