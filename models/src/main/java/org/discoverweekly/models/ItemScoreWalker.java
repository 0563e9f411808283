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
 * {@link PopularityRanking#order} past their heard tracks. A user with artist weights has an order
 * of their own: their whole weighted column is ranked instead.
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
      ArtistWeights weights = ArtistWeights.of(items, user, 2);
      if (!weights.isEmpty()) {
        rankColumn(items, heard, weights, cap, user.getInt(0), out);
        continue;
      }
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

  /** One user's item scores, masked and weighted, ranked as the tile scorer ranks a column. */
  private void rankColumn(
      Candidates items,
      HeardFilter heard,
      ArtistWeights weights,
      ArtistCap cap,
      int user,
      List<Row> out) {
    float[] column = items.factors.clone();
    heard.mask(column, 0, 0, column.length);
    weights.apply(column, 0, 0, column.length);
    TopK best = ColumnRanking.best(column, k, cap, k);
    int[] ranks = cap.pick(best);
    for (int position = 0; position < ranks.length; position++) {
      out.add(
          RowFactory.create(
              user,
              position + 1,
              items.trackIndex[best.position(ranks[position])],
              (double) best.score(ranks[position])));
    }
  }
}
