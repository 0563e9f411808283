package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.discoverweekly.etl.config.PipelineConfig.ListenRules;
import org.discoverweekly.etl.privacy.ForgottenUsers;
import org.discoverweekly.etl.silver.ListenContract.Reasons;

/**
 * The feedback contract: each bronze feedback line as a block, unblock or like of one user, or the
 * reason it is rejected. A line is rejected for its shape as a listen line is (the same codes), for
 * an action none of {@code block_track, block_artist, unblock_track, unblock_artist, like_track}
 * ({@code unknown_action}), for a missing or invalid target ({@code missing_field}, {@code
 * invalid_id}), for an {@code until} that is no ISO date ({@code bad_until}), for a timestamp that
 * cannot be read or lies beyond the arrival day and the future skew, and for a track action on a
 * track the catalog does not hold ({@code unknown_track}).
 */
public final class FeedbackContract {

  /** The reasons only the feedback contract gives. */
  public static final List<String> REASONS =
      List.of(FeedbackLine.UNKNOWN_ACTION, FeedbackLine.BAD_UNTIL);

  /** One row per bronze line: the event's fields, or its reason and detail. */
  static final StructType CHECKED_SCHEMA =
      new StructType()
          .add("raw", StringType, false)
          .add("source_file", StringType, false)
          .add("ingest_date", DateType, false)
          .add("event_id", StringType, true)
          .add("user_id", StringType, true)
          .add("action", StringType, true)
          .add("track_id", StringType, true)
          .add("artist_id", StringType, true)
          .add("until", DateType, true)
          .add("ts", TimestampType, true)
          .add("event_date", DateType, true)
          .add("reason", StringType, true)
          .add("detail", StringType, true);

  private FeedbackContract() {}

  /**
   * Checks {@code bronze} ({@code raw, source_file, ingest_date}) against the contract and the
   * catalog, {@code tracks} ({@link KnownTracks}). A rejected line keeps none of its event's
   * fields.
   */
  public static Dataset<Row> check(Dataset<Row> bronze, Dataset<Row> tracks, ListenRules rules) {
    Dataset<Row> checked =
        KnownTracks.check(
            bronze
                .select(col("raw"), col("source_file"), col("ingest_date"))
                .mapPartitions(new CheckLines(rules), Encoders.row(CHECKED_SCHEMA)),
            tracks);
    Column valid = col("reason").isNull();
    return checked.select(
        Arrays.stream(CHECKED_SCHEMA.fieldNames())
            .map(
                name ->
                    EVENT_FIELDS.contains(name)
                        ? when(valid, col(name)).otherwise(lit(null)).as(name)
                        : col(name))
            .toArray(Column[]::new));
  }

  /** The fields of a valid event that a rejected line leaves null. */
  private static final Set<String> EVENT_FIELDS =
      Set.of("track_id", "artist_id", "until", "ts", "event_date");

  private static final class CheckLines implements MapPartitionsFunction<Row, Row> {
    private static final long MICROS_PER_DAY = 86_400_000_000L;
    private static final long MICROS_PER_MINUTE = 60_000_000L;

    private final ListenRules rules;

    CheckLines(ListenRules rules) {
      this.rules = rules;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> lines) {
      FeedbackLine line = new FeedbackLine(ForgottenUsers.REDACTED_PREFIX, rules.maxLineBytes());
      List<Row> out = new ArrayList<>();
      while (lines.hasNext()) {
        Row bronze = lines.next();
        String raw = bronze.getString(0);
        LocalDate ingestDate = bronze.getDate(2).toLocalDate();
        line.read(raw.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        String reason = line.reason;
        String detail = line.detail;
        String[] fields = line.fields;
        if (reason == null) {
          long ingestDay = ingestDate.toEpochDay();
          if (line.ts
              > (ingestDay + 1) * MICROS_PER_DAY + rules.futureSkewMinutes() * MICROS_PER_MINUTE) {
            reason = Reasons.FUTURE_TIMESTAMP;
            detail = fields[FeedbackLine.TS];
          }
        }
        boolean valid = reason == null;
        // The event's fields stay until the catalog rule, which reads the track id, has run.
        out.add(
            RowFactory.create(
                raw,
                bronze.getString(1),
                bronze.getDate(2),
                fields[FeedbackLine.EVENT_ID],
                fields[FeedbackLine.USER_ID],
                fields[FeedbackLine.ACTION],
                valid ? fields[FeedbackLine.TRACK_ID] : null,
                fields[FeedbackLine.ARTIST_ID],
                line.until != null ? Date.valueOf(line.until) : null,
                valid ? Timestamp.from(instant(line.ts)) : null,
                valid
                    ? Date.valueOf(LocalDate.ofEpochDay(Math.floorDiv(line.ts, MICROS_PER_DAY)))
                    : null,
                reason,
                detail));
      }
      return out.iterator();
    }

    private static Instant instant(long micros) {
      return Instant.ofEpochSecond(
          Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000);
    }
  }
}
