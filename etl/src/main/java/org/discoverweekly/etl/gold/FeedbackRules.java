package org.discoverweekly.etl.gold;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * What users told the pipeline, as week W's ranking reads it from {@code silver.feedback} (events
 * before W 00:00 UTC): the blocks in force at W, and the likes, which count as streams.
 *
 * <p>For each user and blocked track or artist, the latest of its blocks and unblocks (by time,
 * then event id) decides: a block is in force unless an unblock came after it or its {@code until}
 * is before W. A track block removes the track; an artist block removes every catalog track of the
 * artist.
 */
public final class FeedbackRules {

  private FeedbackRules() {}

  /** The blocked {@code user_id, track_id} pairs in force at W. */
  public static Dataset<Row> blockedTracks(
      Dataset<Row> feedback, Dataset<Row> catalog, LocalDate week) {
    Dataset<Row> decisions =
        before(feedback, week)
            .filter(col("action").startsWith("block_").or(col("action").startsWith("unblock_")))
            .withColumn("kind", when(col("track_id").isNotNull(), "track").otherwise("artist"))
            .withColumn("target", coalesce(col("track_id"), col("artist_id")))
            .withColumn(
                "latest",
                row_number()
                    .over(
                        Window.partitionBy("user_id", "kind", "target")
                            .orderBy(col("ts").desc(), col("event_id").desc())))
            .filter(col("latest").equalTo(1))
            .filter(col("action").startsWith("block_"))
            .filter(col("until").isNull().or(col("until").geq(lit(Date.valueOf(week)))));
    Dataset<Row> tracks =
        decisions
            .filter(col("kind").equalTo("track"))
            .select(col("user_id"), col("target").as("track_id"));
    Dataset<Row> byArtist =
        decisions
            .filter(col("kind").equalTo("artist"))
            .select(col("user_id"), col("target").as("artist_id"))
            .join(catalog.select("track_id", "artist_id"), "artist_id")
            .select("user_id", "track_id");
    return tracks.unionByName(byArtist).distinct();
  }

  /**
   * The likes before W as plays ({@code user_id, track_id, ts, is_stream, is_like}): each counts as
   * one stream of the track at the time it was given, marked as a like.
   */
  public static Dataset<Row> likesAsStreams(Dataset<Row> feedback, LocalDate week) {
    return before(feedback, week)
        .filter(col("action").equalTo("like_track"))
        .select(
            col("user_id"),
            col("track_id"),
            col("ts"),
            lit(true).as("is_stream"),
            lit(true).as("is_like"));
  }

  private static Dataset<Row> before(Dataset<Row> feedback, LocalDate week) {
    Column cutoff = lit(Timestamp.from(BuildSnapshot.cutoff(week)));
    return feedback
        .filter(col("event_date").leq(lit(Date.valueOf(week))))
        .filter(col("ts").lt(cutoff));
  }
}
