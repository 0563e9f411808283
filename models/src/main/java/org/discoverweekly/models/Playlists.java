package org.discoverweekly.models;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_entries;
import static org.apache.spark.sql.functions.struct;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.ml.recommendation.ALSModel;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Weekly playlists: one row per user and position, {@code user_id, position, track_id, artist_id,
 * score, source, because_track_id}. Users with enough history get ALS's ranking ({@code source =
 * 'als'}); the others get the most popular tracks they have not heard ({@code 'popular'}) or
 * nothing, by policy. Every list leaves out each track the user ever played and every track not
 * available in the catalog.
 *
 * <p>The matrix's id numbering ({@code user_id ↔ user_index}, {@code track_id ↔ track_index}) is
 * read once and cached on first use, since candidates, heard tracks and ids all look it up; the
 * heard tracks of the users ranked are cached too, for {@link #recommend}'s two rankings and for
 * {@link #byAls} and {@link #byPopularity} of the same users: close the playlists when the rows
 * made from them have been written.
 */
public final class Playlists implements AutoCloseable {

  /** What a cold-start user gets. */
  public enum ColdStart {
    POPULAR,
    NONE
  }

  /** Playlist shape and who counts as warm. */
  public record Settings(
      int size,
      int maxPerArtist,
      int minHistoryTracks,
      ColdStart coldStart,
      int blockUsers,
      int blockTracks) {

    /** With blocks of {@link BlockedRanker#BLOCK_TRACKS} candidates. */
    public Settings(
        int size, int maxPerArtist, int minHistoryTracks, ColdStart coldStart, int blockUsers) {
      this(size, maxPerArtist, minHistoryTracks, coldStart, blockUsers, BlockedRanker.BLOCK_TRACKS);
    }

    BlockedRanker.Settings ranker() {
      return new BlockedRanker.Settings(size, maxPerArtist, blockUsers, blockTracks);
    }
  }

  private final Dataset<Row> matrix;
  private final Dataset<Row> heard;
  private final Dataset<Row> artistWeights;
  private final Dataset<Row> catalog;
  private final Settings settings;
  private Dataset<Row> userIds;
  private Dataset<Row> trackIds;
  private final Map<Dataset<Row>, Dataset<Row>> heardOfUsers = new IdentityHashMap<>();
  private final List<Dataset<Row>> cached = new ArrayList<>();

  /**
   * {@code matrix}: the feedback matrix with indices, whose pairs count as heard; {@code heard}:
   * the ({@code user_id, track_id}) played before the week that the matrix does not hold, such as
   * plays before its history window (pairs it holds may repeat); {@code catalog}: {@code track_id,
   * artist_id, available}.
   */
  public Playlists(
      Dataset<Row> matrix, Dataset<Row> heard, Dataset<Row> catalog, Settings settings) {
    this(matrix, heard, null, catalog, settings);
  }

  /**
   * As above, with {@code artistWeights} ({@code user_id, artist_id, weight}, one row per user and
   * artist, each weight in (0, 1]; null: none) weighing the scores of {@link #recommend}: each
   * user's recent artists, down-weighted by {@link ArtistWeights}.
   */
  public Playlists(
      Dataset<Row> matrix,
      Dataset<Row> heard,
      Dataset<Row> artistWeights,
      Dataset<Row> catalog,
      Settings settings) {
    this.matrix = matrix;
    this.heard = heard;
    this.artistWeights = artistWeights;
    this.catalog = catalog;
    this.settings = settings;
  }

  /**
   * Users of the matrix with at least the minimum number of distinct tracks: {@code user_index}.
   */
  public Dataset<Row> warmUsers() {
    return warmUsers(matrix, settings);
  }

  /** {@link #warmUsers()} of a matrix, before any heard tracks are known. */
  public static Dataset<Row> warmUsers(Dataset<Row> matrix, Settings settings) {
    return usersByTracks(matrix)
        .filter(col("tracks").geq(settings.minHistoryTracks()))
        .select("user_index");
  }

  /** Users of the matrix below the minimum: {@code user_index}. */
  public Dataset<Row> coldUsers() {
    return usersByTracks(matrix)
        .filter(col("tracks").lt(settings.minHistoryTracks()))
        .select("user_index");
  }

  /** Distinct tracks per user of the matrix (one row per user × track). */
  private static Dataset<Row> usersByTracks(Dataset<Row> matrix) {
    return matrix.groupBy("user_index").agg(count(lit(1)).as("tracks"));
  }

  /**
   * The week's playlists for every user of the matrix, by the rules above, each ALS slot with the
   * played track that explains it most ({@code because_track_id}, {@link BecauseTracks}; {@code
   * als}: the settings the model was fitted with); popular slots have none.
   */
  public Dataset<Row> recommend(ALSModel model, ImplicitAls.Settings als) {
    // Every user is ranked, warm or cold, so every user's heard tracks are aggregated as they are,
    // once for both (cached: Spark aggregated them twice otherwise): a filter by the ranked users
    // first shuffled every pair of the matrix to join them.
    Dataset<Row> everyUsersHeard = withWeights(cache(heardByUser(heardPairs())));
    // Cached: the explanations read the ranking, and the rows are made from it.
    Dataset<Row> byAls = cache(rankByAls(warmUsers(), model, everyUsersHeard));
    Dataset<Row> ranked =
        byAls
            .join(
                BecauseTracks.explain(byAls, matrix, model, als),
                new String[] {"user_index", "position"},
                "left_outer")
            .withColumn("source", lit("als"));
    if (settings.coldStart() == ColdStart.POPULAR) {
      ranked =
          ranked.unionByName(
              rankByPopularity(coldUsers(), everyUsersHeard)
                  .withColumn("because_track_index", lit(null).cast("int"))
                  .withColumn("source", lit("popular")));
    }
    return withIds(ranked);
  }

  /**
   * The popularity baseline of the week: what the popularity ranking would give every warm user
   * under the same rules, memory included ({@code user_id, position, track_id, artist_id, score}).
   */
  public Dataset<Row> baseline() {
    Dataset<Row> everyUsersHeard = withWeights(cache(heardByUser(heardPairs())));
    return withIds(
        rankByPopularity(warmUsers(), everyUsersHeard)
            .withColumn("because_track_index", lit(null).cast("int")));
  }

  /**
   * The users' heard tracks ({@code user_index, heard}) with their artist weights as a map, when
   * there are any: users with weights and nothing heard are no users of the matrix.
   */
  private Dataset<Row> withWeights(Dataset<Row> heardByUser) {
    if (artistWeights == null) {
      return heardByUser;
    }
    Dataset<Row> byUser =
        artistWeights
            .join(userIds(), "user_id")
            .groupBy("user_index")
            .agg(
                map_from_entries(
                        collect_list(struct(col("artist_id"), col("weight").cast("double"))))
                    .as("artist_weights"));
    return heardByUser.join(byUser, "user_index", "left_outer");
  }

  /** ALS's ranking for {@code users} ({@code user_index}): {@link BlockedRanker#OUTPUT} rows. */
  public Dataset<Row> byAls(Dataset<Row> users, ALSModel model) {
    return rankByAls(users, model, heardIndices(users));
  }

  private Dataset<Row> rankByAls(Dataset<Row> users, ALSModel model, Dataset<Row> heard) {
    Dataset<Row> userFactors =
        model.userFactors().select(col("id").as("user_index"), col("features"));
    Dataset<Row> itemFactors =
        model.itemFactors().select(col("id").as("track_index"), col("features"));
    return BlockedRanker.rank(
        users.join(userFactors, "user_index").join(heard, "user_index", "left_outer"),
        candidates(itemFactors).select("track_index", "features", "artist_id"),
        settings.ranker());
  }

  /**
   * The popularity ranking for {@code users}: tracks by how many users of the matrix streamed them,
   * under the same filter and cap.
   */
  public Dataset<Row> byPopularity(Dataset<Row> users) {
    return rankByPopularity(users, heardIndices(users));
  }

  private Dataset<Row> rankByPopularity(Dataset<Row> users, Dataset<Row> heard) {
    Dataset<Row> candidates =
        candidates(PopularityRanking.scores(matrix)).select("track_index", "score", "artist_id");
    return PopularityRanking.rank(
        users.join(heard, "user_index", "left_outer"), candidates, settings.ranker());
  }

  /**
   * Ranked rows with string ids ({@code user_id, track_id, artist_id, because_track_id}) in place
   * of the indices; other columns, such as {@code source}, are kept.
   */
  private Dataset<Row> withIds(Dataset<Row> ranked) {
    Dataset<Row> withIds =
        ranked
            .join(userIds(), "user_index")
            .join(trackIds(), "track_index")
            .join(catalog.select("track_id", "artist_id"), "track_id")
            .drop("user_index", "track_index");
    return withIds
        .join(
            trackIds()
                .select(
                    col("track_index").as("because_track_index"),
                    col("track_id").as("because_track_id")),
            "because_track_index",
            "left_outer")
        .drop("because_track_index");
  }

  /**
   * Ranked rows with the track id ({@code track_id}) beside the index, all columns kept: enough to
   * score a ranking against the tracks users went on to play.
   */
  public Dataset<Row> withTrackIds(Dataset<Row> ranked) {
    return ranked.join(trackIds(), "track_index");
  }

  /** Scored items that are in the catalog and available, with their artist: ranker candidates. */
  private Dataset<Row> candidates(Dataset<Row> scoredItems) {
    Dataset<Row> available =
        catalog
            .filter(col("available"))
            .select("track_id", "artist_id")
            .join(trackIds(), "track_id");
    return scoredItems.join(available, "track_index");
  }

  /**
   * Heard tracks as track indices for each of {@code users} ({@code user_index}) who heard any: the
   * matrix's pairs and the other heard pairs, whose tracks outside the matrix can never be
   * candidates. Only the users ranked are aggregated: the backtest ranks a sample of a few
   * thousand, and the cold-start users are a handful. The other pairs map to indices by a join with
   * the matrix's track ids (which Spark broadcasts while they are under its broadcast threshold, so
   * without a shuffle of the pairs), and one aggregation by the integer user index removes repeats.
   * The matrix's own pairs need no lookup: on the bench's 16M listens, all in the history window,
   * this replaced a scan and an aggregation by string id of every silver listen. Cached per {@code
   * users} dataset, so ranking the same users by ALS and by popularity aggregates them once.
   */
  private Dataset<Row> heardIndices(Dataset<Row> users) {
    return heardOfUsers.computeIfAbsent(
        users,
        ranked ->
            cache(
                heardByUser(
                    heardPairs().join(ranked.select("user_index"), "user_index", "left_semi"))));
  }

  /**
   * Heard {@code user_index, track_index} pairs, aggregated per user: {@code user_index, heard}.
   */
  private static Dataset<Row> heardByUser(Dataset<Row> pairs) {
    return pairs.groupBy("user_index").agg(collect_set("track_index").as("heard"));
  }

  /** Every heard pair ({@code user_index, track_index}, possibly repeated). */
  private Dataset<Row> heardPairs() {
    Dataset<Row> other =
        heard
            .join(trackIds(), "track_id")
            .join(userIds(), "user_id")
            .select("user_index", "track_index");
    return matrix.select("user_index", "track_index").unionByName(other);
  }

  /** {@code user_id, user_index} of the matrix. */
  private Dataset<Row> userIds() {
    if (userIds == null) {
      userIds = cache(matrix.select("user_id", "user_index").distinct());
    }
    return userIds;
  }

  /** {@code track_id, track_index} of the matrix. */
  private Dataset<Row> trackIds() {
    if (trackIds == null) {
      trackIds = cache(matrix.select("track_id", "track_index").distinct());
    }
    return trackIds;
  }

  /** {@code rows} cached until {@link #close}. */
  private Dataset<Row> cache(Dataset<Row> rows) {
    Dataset<Row> kept = rows.cache();
    cached.add(kept);
    return kept;
  }

  /** Drops what the playlists cached: the id numbering, the heard tracks. */
  @Override
  public void close() {
    cached.forEach(Dataset::unpersist);
    cached.clear();
    heardOfUsers.clear();
    userIds = null;
    trackIds = null;
  }
}
