package org.discoverweekly.models;

import dev.ludovic.netlib.blas.BLAS;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The blocked tile scorer: the ranked rows of one partition of users, a block of users at a time.
 *
 * <p>Each task scores a block of users against the candidate items a tile at a time (one matrix
 * product per tile, small enough to stay in the cache), masks the block's heard tracks inside the
 * tile, weighs the scores of recently featured artists ({@link ArtistWeights}) and keeps a bounded
 * top list per user across tiles. The tiles take the items by the length of their factor vectors,
 * longest first: a score is at most the product of the two lengths, so once that bound for the next
 * tile is below the worst of a user's kept items (a weight never raises a score, so the bound holds
 * for weighted ones), no later item can enter and the user is done, and a block stops when all its
 * users are (a replay of the bench week's factors for 1,990 users, heard tracks not left out: 2 or
 * 3 tiles of 98). Ranking after the filter, not before, is what makes a user never come up short:
 * when the artist cap leaves the list short while eligible items remain, that user's whole score
 * column is ranked with a bound that grows until the cap is satisfied or the eligible tracks run
 * out.
 */
final class TileScorer implements CandidateBlocks.Scorer {
  /**
   * Headroom for the float rounding of a computed score over the product of the two lengths: a dot
   * product of r float terms is off by at most about r × 2^-24 of that product, far below this for
   * any rank ALS uses.
   */
  private static final double ROUNDING = 1 + 1e-3;

  /** And for scores so small that rounding is absolute. */
  private static final double TINY = 1e-30;

  private static final long serialVersionUID = 1L;

  private final int k;
  private final int maxPerArtist;
  private final int blockUsers;
  private final int tileItems;

  TileScorer(int k, int maxPerArtist, int blockUsers, int tileItems) {
    this.k = k;
    this.maxPerArtist = maxPerArtist;
    this.blockUsers = blockUsers;
    this.tileItems = tileItems;
  }

  @Override
  public Iterator<Row> rank(Candidates items, Iterator<Row> users) {
    ArtistCap cap = new ArtistCap(items, k, maxPerArtist);
    int tile = Math.max(1, Math.min(items.trackIndex.length, tileItems));
    float[] tiles = items.byTile(tile);
    return new Iterator<>() {
      private Iterator<Row> ranked = List.<Row>of().iterator();

      @Override
      public boolean hasNext() {
        while (!ranked.hasNext() && users.hasNext()) {
          ranked = rankBlock(items, tiles, tile, cap, users).iterator();
        }
        return ranked.hasNext();
      }

      @Override
      public Row next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return ranked.next();
      }
    };
  }

  private List<Row> rankBlock(
      Candidates items, float[] tiles, int tile, ArtistCap cap, Iterator<Row> users) {
    int n = items.trackIndex.length;
    int rank = items.rank;
    List<Row> block = new ArrayList<>(blockUsers);
    while (block.size() < blockUsers && users.hasNext()) {
      block.add(users.next());
    }
    List<Row> out = new ArrayList<>(block.size() * k);
    if (n == 0) {
      return out;
    }
    int size = block.size();
    LengthOrder order = items.order();
    float[] userFactors = new float[size * rank];
    double[] userLength = new double[size];
    HeardFilter[] heard = new HeardFilter[size];
    HeardFilter[] heardSlots = new HeardFilter[size];
    ArtistWeights[] weights = new ArtistWeights[size];
    ArtistWeights[] weightSlots = new ArtistWeights[size];
    for (int u = 0; u < size; u++) {
      List<Float> features = block.get(u).getList(1);
      for (int f = 0; f < rank; f++) {
        userFactors[u * rank + f] = features.get(f);
      }
      userLength[u] = Candidates.length(userFactors, u * rank, rank);
      heard[u] = HeardFilter.of(items, block.get(u), 2);
      heardSlots[u] = heard[u].inSlots(order);
      weights[u] = ArtistWeights.of(items, block.get(u), 3);
      weightSlots[u] = weights[u].inSlots(order);
    }
    // The items are scored a tile at a time (tile × users, small enough to stay in the
    // cache between the product that writes it and the scan that reads it), each user keeping
    // the best `bound` eligible items across tiles, until every user of the block is done.
    // (Leaving the done users out of later products, by packing the others' factors, gained
    // nothing measurable on bench/weekly ranker.)
    int bound = Math.min(n, 4 * k);
    TopK[] best = new TopK[size];
    for (int u = 0; u < size; u++) {
      best[u] = new TopK(bound);
    }
    boolean[] done = new boolean[size];
    int scanning = size;
    float[] scores = new float[tile * size];
    for (int from = 0; from < n && scanning > 0; from += tile) {
      int count = Math.min(tile, n - from);
      // scores (count × users, column-major) = tile (count × rank) · users (rank × users)
      BLAS.getInstance()
          .sgemm(
              "N",
              "N",
              count,
              size,
              rank,
              1f,
              tiles,
              from * rank,
              count,
              userFactors,
              0,
              rank,
              0f,
              scores,
              0,
              count);
      // The most any later item can score for a user: its length times the next slot's.
      double nextLength = from + count < n ? order.lengthOfSlot[from + count] : 0;
      for (int u = 0; u < size; u++) {
        if (done[u]) {
          continue;
        }
        int offset = u * count;
        heardSlots[u].mask(scores, offset, from, count);
        weightSlots[u].apply(scores, offset, from, count);
        best[u].scan(scores, offset, from, count, order.byLength);
        if (best[u].cannotTake(userLength[u] * nextLength * ROUNDING + TINY)) {
          done[u] = true;
          scanning--;
        }
      }
    }
    for (int u = 0; u < size; u++) {
      TopK kept = best[u];
      kept.sort();
      int[] ranks = cap.pick(kept);
      if (ranks.length < k && kept.size() == bound && bound < n) {
        // The artist cap left the list short and more eligible items remain: this user's whole
        // score column, ranked with a growing bound.
        kept =
            ColumnRanking.best(column(items, userFactors, u, heard[u], weights[u]), bound, cap, k);
        ranks = cap.pick(kept);
      }
      int userIndex = block.get(u).getInt(0);
      for (int position = 0; position < ranks.length; position++) {
        int p = kept.position(ranks[position]);
        out.add(
            RowFactory.create(
                userIndex,
                position + 1,
                items.trackIndex[p],
                (double) kept.score(ranks[position]),
                items.artistIds[items.artist[p]]));
      }
    }
    return out;
  }

  /** User {@code u}'s score for every item, weighted, with its heard tracks at -infinity. */
  private static float[] column(
      Candidates items, float[] userFactors, int u, HeardFilter heard, ArtistWeights weights) {
    int n = items.trackIndex.length;
    float[] column = new float[n];
    BLAS.getInstance()
        .sgemv(
            "T",
            items.rank,
            n,
            1f,
            items.factors,
            0,
            items.rank,
            userFactors,
            u * items.rank,
            1,
            0f,
            column,
            0,
            1);
    heard.mask(column, 0, 0, n);
    weights.apply(column, 0, 0, n);
    return column;
  }
}
