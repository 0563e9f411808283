package org.discoverweekly.models;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;

import dev.ludovic.netlib.blas.BLAS;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * Ranked playlists: one row per user and position, the exact top {@code k} tracks by factor dot
 * product among the candidate items, without the user's heard tracks and with at most {@code
 * maxPerArtist} tracks per artist.
 *
 * <p>Each task scores a block of users against the candidate items a tile at a time (one matrix
 * product per tile, small enough to stay in the cache), masks the block's heard tracks inside the
 * tile and keeps a bounded top list per user across tiles. Ranking after the filter, not before, is
 * what makes a user never come up short: when the artist cap leaves the list short while eligible
 * items remain, that user's whole score column is ranked with a bound that grows until the cap is
 * satisfied or the eligible tracks run out. Ties go to the lower track index, so the same factors
 * always give the same playlists.
 */
public final class BlockedRanker {

  /** The rows produced: {@code user_index, position (1..k), track_index, score}. */
  public static final StructType OUTPUT =
      new StructType()
          .add("user_index", IntegerType, false)
          .add("position", IntegerType, false)
          .add("track_index", IntegerType, false)
          .add("score", DoubleType, false);

  /**
   * A score tile holds about this many floats (1 MB), so the scan that follows the matrix product
   * reads it from the cache the product wrote it to.
   */
  static final int TILE_FLOATS = 1 << 18;

  private BlockedRanker() {}

  /** Playlist length, artist cap and how many users one matrix product scores. */
  public record Settings(int k, int maxPerArtist, int blockUsers) {
    public Settings {
      if (k < 1 || maxPerArtist < 1 || blockUsers < 1) {
        throw new IllegalArgumentException("k, maxPerArtist and blockUsers must be positive");
      }
    }
  }

  /**
   * Ranks {@code users} ({@code user_index int, features array<float>, heard array<int>} of track
   * indices, heard may be null) over {@code items} ({@code track_index int, features array<float>,
   * artist_id string}), which are collected and broadcast.
   */
  public static Dataset<Row> rank(Dataset<Row> users, Dataset<Row> items, Settings settings) {
    return rank(users, items, settings, Math.max(1, TILE_FLOATS / settings.blockUsers()));
  }

  /** {@link #rank} with the items scored {@code tileItems} at a time. */
  static Dataset<Row> rank(
      Dataset<Row> users, Dataset<Row> items, Settings settings, int tileItems) {
    Candidates candidates = Candidates.collect(items);
    Broadcast<Candidates> shared =
        JavaSparkContext.fromSparkContext(users.sparkSession().sparkContext())
            .broadcast(candidates);
    // The same users always meet in the same blocks in the same order, whatever partitioning the
    // factors came with: a native BLAS may round a user's scores differently depending on where
    // the user sits in a block, and reruns must give the same rows.
    int partitions =
        Integer.parseInt(users.sparkSession().conf().get("spark.sql.shuffle.partitions"));
    return users
        .select("user_index", "features", "heard")
        .repartition(partitions, col("user_index"))
        .sortWithinPartitions("user_index")
        .mapPartitions(
            new Scorer(
                shared, settings.k(), settings.maxPerArtist(), settings.blockUsers(), tileItems),
            Encoders.row(OUTPUT));
  }

  /**
   * Ranks {@code users} ({@code user_index int, heard array<int>}) by a score per item that is the
   * same for every user, such as popularity ({@code items}: {@code track_index int, score float,
   * artist_id string}), under the same rules as {@link #rank}: the items are sorted once and each
   * user walks down the list past the tracks they heard, so no user needs a full scan.
   */
  public static Dataset<Row> rankByItemScore(
      Dataset<Row> users, Dataset<Row> items, Settings settings) {
    Candidates candidates =
        Candidates.collect(
            items.select(col("track_index"), array(col("score")).as("features"), col("artist_id")));
    Broadcast<Candidates> shared =
        JavaSparkContext.fromSparkContext(users.sparkSession().sparkContext())
            .broadcast(candidates);
    return users
        .select("user_index", "heard")
        .mapPartitions(
            new ItemScoreWalker(shared, settings.k(), settings.maxPerArtist()),
            Encoders.row(OUTPUT));
  }

