package org.discoverweekly.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.xxhash64;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;

import java.util.Arrays;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Ranked playlists: one row per user and position, the exact top {@code k} tracks by factor dot
 * product among the candidate items, without the user's heard tracks and with at most {@code
 * maxPerArtist} tracks per artist.
 *
 * <p>{@link TileScorer} scores the users a block and a tile at a time; {@link HeardFilter} masks
 * each user's heard tracks, {@link TopK} keeps each user's best items and {@link ArtistCap} takes
 * the list from them. Ties go to the lower track index, so the same factors always give the same
 * playlists.
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

  /**
   * Candidates per block unless configured: about 140 MB of a block's factors at rank 16, held by
   * each executor that ranks against it.
   */
  public static final int BLOCK_TRACKS = 1_000_000;

  /**
   * Playlist length, artist cap, how many users one matrix product scores and how many track
   * indices one block of candidates spans ({@link CandidateBlocks}).
   */
  public record Settings(int k, int maxPerArtist, int blockUsers, int blockTracks) {
    public Settings {
      if (k < 1 || maxPerArtist < 1 || blockUsers < 1 || blockTracks < 1) {
        throw new IllegalArgumentException(
            "k, maxPerArtist, blockUsers and blockTracks must be positive");
      }
    }

    /** With blocks of {@link #BLOCK_TRACKS}. */
    public Settings(int k, int maxPerArtist, int blockUsers) {
      this(k, maxPerArtist, blockUsers, BLOCK_TRACKS);
    }
  }

  /**
   * Ranks {@code users} ({@code user_index int, features array<float>, heard array<int>} of track
   * indices, heard may be null; optionally {@code artist_weights map<string, double>}, see {@link
   * ArtistWeights}) over {@code items} ({@code track_index int, features array<float>, artist_id
   * string}), a block of them at a time ({@link CandidateBlocks}).
   */
  public static Dataset<Row> rank(Dataset<Row> users, Dataset<Row> items, Settings settings) {
    return rank(users, items, settings, Math.max(1, TILE_FLOATS / settings.blockUsers()));
  }

  /** {@link #rank} with the items scored {@code tileItems} at a time. */
  static Dataset<Row> rank(
      Dataset<Row> users, Dataset<Row> items, Settings settings, int tileItems) {
    // The same users always meet in the same blocks in the same order, whatever partitioning the
    // factors came with: a native BLAS may round a user's scores differently depending on where
    // the user sits in a block, and reruns must give the same rows. The partitions are by a hash
    // of user_index, not by user_index: Spark drops a repartition by user_index when the join that
    // built the users already hashed them so, and adaptive execution coalesces that join's
    // partitions by their bytes, not by the scoring they hold (at 200K users: two tasks, one with
    // seven eighths of the users, 72 s while the other core idled after 14 s).
    int partitions =
        Integer.parseInt(users.sparkSession().conf().get("spark.sql.shuffle.partitions"));
    return CandidateBlocks.of(items, settings.blockTracks())
        .rank(
            users.sparkSession(),
            users
                .select(col("user_index"), col("features"), col("heard"), artistWeights(users))
                .repartition(partitions, xxhash64(col("user_index")))
                .sortWithinPartitions("user_index")
                .toJavaRDD(),
            new TileScorer(settings.k(), settings.maxPerArtist(), settings.blockUsers(), tileItems),
            settings);
  }

  /** The users' {@code artist_weights}, or a null map when they have none. */
  static Column artistWeights(Dataset<Row> users) {
    return Arrays.asList(users.columns()).contains("artist_weights")
        ? col("artist_weights")
        : lit(null).cast("map<string,double>").as("artist_weights");
  }
}
