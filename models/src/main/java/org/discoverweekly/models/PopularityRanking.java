package org.discoverweekly.models;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The popularity ranking: the tracks by how many users of the matrix streamed them, most first and
 * ties to the lower track index, one order that each user walks down past their heard tracks under
 * the artist cap.
 */
public final class PopularityRanking {

  private PopularityRanking() {}

  /**
   * Each track of {@code matrix} (one row per user × track) with its popularity, how many users
   * streamed it: {@code track_index, score} (float).
   */
  static Dataset<Row> scores(Dataset<Row> matrix) {
    return matrix
        .groupBy("track_index")
        // One row per user × track: a count of the rows with streams counts their users
        // without shuffling every (track, user) pair to find the distinct ones.
        .agg(count(when(col("streams").gt(0), lit(1))).as("listeners"))
        .select(col("track_index"), col("listeners").cast("float").as("score"));
  }

  /**
   * Ranks {@code users} ({@code user_index int, heard array<int>}, optionally {@code
   * artist_weights}) by a score per item that is the same for every user, such as popularity
   * ({@code items}: {@code track_index int, score float, artist_id string}), under the same rules
   * as {@link BlockedRanker#rank}: each block's items are sorted once and each user walks down the
   * list past the tracks they heard, so no user needs a full scan.
   */
  public static Dataset<Row> rank(
      Dataset<Row> users, Dataset<Row> items, BlockedRanker.Settings settings) {
    return CandidateBlocks.of(
            items.select(col("track_index"), array(col("score")).as("features"), col("artist_id")),
            settings.blockTracks())
        .rank(
            users.sparkSession(),
            users
                .select(col("user_index"), col("heard"), BlockedRanker.artistWeights(users))
                .toJavaRDD(),
            new ItemScoreWalker(settings.k(), settings.maxPerArtist()),
            settings);
  }

  /**
   * The positions of {@code items} by their one factor, an item score, most first and ties to the
   * lower position: the order the full ranker gives them.
   */
  static int[] order(Candidates items) {
    double[] score = new double[items.trackIndex.length];
    for (int p = 0; p < score.length; p++) {
      score[p] = items.factors[p];
    }
    return Candidates.descending(score);
  }
}
