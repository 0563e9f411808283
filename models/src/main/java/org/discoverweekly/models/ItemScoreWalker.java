package org.discoverweekly.models;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The item-score walk: the ranked rows of one partition of users, each user walking the items in
 * {@link PopularityRanking#order} past their heard tracks.
 */
final class ItemScoreWalker implements MapPartitionsFunction<Row, Row> {
  private final Broadcast<Candidates> shared;
  private final int k;
  private final int maxPerArtist;

  ItemScoreWalker(Broadcast<Candidates> shared, int k, int maxPerArtist) {
    this.shared = shared;
    this.k = k;
    this.maxPerArtist = maxPerArtist;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> users) {
    Candidates items = shared.value();
    int n = items.trackIndex.length;
    int[] order = items.byScore();
    ArtistCap cap = new ArtistCap(items, k, maxPerArtist);
    List<Row> out = new ArrayList<>();
    while (users.hasNext()) {
      Row user = users.next();
      HeardFilter heard = HeardFilter.of(items, user, 1);
      for (int i = 0; i < n && !cap.full(); i++) {
        int p = order[i];
        if (!heard.contains(p) && cap.offer(p)) {
          out.add(
              RowFactory.create(
                  user.getInt(0), cap.size(), items.trackIndex[p], (double) items.factors[p]));
        }
      }
      cap.clear();
    }
    return out.iterator();
  }
}
