package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.discoverweekly.etl.storage.Table.BRONZE_FEEDBACK;
import static org.discoverweekly.etl.storage.Table.SILVER_FEEDBACK;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import org.discoverweekly.etl.config.PipelineConfig.ListenRules;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;

/**
 * Silver feedback for arrival dates, beside the listens of the same silver run: bronze feedback
 * lines checked by {@link FeedbackContract}, rejects for {@code silver.quarantine} (feed {@code
 * feedback}), new events merged into {@code silver.feedback} by event id; per date, bronze = new +
 * duplicates + quarantined. Open while the run lasts: the checked lines are cached.
 */
final class FeedbackSilver implements AutoCloseable {

  /** The feed name rejects carry in {@code silver.quarantine}. */
  static final String FEED = "feedback";

  private final Lake lake;
  private final Dataset<Row> checked;
  private final Map<LocalDate, Long> bronzeRows;
  private final Map<LocalDate, Long> validRows;
  private final Map<LocalDate, Long> quarantined;

  /** Checks the dates' bronze feedback (none when the feed never landed) against the contract. */
  FeedbackSilver(Lake lake, List<LocalDate> dates, Dataset<Row> tracks, ListenRules rules) {
    this.lake = lake;
    Dataset<Row> bronze = lake.read(BRONZE_FEEDBACK).filter(Partitions.in("ingest_date", dates));
    this.checked =
        FeedbackContract.check(bronze, tracks, rules).persist(StorageLevel.MEMORY_AND_DISK());
    // Counted from the table itself, as the listens are: a line the check lost cannot reconcile.
    this.bronzeRows = Partitions.countBy(bronze.select("ingest_date"), "ingest_date");
    SilverMerge.Validity validity = SilverMerge.Validity.of(checked);
    this.validRows = validity.valid();
    this.quarantined = validity.rejected();
  }

  /** The rejected lines in the quarantine's shape. */
  Dataset<Row> rejected() {
    return checked.filter(col("reason").isNotNull()).withColumn("feed", lit(FEED));
  }

  /** Each date's quarantined feedback lines. */
  Map<LocalDate, Long> quarantined() {
    return quarantined;
  }

  /**
   * Merges the valid events silver does not hold yet (one per event id: the first copy by arrival)
   * and returns, per date, the counts that must reconcile.
   */
  Map<LocalDate, BuildSilver.Counts> merge(List<LocalDate> dates) {
    Dataset<Row> valid = checked.filter(col("reason").isNull()).drop("raw", "reason", "detail");
    Map<LocalDate, Long> inserted = validRows.isEmpty() ? Map.of() : mergeNew(valid);
    Map<LocalDate, BuildSilver.Counts> counts = new HashMap<>();
    for (LocalDate date : dates) {
      long fresh = inserted.getOrDefault(date, 0L);
      counts.put(
          date,
          new BuildSilver.Counts(
                  bronzeRows.getOrDefault(date, 0L),
                  fresh,
                  validRows.getOrDefault(date, 0L) - fresh,
                  quarantined.getOrDefault(date, 0L))
              .requireReconciled(FEED, date));
    }
    return counts;
  }

  private Map<LocalDate, Long> mergeNew(Dataset<Row> valid) {
    Dataset<Row> firstCopies =
        valid
            .withColumn(
                "copy",
                row_number()
                    .over(
                        Window.partitionBy("event_id")
                            .orderBy("ingest_date", "source_file", "ts", "action")))
            .filter(col("copy").equalTo(1))
            .drop("copy");
    return SilverMerge.insertNew(
        lake, SILVER_FEEDBACK, firstCopies, SilverMerge.eventDates(firstCopies));
  }

  @Override
  public void close() {
    checked.unpersist();
  }
}
