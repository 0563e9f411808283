package org.discoverweekly.models;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;

import dev.ludovic.netlib.blas.BLAS;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
 * tile and keeps a bounded top list per user across tiles. The tiles take the items by the length
 * of their factor vectors, longest first: a score is at most the product of the two lengths, so
 * once that bound for the next tile is below the worst of a user's kept items, no later item can
 * enter and the user is done, and a block stops when all its users are (a replay of the bench
 * week's factors for 1,990 users, heard tracks not left out: 2 or 3 tiles of 98). Ranking after the
 * filter, not before, is what makes a user never come up short: when the artist cap leaves the list
 * short while eligible items remain, that user's whole score column is ranked with a bound that
 * grows until the cap is satisfied or the eligible tracks run out. Ties go to the lower track
 * index, so the same factors always give the same playlists.
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

  /**
   * Headroom for the float rounding of a computed score over the product of the two lengths: a dot
   * product of r float terms is off by at most about r × 2^-24 of that product, far below this for
   * any rank ALS uses.
   */
  private static final double ROUNDING = 1 + 1e-3;

  /** And for scores so small that rounding is absolute. */
  private static final double TINY = 1e-30;

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
    // the user sits in a block, and reruns must give the same rows. The partitions are by a hash
    // of user_index, not by user_index: Spark drops a repartition by user_index when the join that
    // built the users already hashed them so, and adaptive execution coalesces that join's
    // partitions by their bytes, not by the scoring they hold (at 200K users: two tasks, one with
    // seven eighths of the users, 72 s while the other core idled after 14 s).
    int partitions =
        Integer.parseInt(users.sparkSession().conf().get("spark.sql.shuffle.partitions"));
    return users
        .select("user_index", "features", "heard")
        .repartition(partitions, xxhash64(col("user_index")))
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
      int[] order = items.byScore();
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

  /**
   * The candidate items as dense arrays, in track-index order (an item's position); {@link
   * #order()} gives the order the ranker scores them in, by the length of their factor vectors.
   */
  static final class Candidates implements Serializable {
    final int[] trackIndex;
    final int[] artist;
    final int[] positionOfTrack;
    final float[] factors;
    final int rank;

    private transient Order order;
    private transient int[] byScore;
    private transient float[] tiled;
    private transient int tiledBy;

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

    /**
     * The scoring order by factor length, built once per JVM holding this broadcast value when a
     * ranking by factors first asks for it (a ranking by item score never does), rather than on the
     * driver and shipped with the broadcast.
     */
    synchronized Order order() {
      if (order == null) {
        order = new Order(this);
      }
      return order;
    }

    /**
     * Positions by their one factor, an item score (see {@link #rankByItemScore}), best first and
     * ties to the lower position: the order the full ranker gives. Sorted once per JVM holding this
     * broadcast value, not once per task.
     */
    synchronized int[] byScore() {
      if (byScore == null) {
        double[] score = new double[trackIndex.length];
        for (int p = 0; p < score.length; p++) {
          score[p] = factors[p];
        }
        byScore = descending(score);
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

    /**
     * The factors in scoring order ({@link Order#byLength}), regrouped {@code tile} items at a
     * time, each tile column-major (an item's factor {@code f} at {@code f × count} from the tile's
     * start, which is slot {@code from × rank}): a tile is then the product's untransposed left
     * operand, which native BLAS kernels multiply faster than the transposed one (bench/).
     * Regrouped once per JVM holding this broadcast value, not once per task: every task of a
     * ranking asks for the same tile size.
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

  /** The candidates in scoring order: longest factor vector first, ties by position. */
  static final class Order {
    /** {@code byLength[slot]} is the position of the item scored in that slot. */
    final int[] byLength;

    /** {@code slotOf[position]}: where the item comes in {@link #byLength}. */
    final int[] slotOf;

    /**
     * The length of the factor vector of the item in each slot, never increasing among the finite
     * ones. NaN factors (NaN length) come last and never end a user's scan early: a comparison with
     * NaN is false.
     */
    final double[] lengthOfSlot;

    Order(Candidates items) {
      int n = items.trackIndex.length;
      double[] length = new double[n];
      double[] sortKey = new double[n];
      for (int p = 0; p < n; p++) {
        length[p] = Candidates.length(items.factors, p * items.rank, items.rank);
        // Lengths are never negative, so -1 puts NaN after every real length.
        sortKey[p] = Double.isNaN(length[p]) ? -1 : length[p];
      }
      byLength = Candidates.descending(sortKey);
      slotOf = new int[n];
      lengthOfSlot = new double[n];
      for (int slot = 0; slot < n; slot++) {
        slotOf[byLength[slot]] = slot;
        lengthOfSlot[slot] = length[byLength[slot]];
      }
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
      int tile = Math.max(1, Math.min(items.trackIndex.length, tileItems));
      float[] tiles = items.byTile(tile);
      return new Iterator<>() {
        private Iterator<Row> ranked = List.<Row>of().iterator();

        @Override
        public boolean hasNext() {
          while (!ranked.hasNext() && users.hasNext()) {
            ranked = rankBlock(items, tiles, tile, top, users).iterator();
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
        Candidates items, float[] tiles, int tile, TopList top, Iterator<Row> users) {
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
      Order order = items.order();
      float[] userFactors = new float[size * rank];
      double[] userLength = new double[size];
      int[][] heard = new int[size][];
      int[][] heardSlots = new int[size][];
      for (int u = 0; u < size; u++) {
        List<Float> features = block.get(u).getList(1);
        for (int f = 0; f < rank; f++) {
          userFactors[u * rank + f] = features.get(f);
        }
        userLength[u] = Candidates.length(userFactors, u * rank, rank);
        heard[u] = heardPositions(items, block.get(u));
        heardSlots[u] = Arrays.stream(heard[u]).map(p -> order.slotOf[p]).sorted().toArray();
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
      int[] nextHeard = new int[size];
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
          int[] skip = heardSlots[u];
          int h = nextHeard[u];
          while (h < skip.length && skip[h] < from + count) {
            scores[offset + skip[h] - from] = Float.NEGATIVE_INFINITY;
            h++;
          }
          nextHeard[u] = h;
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
        int[] ranks = top.pick(kept);
        if (ranks.length < k && kept.size() == bound && bound < n) {
          // The artist cap left the list short and more eligible items remain: this user's whole
          // score column, ranked with a growing bound.
          kept = top.widen(column(items, userFactors, u, heard[u]), bound);
          ranks = top.pick(kept);
        }
        int userIndex = block.get(u).getInt(0);
        for (int position = 0; position < ranks.length; position++) {
          int p = kept.position(ranks[position]);
          out.add(
              RowFactory.create(
                  userIndex,
                  position + 1,
                  items.trackIndex[p],
                  (double) kept.score(ranks[position])));
        }
      }
      return out;
    }

    /** User {@code u}'s score for every item, with its heard tracks at -infinity. */
    private static float[] column(Candidates items, float[] userFactors, int u, int[] heard) {
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
      for (int p : heard) {
        column[p] = Float.NEGATIVE_INFINITY;
      }
      return column;
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
   * The artist cap over a user's best items: a greedy pass over them best first, and a bound that
   * grows when the cap left the list short while more eligible items remain.
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

    /**
     * The best items of a whole score column kept under a bound that grows from four times {@code
     * tooSmall} until {@link #pick} finds {@code k} or every eligible item is kept, sorted.
     */
    TopK widen(float[] column, int tooSmall) {
      int n = column.length;
      int bound = tooSmall;
      while (true) {
        bound = Math.min(n, bound * 4);
        TopK best = new TopK(bound);
        best.scan(column, 0, 0, n);
        best.sort();
        // Fewer eligible items than the bound means every eligible item was seen: the list is
        // final.
        if (best.size() < bound || bound == n || pick(best).length == k) {
          return best;
        }
      }
    }

    /**
     * The greedy artist cap over sorted {@code best}: the ranks (into {@code best}) of at most
     * {@code k} items, best first.
     */
    int[] pick(TopK best) {
      int[] ranks = new int[Math.min(k, best.size())];
      int count = 0;
      for (int r = 0; r < best.size() && count < ranks.length; r++) {
        int artist = items.artist[best.position(r)];
        if (perArtist[artist] < maxPerArtist) {
          perArtist[artist]++;
          ranks[count++] = r;
        }
      }
      for (int r = 0; r < best.size(); r++) {
        perArtist[items.artist[best.position(r)]] = 0;
      }
      return Arrays.copyOf(ranks, count);
    }
  }
}
