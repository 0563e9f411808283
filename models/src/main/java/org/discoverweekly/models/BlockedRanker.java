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
 * <p>Each task scores a block of users against every candidate item with one matrix product, masks
 * the block's heard tracks inside the score matrix and keeps a bounded top list per user. Ranking
 * after the filter, not before, is what makes a user never come up short: the bound grows until the
 * artist cap is satisfied or the user's eligible tracks run out. Ties go to the lower track index,
 * so the same factors always give the same playlists.
 */
public final class BlockedRanker {

  /** The rows produced: {@code user_index, position (1..k), track_index, score}. */
  public static final StructType OUTPUT =
      new StructType()
          .add("user_index", IntegerType, false)
          .add("position", IntegerType, false)
          .add("track_index", IntegerType, false)
          .add("score", DoubleType, false);

  /** A score block holds at most this many floats (64 MB) per task. */
  private static final int MAX_BLOCK_FLOATS = 16 << 20;

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
    Candidates candidates = Candidates.collect(items);
    Broadcast<Candidates> shared =
        JavaSparkContext.fromSparkContext(users.sparkSession().sparkContext())
            .broadcast(candidates);
    int blockUsers =
        Math.max(
            1,
            Math.min(
                settings.blockUsers(),
                MAX_BLOCK_FLOATS / Math.max(1, candidates.trackIndex.length)));
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
            new Scorer(shared, settings.k(), settings.maxPerArtist(), blockUsers),
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

    Scorer(Broadcast<Candidates> shared, int k, int maxPerArtist, int blockUsers) {
      this.shared = shared;
      this.k = k;
      this.maxPerArtist = maxPerArtist;
      this.blockUsers = blockUsers;
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
      float[] userFactors = new float[block.size() * rank];
      for (int u = 0; u < block.size(); u++) {
        List<Float> features = block.get(u).getList(1);
        for (int f = 0; f < rank; f++) {
          userFactors[u * rank + f] = features.get(f);
        }
      }
      // scores (n × users, column-major) = itemsᵀ (n × rank) · users (rank × users)
      float[] scores = new float[n * block.size()];
      BLAS.getInstance()
          .sgemm(
              "T",
              "N",
              n,
              block.size(),
              rank,
              1f,
              items.factors,
              rank,
              userFactors,
              rank,
              0f,
              scores,
              n);
      for (int u = 0; u < block.size(); u++) {
        Row user = block.get(u);
        int offset = u * n;
        if (!user.isNullAt(2)) {
          for (int heard : user.<Integer>getList(2)) {
            if (heard >= 0 && heard < items.positionOfTrack.length) {
              int p = items.positionOfTrack[heard];
              if (p >= 0) {
                scores[offset + p] = Float.NEGATIVE_INFINITY;
              }
            }
          }
        }
        int[] picked = top.select(scores, offset);
        for (int position = 0; position < picked.length; position++) {
          int p = picked[position];
          out.add(
              RowFactory.create(
                  user.getInt(0), position + 1, items.trackIndex[p], (double) scores[offset + p]));
        }
      }
      return out;
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
        int[] picked = new int[Math.min(k, best.length)];
        int count = 0;
        for (int p : best) {
          if (count == picked.length) {
            break;
          }
          if (perArtist[items.artist[p]] < maxPerArtist) {
            perArtist[items.artist[p]]++;
            picked[count++] = p;
          }
        }
        for (int p : best) {
          perArtist[items.artist[p]] = 0;
        }
        // Fewer eligible items than the bound means every eligible item was seen: the list is
        // final.
        if (count == k || best.length < bound || bound == n) {
          return Arrays.copyOf(picked, count);
        }
        bound = Math.min(n, bound * 4);
      }
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
