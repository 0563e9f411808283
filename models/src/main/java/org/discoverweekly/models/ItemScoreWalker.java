package org.discoverweekly.models;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The item-score walk: the ranked rows of one partition of users, each user walking the items in
 * {@link PopularityRanking#order} past their heard tracks. An item of a weighted artist ({@link
 * ArtistWeights}) scores no more than its place in the walk, so it waits in a queue, best first,
 * and is taken once the walk reaches an item it beats: the list is the one the weighted scores
 * give, in one walk.
 */
final class ItemScoreWalker implements CandidateBlocks.Scorer {
  private static final long serialVersionUID = 1L;

  private final int k;
  private final int maxPerArtist;

  ItemScoreWalker(int k, int maxPerArtist) {
    this.k = k;
    this.maxPerArtist = maxPerArtist;
  }

  @Override
  public Iterator<Row> rank(Candidates items, Iterator<Row> users) {
    int n = items.trackIndex.length;
    int[] order = items.byScore();
    ArtistCap cap = new ArtistCap(items, k, maxPerArtist);
    List<Row> out = new ArrayList<>();
    PriorityQueue<Long> deferred = new PriorityQueue<>(Comparator.reverseOrder());
    while (users.hasNext()) {
      Row user = users.next();
      int userIndex = user.getInt(0);
      HeardFilter heard = HeardFilter.of(items, user, 1);
      ArtistWeights weights = ArtistWeights.of(items, user, 2);
      for (int i = 0; i < n && !cap.full(); i++) {
        int p = order[i];
        if (heard.contains(p)) {
          continue;
        }
        float score = items.factors[p];
        long key = TopK.key(score, p);
        // A weighted item waits until the walk reaches the items it no longer beats.
        while (!deferred.isEmpty() && deferred.peek() > key && !cap.full()) {
          offer(items, cap, userIndex, deferred.poll(), out);
        }
        float weighted = weights.weigh(p, score);
        if (weighted == score) {
          offer(items, cap, userIndex, key, out);
        } else {
          deferred.add(TopK.key(weighted, p));
        }
      }
      while (!deferred.isEmpty() && !cap.full()) {
        offer(items, cap, userIndex, deferred.poll(), out);
      }
      deferred.clear();
      cap.clear();
    }
    return out.iterator();
  }

  /** Offers the item of {@code key} to the cap, and adds its row if taken. */
  private static void offer(Candidates items, ArtistCap cap, int user, long key, List<Row> out) {
    int p = TopK.positionOf(key);
    if (!cap.full() && cap.offer(p)) {
      out.add(
          RowFactory.create(
              user,
              cap.size(),
              items.trackIndex[p],
              (double) TopK.scoreOf(key),
              items.artistIds[items.artist[p]]));
    }
  }
}
