package org.discoverweekly.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The merge of one user's lists from every block of candidates into the list the whole catalog
 * gives: their tracks by score, ties to the lower track index, taken by {@link ArtistCap}.
 *
 * <p>Exact because a track the whole list takes is in its block's list: fewer than {@code k} tracks
 * above it are taken overall and fewer than the cap of its artist, and of the tracks above it in
 * its block the block's list takes no more of an artist than the whole list does (it takes all of
 * them, or the whole list holds the cap already), so the block's list has room for it too.
 */
final class BlockMerge {

  private BlockMerge() {}

  /** {@link CandidateBlocks#RANKED} rows of every block to {@link BlockedRanker#OUTPUT} rows. */
  static Dataset<Row> merge(Dataset<Row> ranked, BlockedRanker.Settings settings) {
    return ranked
        .groupBy("user_index")
        .agg(collect_list(struct(col("track_index"), col("score"), col("artist_id"))).as("lists"))
        .flatMap(
            new Merge(settings.k(), settings.maxPerArtist()), Encoders.row(BlockedRanker.OUTPUT));
  }

  /** One user's merged list. */
  private static final class Merge implements FlatMapFunction<Row, Row> {
    private final int k;
    private final int maxPerArtist;

    Merge(int k, int maxPerArtist) {
      this.k = k;
      this.maxPerArtist = maxPerArtist;
    }

    @Override
    public Iterator<Row> call(Row user) {
      int userIndex = user.getInt(0);
      List<Row> tracks = new ArrayList<>(user.<Row>getList(1));
      // By track index, so a tie between two scores goes to the lower position and so the lower
      // track index, as in every block.
      tracks.sort(Comparator.comparingInt(row -> row.getInt(0)));
      int n = tracks.size();
      float[] scores = new float[n];
      int[] artist = new int[n];
      Map<String, Integer> artists = new HashMap<>();
      for (int p = 0; p < n; p++) {
        scores[p] = (float) tracks.get(p).getDouble(1);
        artist[p] = artists.computeIfAbsent(tracks.get(p).getString(2), a -> artists.size());
      }
      TopK best = new TopK(Math.max(1, n));
      best.scan(scores, 0, 0, n);
      best.sort();
      int[] ranks = new ArtistCap(artist, artists.size(), k, maxPerArtist).pick(best);
      List<Row> out = new ArrayList<>(ranks.length);
      for (int position = 0; position < ranks.length; position++) {
        int p = best.position(ranks[position]);
        out.add(
            RowFactory.create(
                userIndex,
                position + 1,
                tracks.get(p).getInt(0),
                (double) best.score(ranks[position])));
      }
      return out.iterator();
    }
  }
}