  /** Walks the items in score order for each user of a partition. */
  static final class ItemScoreWalker implements MapPartitionsFunction<Row, Row> {
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
      // Best first, ties to the lower track index: the order the full ranker gives.
      int[] order =
          IntStream.range(0, n)
              .boxed()
              .sorted(
                  (a, b) -> {
                    float sa = items.factors[a];
                    float sb = items.factors[b];
                    return sa > sb ? -1 : sa < sb ? 1 : Integer.compare(a, b);
                  })
              .mapToInt(Integer::intValue)
              .toArray();
      boolean[] heard = new boolean[n];
      int[] perArtist = new int[items.artistCount()];
      List<Row> out = new ArrayList<>();
      while (users.hasNext()) {
        Row user = users.next();
        List<Integer> marked = new ArrayList<>();
        if (!user.isNullAt(1)) {
          for (int track : user.<Integer>getList(1)) {
            if (track >= 0 && track < items.positionOfTrack.length) {
              int p = items.positionOfTrack[track];
              if (p >= 0 && !heard[p]) {
                heard[p] = true;
                marked.add(p);
              }
            }
          }
        }
        int position = 0;
        List<Integer> counted = new ArrayList<>();
        for (int i = 0; i < n && position < k; i++) {
          int p = order[i];
          if (heard[p] || perArtist[items.artist[p]] >= maxPerArtist) {
            continue;
          }
          perArtist[items.artist[p]]++;
          counted.add(p);
          out.add(
              RowFactory.create(
                  user.getInt(0), ++position, items.trackIndex[p], (double) items.factors[p]));
        }
        marked.forEach(p -> heard[p] = false);
        counted.forEach(p -> perArtist[items.artist[p]] = 0);
      }
      return out.iterator();
    }
  }

  /** The candidate items as dense arrays, in track-index order. */
  static final class Candidates implements Serializable {
    final int[] trackIndex;
    final int[] artist;
    final int[] positionOfTrack;
    final float[] factors;
    final int rank;

    private Candidates(int[] trackIndex, int[] artist, float[] factors, int rank) {
      this.trackIndex = trackIndex;
      this.artist = artist;
      this.factors = factors;
      this.rank = rank;
      int maxIndex = Arrays.stream(trackIndex).max().orElse(-1);
      this.positionOfTrack = new int[maxIndex + 1];
      Arrays.fill(positionOfTrack, -1);
      for (int p = 0; p < trackIndex.length; p++) {
        positionOfTrack[trackIndex[p]] = p;
      }
    }

    static Candidates collect(Dataset<Row> items) {
      List<Row> rows =
          items
              .select("track_index", "features", "artist_id")
              .orderBy("track_index")
              .collectAsList();
      int rank = rows.isEmpty() ? 0 : rows.get(0).getList(1).size();
      int[] trackIndex = new int[rows.size()];
      int[] artist = new int[rows.size()];
      float[] factors = new float[rows.size() * rank];
      Map<String, Integer> artists = new HashMap<>();
      for (int p = 0; p < rows.size(); p++) {
        Row row = rows.get(p);
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
      return new Candidates(trackIndex, artist, factors, rank);
    }

    int artistCount() {
      return Arrays.stream(artist).max().orElse(-1) + 1;
    }
  }

  /** Scores one partition of users, a block at a time. */
  static final class Scorer implements MapPartitionsFunction<Row, Row> {
    private final Broadcast<Candidates> shared;
    private final int k;
    private final int maxPerArtist;
    private final int blockUsers;
    private final int tileItems;

    Scorer(Broadcast<Candidates> shared, int k, int maxPerArtist, int blockUsers, int tileItems) {
      this.shared = shared;
      this.k = k;
      this.maxPerArtist = maxPerArtist;
      this.blockUsers = blockUsers;
      this.tileItems = tileItems;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> users) {
      Candidates items = shared.value();
      TopList top = new TopList(items, k, maxPerArtist);
      return new Iterator<>() {
        private Iterator<Row> ranked = List.<Row>of().iterator();

        @Override
        public boolean hasNext() {
          while (!ranked.hasNext() && users.hasNext()) {
            ranked = rankBlock(items, top, users).iterator();
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

    private List<Row> rankBlock(Candidates items, TopList top, Iterator<Row> users) {
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
      float[] userFactors = new float[size * rank];
      int[][] heard = new int[size][];
      for (int u = 0; u < size; u++) {
        List<Float> features = block.get(u).getList(1);
        for (int f = 0; f < rank; f++) {
          userFactors[u * rank + f] = features.get(f);
        }
        heard[u] = heardPositions(items, block.get(u));
      }
      // The items are scored a tile at a time (tileItems × users, small enough to stay in the
      // cache between the product that writes it and the scan that reads it), each user keeping
      // the best `bound` eligible items across tiles.
      int bound = Math.min(n, 4 * k);
      Best[] best = new Best[size];
      for (int u = 0; u < size; u++) {
        best[u] = new Best(bound);
      }
      int[] nextHeard = new int[size];
      int tile = Math.max(1, Math.min(n, tileItems));
      float[] scores = new float[tile * size];
      for (int from = 0; from < n; from += tile) {
        int count = Math.min(tile, n - from);
        // scores (count × users, column-major) = itemsᵀ (count × rank) · users (rank × users)
        BLAS.getInstance()
            .sgemm(
                "T",
                "N",
                count,
                size,
                rank,
                1f,
                items.factors,
                from * rank,
                rank,
                userFactors,
                0,
                rank,
                0f,
                scores,
                0,
                count);
        for (int u = 0; u < size; u++) {
          int offset = u * count;
          int[] skip = heard[u];
          int h = nextHeard[u];
          while (h < skip.length && skip[h] < from + count) {
            scores[offset + skip[h] - from] = Float.NEGATIVE_INFINITY;
            h++;
          }
          nextHeard[u] = h;
          best[u].scan(scores, offset, from, count);
        }
      }
      for (int u = 0; u < size; u++) {
        Row user = block.get(u);
        Best kept = best[u];
        int[] sorted = kept.sortedPositions();
        int[] ranks = top.pick(sorted);
        if (ranks.length < k && kept.size() == bound && bound < n) {
          // The artist cap left the list short and more eligible items remain: this user's whole
          // score column, ranked with a growing bound.
          float[] column = new float[n];
          BLAS.getInstance()
              .sgemv(
                  "T",
                  rank,
                  n,
                  1f,
                  items.factors,
                  0,
                  rank,
                  userFactors,
                  u * rank,
                  1,
                  0f,
                  column,
                  0,
                  1);
          for (int p : heard[u]) {
            column[p] = Float.NEGATIVE_INFINITY;
          }
          int[] picked = top.select(column, 0);
          for (int position = 0; position < picked.length; position++) {
            int p = picked[position];
            out.add(
                RowFactory.create(
                    user.getInt(0), position + 1, items.trackIndex[p], (double) column[p]));
          }
          continue;
        }
        for (int position = 0; position < ranks.length; position++) {
          int p = sorted[ranks[position]];
          out.add(
              RowFactory.create(
                  user.getInt(0),
                  position + 1,
                  items.trackIndex[p],
                  (double) kept.sortedScore(ranks[position])));
        }
      }
      return out;
    }

    /** The candidate positions of a user's heard tracks, ascending, without repeats. */
    private static int[] heardPositions(Candidates items, Row user) {
      if (user.isNullAt(2)) {
        return new int[0];
      }
      return user.<Integer>getList(2).stream()
          .filter(track -> track != null && track >= 0 && track < items.positionOfTrack.length)
          .mapToInt(track -> items.positionOfTrack[track])
          .filter(p -> p >= 0)
          .sorted()
          .distinct()
          .toArray();
    }
  }

  /**
   * One user's best {@code bound} eligible items of the tiles scanned so far, in a heap whose root
   * is the worst kept; ties go to the lower position.
   */
  static final class Best {
    private final int[] heap;
    private final float[] heapScores;
    private int size;
    private float[] sortedScores;

    Best(int bound) {
      heap = new int[bound];
      heapScores = new float[bound];
    }

    int size() {
      return size;
    }

    /** Offers the scores of positions {@code from .. from + count - 1}, in that order. */
    void scan(float[] scores, int offset, int from, int count) {
      int bound = heap.length;
      int i = 0;
      for (; i < count && size < bound; i++) {
        float score = scores[offset + i];
        if (score > Float.NEGATIVE_INFINITY) {
          heap[size] = from + i;
          heapScores[size] = score;
          siftUp(size++);
        }
      }
      if (size < bound) {
        return;
      }
      // Positions come in increasing order, so once the heap is full a later item enters only
      // with a strictly higher score than the worst kept: one comparison per item.
      float worst = heapScores[0];
      for (; i < count; i++) {
        float score = scores[offset + i];
        if (score > worst) {
          heap[0] = from + i;
          heapScores[0] = score;
          siftDown();
          worst = heapScores[0];
        }
      }
    }

    /** The kept positions, best first; {@link #sortedScores} holds their scores. */
    int[] sortedPositions() {
      Integer[] slots = new Integer[size];
      for (int i = 0; i < size; i++) {
        slots[i] = i;
      }
      Arrays.sort(slots, (a, b) -> better(a, b) ? -1 : a.equals(b) ? 0 : 1);
      int[] positions = new int[size];
      sortedScores = new float[size];
      for (int i = 0; i < size; i++) {
        positions[i] = heap[slots[i]];
        sortedScores[i] = heapScores[slots[i]];
      }
      return positions;
    }

    /** The score of the item {@link #sortedPositions} put at {@code rank}. */
    float sortedScore(int rank) {
      return sortedScores[rank];
    }

    /** Whether heap slot {@code a} holds a better item than slot {@code b}. */
    private boolean better(int a, int b) {
      float sa = heapScores[a];
      float sb = heapScores[b];
      return sa > sb || (sa == sb && heap[a] < heap[b]);
    }

    private void siftUp(int i) {
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (!better(parent, i)) {
          break;
        }
        swap(i, parent);
        i = parent;
      }
    }

    private void siftDown() {
      int i = 0;
      while (true) {
        int left = 2 * i + 1;
        int right = left + 1;
        int worst = i;
        if (left < size && better(worst, left)) {
          worst = left;
        }
        if (right < size && better(worst, right)) {
          worst = right;
        }
        if (worst == i) {
          return;
        }
        swap(i, worst);
        i = worst;
      }
    }

    private void swap(int i, int j) {
      int position = heap[i];
      heap[i] = heap[j];
      heap[j] = position;
      float score = heapScores[i];
      heapScores[i] = heapScores[j];
      heapScores[j] = score;
    }
  }

  /**
   * The best {@code k} item positions of one score column under the artist cap: a bounded heap
   * keeps the best {@code bound} eligible items, a greedy pass applies the cap, and the bound grows
   * when the cap left the list short while more eligible items remain.
   */
  static final class TopList {
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

    int[] select(float[] scores, int offset) {
      int n = items.trackIndex.length;
      int bound = Math.min(n, 4 * k);
      while (true) {
        int[] best = best(scores, offset, n, bound);
        int[] ranks = pick(best);
        // Fewer eligible items than the bound means every eligible item was seen: the list is
        // final.
        if (ranks.length == k || best.length < bound || bound == n) {
          int[] picked = new int[ranks.length];
          for (int i = 0; i < ranks.length; i++) {
            picked[i] = best[ranks[i]];
          }
          return picked;
        }
        bound = Math.min(n, bound * 4);
      }
    }

    /**
     * The greedy artist cap over item positions sorted best first: the ranks (indices into {@code
     * best}) of at most {@code k} items, best first.
     */
    int[] pick(int[] best) {
      int[] ranks = new int[Math.min(k, best.length)];
      int count = 0;
      for (int r = 0; r < best.length && count < ranks.length; r++) {
        int artist = items.artist[best[r]];
        if (perArtist[artist] < maxPerArtist) {
          perArtist[artist]++;
          ranks[count++] = r;
        }
      }
      for (int p : best) {
        perArtist[items.artist[p]] = 0;
      }
      return Arrays.copyOf(ranks, count);
    }

    /** Positions of the best {@code bound} eligible scores, best first, ties to the lower index. */
    private static int[] best(float[] scores, int offset, int n, int bound) {
      int[] heap = new int[bound];
      int size = 0;
      // Positions come in increasing order, so once the heap is full a later item enters only
      // with a strictly higher score than the worst kept: one comparison per item.
      float worst = Float.NEGATIVE_INFINITY;
      for (int p = 0; p < n; p++) {
        float score = scores[offset + p];
        if (!(score > Float.NEGATIVE_INFINITY)) {
          continue;
        }
        if (size < bound) {
          heap[size] = p;
          siftUp(heap, size++, scores, offset);
          worst = scores[offset + heap[0]];
        } else if (score > worst) {
          heap[0] = p;
          siftDown(heap, size, scores, offset);
          worst = scores[offset + heap[0]];
        }
      }
      Integer[] sorted = new Integer[size];
      for (int i = 0; i < size; i++) {
        sorted[i] = heap[i];
      }
      Arrays.sort(sorted, (a, b) -> better(a, b, scores, offset) ? -1 : a.equals(b) ? 0 : 1);
      return Arrays.stream(sorted).mapToInt(Integer::intValue).toArray();
    }

    private static boolean better(int a, int b, float[] scores, int offset) {
      float sa = scores[offset + a];
      float sb = scores[offset + b];
      return sa > sb || (sa == sb && a < b);
    }

    /** The heap keeps its worst entry at the root. */
    private static void siftUp(int[] heap, int i, float[] scores, int offset) {
      while (i > 0) {
        int parent = (i - 1) / 2;
        if (!better(heap[parent], heap[i], scores, offset)) {
          break;
        }
        swap(heap, i, parent);
        i = parent;
      }
    }

    private static void siftDown(int[] heap, int size, float[] scores, int offset) {
      int i = 0;
      while (true) {
        int left = 2 * i + 1;
        int right = left + 1;
        int worst = i;
        if (left < size && better(heap[worst], heap[left], scores, offset)) {
          worst = left;
        }
        if (right < size && better(heap[worst], heap[right], scores, offset)) {
          worst = right;
        }
        if (worst == i) {
          return;
        }
        swap(heap, i, worst);
        i = worst;
      }
    }

    private static void swap(int[] heap, int i, int j) {
      int t = heap[i];
      heap[i] = heap[j];
      heap[j] = t;
    }
  }
}
