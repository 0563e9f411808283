package org.discoverweekly.models;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.sql.Row;

/**
 * The candidate items of one block ({@link CandidateBlocks}) as dense arrays, in track-index order
 * (an item's position); {@link #order()} gives the order the ranker scores them in, by the length
 * of their factor vectors. The lazily built orders are built once per JVM holding the block.
 */
final class Candidates implements Serializable {
  final int[] trackIndex;
  final int[] artist;

  /** {@code artistIds[a]}: the id of the artist numbered {@code a}. */
  final String[] artistIds;

  /** The lowest track index among the items, and each index's position from it (-1: none). */
  private final int firstTrack;

  private final int[] positionOfTrack;
  final float[] factors;
  final int rank;

  private transient LengthOrder order;
  private transient Map<String, Integer> artistNumbers;
  private transient int[][] positionsByArtist;
  private transient int[] byScore;
  private transient float[] tiled;
  private transient int tiledBy;

  /**
   * {@code factors}: {@code rank} per item, item after item; {@code artist}: a number per artist,
   * from 0, whose id is its number as text.
   */
  Candidates(int[] trackIndex, int[] artist, float[] factors, int rank) {
    this(
        trackIndex,
        artist,
        IntStream.range(0, Arrays.stream(artist).max().orElse(-1) + 1)
            .mapToObj(String::valueOf)
            .toArray(String[]::new),
        factors,
        rank);
  }

  /** As above, with {@code artistIds[a]} the id of the artist numbered {@code a}. */
  Candidates(int[] trackIndex, int[] artist, String[] artistIds, float[] factors, int rank) {
    this.trackIndex = trackIndex;
    this.artist = artist;
    this.artistIds = artistIds;
    this.factors = factors;
    this.rank = rank;
    // A block's items are consecutive track indices, so the lookup spans the block, not the
    // catalog.
    this.firstTrack = Arrays.stream(trackIndex).min().orElse(0);
    this.positionOfTrack =
        new int[Arrays.stream(trackIndex).max().orElse(firstTrack - 1) - firstTrack + 1];
    Arrays.fill(positionOfTrack, -1);
    for (int p = 0; p < trackIndex.length; p++) {
      positionOfTrack[trackIndex[p] - firstTrack] = p;
    }
  }

  /** The position of the item with track index {@code track}, or -1 when it is no candidate. */
  int positionOf(int track) {
    long at = (long) track - firstTrack;
    return at >= 0 && at < positionOfTrack.length ? positionOfTrack[(int) at] : -1;
  }

  /**
   * The scoring order by factor length, built once per JVM holding the block when a ranking by
   * factors first asks for it (a ranking by item score never does).
   */
  synchronized LengthOrder order() {
    if (order == null) {
      order = new LengthOrder(this);
    }
    return order;
  }

  /** The number of the artist with id {@code artistId}, or -1 when no candidate is theirs. */
  synchronized int artistNumber(String artistId) {
    if (artistNumbers == null) {
      artistNumbers = new HashMap<>();
      for (int a = 0; a < artistIds.length; a++) {
        artistNumbers.put(artistIds[a], a);
      }
    }
    return artistNumbers.getOrDefault(artistId, -1);
  }

  /** The positions of artist {@code a}'s items, ascending; built once per JVM, on first use. */
  synchronized int[] positionsOfArtist(int a) {
    if (positionsByArtist == null) {
      int[] counts = new int[artistCount()];
      for (int p = 0; p < artist.length; p++) {
        counts[artist[p]]++;
      }
      positionsByArtist = new int[counts.length][];
      for (int each = 0; each < counts.length; each++) {
        positionsByArtist[each] = new int[counts[each]];
      }
      int[] filled = new int[counts.length];
      for (int p = 0; p < artist.length; p++) {
        positionsByArtist[artist[p]][filled[artist[p]]++] = p;
      }
    }
    return positionsByArtist[a];
  }

  /** {@link PopularityRanking#order}, sorted once per JVM holding the block, not once per task. */
  synchronized int[] byScore() {
    if (byScore == null) {
      byScore = PopularityRanking.order(this);
    }
    return byScore;
  }

  /**
   * Positions {@code 0 .. key.length - 1} by {@code key}, largest first, ties to the lower
   * position: the order the full ranker gives to equal scores. Keys are finite.
   */
  static int[] descending(double[] key) {
    return IntStream.range(0, key.length)
        .boxed()
        .sorted(
            Comparator.comparingDouble((Integer p) -> key[p]).reversed().thenComparingInt(p -> p))
        .mapToInt(Integer::intValue)
        .toArray();
  }

  /** The Euclidean length of {@code values[from .. from + count - 1]}. */
  static double length(float[] values, int from, int count) {
    double sum = 0;
    for (int f = 0; f < count; f++) {
      sum += (double) values[from + f] * values[from + f];
    }
    return Math.sqrt(sum);
  }

  /**
   * The candidates of {@code rows} ({@code track_index int, features array<float>, artist_id
   * string}, in any order), by track index.
   */
  static Candidates of(List<Row> rows) {
    List<Row> sorted = new ArrayList<>(rows);
    sorted.sort(Comparator.comparingInt(row -> row.getInt(0)));
    int rank = sorted.isEmpty() ? 0 : sorted.get(0).getList(1).size();
    int[] trackIndex = new int[sorted.size()];
    int[] artist = new int[sorted.size()];
    float[] factors = new float[sorted.size() * rank];
    Map<String, Integer> artists = new HashMap<>();
    for (int p = 0; p < sorted.size(); p++) {
      Row row = sorted.get(p);
      trackIndex[p] = row.getInt(0);
      List<Float> features = row.getList(1);
      if (features.size() != rank) {
        throw new IllegalArgumentException("items have factors of different lengths");
      }
      for (int f = 0; f < rank; f++) {
        factors[p * rank + f] = features.get(f);
      }
      artist[p] = artists.computeIfAbsent(row.getString(2), a -> artists.size());
    }
    String[] artistIds = new String[artists.size()];
    artists.forEach((id, number) -> artistIds[number] = id);
    return new Candidates(trackIndex, artist, artistIds, factors, rank);
  }

  int artistCount() {
    return artistIds.length;
  }

  /**
   * The factors in scoring order ({@link LengthOrder#byLength}), regrouped {@code tile} items at a
   * time, each tile column-major (an item's factor {@code f} at {@code f × count} from the tile's
   * start, which is slot {@code from × rank}): a tile is then the product's untransposed left
   * operand, which native BLAS kernels multiply faster than the transposed one (bench/). Regrouped
   * once per JVM holding the block, not once per task: every task of a ranking asks for the same
   * tile size.
   */
  synchronized float[] byTile(int tile) {
    if (tiled == null || tiledBy != tile) {
      tiled = regroup(tile);
      tiledBy = tile;
    }
    return tiled;
  }

  private float[] regroup(int tile) {
    int n = trackIndex.length;
    int[] byLength = order().byLength;
    float[] regrouped = new float[factors.length];
    for (int from = 0; from < n; from += tile) {
      int count = Math.min(tile, n - from);
      for (int i = 0; i < count; i++) {
        for (int f = 0; f < rank; f++) {
          regrouped[from * rank + f * count + i] = factors[byLength[from + i] * rank + f];
        }
      }
    }
    return regrouped;
  }
}
