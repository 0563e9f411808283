package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;
import static org.discoverweekly.etl.storage.Table.BRONZE_FEEDBACK;
import static org.discoverweekly.etl.storage.Table.BRONZE_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_FEEDBACK;
import static org.discoverweekly.etl.storage.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_QUARANTINE;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.ListenRules;
import org.discoverweekly.etl.ops.FaultPoint;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;

/**
 * Silver for arrival dates: bronze lines checked against the contract, rejects to {@code
 * silver.quarantine}, new unique listens merged into {@code silver.listens} by event id, and the
 * same for the dates' feedback lines ({@link FeedbackSilver}). Several dates run in one pass with
 * the same result as running them one by one in date order.
 */
public final class BuildSilver {

  /** The feed name listen rejects carry in {@code silver.quarantine}. */
  public static final String FEED = "listens";

  /** Fault point: the quarantine is written, the listens are not merged yet. */
  public static final String QUARANTINED = "silver.quarantined";

  /** Fault point: silver's MERGE has committed, the ledger row is not written yet. */
  public static final String MERGED = "silver.merged";

  private final Lake lake;
  private final ListenRules rules;

  public BuildSilver(Lake lake, ListenRules rules) {
    this.lake = lake;
    this.rules = rules;
  }

  /** Counts of one date; bronze = inserted + duplicates + quarantined when nothing was lost. */
  public record Counts(long bronze, long inserted, long duplicates, long quarantined) {

    boolean reconciles() {
      return bronze == inserted + duplicates + quarantined;
    }

    /** These counts of {@code date}, or a one-line error when they do not reconcile. */
    Counts requireReconciled(String feed, LocalDate date) {
      if (!reconciles()) {
        throw new PipelineException(
            String.format(
                "%s reconciliation failed for %s: bronze %d != new %d + duplicates %d +"
                    + " quarantined %d",
                feed, date, bronze, inserted, duplicates, quarantined));
      }
      return this;
    }

    Map<String, Long> asMap() {
      return Map.of(
          "bronze", bronze, "new", inserted, "duplicates", duplicates, "quarantined", quarantined);
    }
  }

  /**
   * The bronze lines checked against the contract and the catalog's track ids ({@link
   * KnownTracks}): one row per line, {@code reason} null for a valid listen, whose raw text is
   * dropped, or the reason a reject goes to the quarantine with its raw text.
   */
  public static Dataset<Row> transform(
      Dataset<Row> bronze, Dataset<Row> tracks, ListenRules rules) {
    // Valid listens do not need their raw text any more; only rejects keep it in the cache.
    return ListenContract.check(bronze, tracks, rules)
        .withColumn("raw", when(col("reason").isNotNull(), col("raw")).otherwise(lit(null)));
  }

  /**
   * Checks, quarantines and merges the dates' bronze rows; one outcome per date, for the ledger.
   */
  public SortedMap<LocalDate, StageOutcome> run(List<LocalDate> dates) {
    if (!lake.exists(SILVER_TRACKS)) {
      throw new PipelineException("silver.tracks does not exist yet: run ingest first");
    }
    Map<String, Long> inputVersions =
        lake.versions(
            BRONZE_LISTENS,
            SILVER_TRACKS,
            SILVER_LISTENS,
            SILVER_QUARANTINE,
            BRONZE_FEEDBACK,
            SILVER_FEEDBACK);
    Dataset<Row> bronze = lake.read(BRONZE_LISTENS).filter(Partitions.in("ingest_date", dates));
    Dataset<Row> tracks = lake.read(SILVER_TRACKS);
    Dataset<Row> checked = transform(bronze, tracks, rules).persist(StorageLevel.MEMORY_AND_DISK());
    try (FeedbackSilver feedback = new FeedbackSilver(lake, dates, tracks, rules)) {
      // Counted from the table itself, so a line lost inside the contract check cannot reconcile.
      Map<LocalDate, Long> bronzeRows =
          Partitions.countBy(bronze.select("ingest_date"), "ingest_date");
      for (LocalDate date : dates) {
        if (!bronzeRows.containsKey(date)) {
          throw new PipelineException(
              "bronze.listens has no rows for " + date + ": run ingest --date " + date + " first");
        }
      }
      // One pass over the cache counts every date's valid and rejected lines.
      SilverMerge.Validity validity = SilverMerge.Validity.of(checked);
      Map<LocalDate, Long> validRows = validity.valid();
      Map<LocalDate, Long> quarantined = validity.rejected();
      Dataset<Row> valid = checked.filter(col("reason").isNull());
      long quarantinedTotal =
          writeQuarantine(
              Lake.conform(
                      checked.filter(col("reason").isNotNull()).withColumn("feed", lit(FEED)),
                      SILVER_QUARANTINE)
                  .unionByName(Lake.conform(feedback.rejected(), SILVER_QUARANTINE)),
              dates);
      Map<LocalDate, Long> bothFeeds = new HashMap<>(quarantined);
      feedback.quarantined().forEach((date, rows) -> bothFeeds.merge(date, rows, Long::sum));
      Partitions.requireTotal(SILVER_QUARANTINE.sqlName(), quarantinedTotal, bothFeeds);
      FaultPoint.reached(QUARANTINED);
      Map<LocalDate, Long> inserted =
          mergeNew(
              Dedupe.withinBatch(valid, Dedupe.repeatedKeyFilter(valid)),
              SilverMerge.eventDates(valid));
      FaultPoint.reached(MERGED);
      Map<LocalDate, Counts> feedbackCounts = feedback.merge(dates);

      SortedMap<LocalDate, StageOutcome> outcomes = new TreeMap<>();
      for (LocalDate date : dates) {
        long fresh = inserted.getOrDefault(date, 0L);
        Counts counts =
            new Counts(
                    bronzeRows.get(date),
                    fresh,
                    validRows.getOrDefault(date, 0L) - fresh,
                    quarantined.getOrDefault(date, 0L))
                .requireReconciled(FEED, date);
        Map<String, Long> rowCounts = new TreeMap<>(counts.asMap());
        feedbackCounts
            .get(date)
            .asMap()
            .forEach((name, rows) -> rowCounts.put("feedback_" + name, rows));
        outcomes.put(
            date,
            new StageOutcome(
                inputVersions,
                rowCounts,
                Hashes.withHash(rules.silverValues()),
                StageOutcome.SUCCEEDED,
                null));
      }
      return outcomes;
    } finally {
      checked.unpersist();
    }
  }

  /** Both feeds' rejects of the dates, replacing the dates' quarantine in one commit. */
  private long writeQuarantine(Dataset<Row> rejected, List<LocalDate> dates) {
    return lake.replace(SILVER_QUARANTINE, rejected, Partitions.in("ingest_date", dates));
  }

  /** Merges the listens silver does not hold yet; returns how many were new per arrival date. */
  private Map<LocalDate, Long> mergeNew(Dataset<Row> batch, List<LocalDate> eventDates) {
    if (eventDates.isEmpty()) {
      return Map.of();
    }
    // A listen silver holds under the same event id, or a retry of it under a new one (same user,
    // track and ts), is left out before the merge.
    Dataset<Row> existing =
        lake.read(SILVER_LISTENS).filter(Partitions.in("event_date", eventDates));
    return SilverMerge.insertNew(lake, SILVER_LISTENS, Dedupe.notIn(batch, existing), eventDates);
  }
}
