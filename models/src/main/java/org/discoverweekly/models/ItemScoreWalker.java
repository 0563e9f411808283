package org.discoverweekly.models;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/** Walks the items in score order for each user of a partition. */
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
    int[] perArtist = new int[items.artistCount()];
    List<Row> out = new ArrayList<>();
    while (users.hasNext()) {
      Row user = users.next();
      HeardFilter heard = HeardFilter.of(items, user, 1);
      int position = 0;
      List<Integer> counted = new ArrayList<>();
      for (int i = 0; i < n && position < k; i++) {
        int p = order[i];
        if (heard.contains(p) || perArtist[items.artist[p]] >= maxPerArtist) {
          continue;
        }
        perArtist[items.artist[p]]++;
        counted.add(p);
        out.add(
            RowFactory.create(
                user.getInt(0), ++position, items.trackIndex[p], (double) items.factors[p]));
      }
      counted.forEach(p -> perArtist[items.artist[p]] = 0);
    }
    return out.iterator();
  }
}
