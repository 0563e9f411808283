package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;
import static org.discoverweekly.etl.lake.Table.BRONZE_LISTENS;
import static org.discoverweekly.etl.lake.Table.SILVER_LISTENS;
import static org.discoverweekly.etl.lake.Table.SILVER_QUARANTINE;
import static org.discoverweekly.etl.lake.Table.SILVER_TRACKS;

import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.ListenRules;
import org.discoverweekly.etl.lake.Lake;
import org.discoverweekly.etl.ops.StageOutcome;

/**
 * Silver for one arrival date: bronze lines checked against the contract, rejects to {@code
 * silver.quarantine}, new unique listens merged into {@code silver.listens} by event id.
 */
public final class BuildSilver {

  private final Lake lake;
  private final ListenRules rules;

  public BuildSilver(Lake lake, ListenRules rules) {
    this.lake = lake;
    this.rules = rules;
  }

  /** Counts of one run; bronze = inserted + duplicates + quarantined when nothing was lost. */
  public record Counts(long bronze, long inserted, long duplicates, long quarantined) {

    boolean reconciles() {
      return bronze == inserted + duplicates + quarantined;
    }

    Map<String, Long> asMap() {
      return Map.of(
          "bronze", bronze, "new", inserted, "duplicates", duplicates, "quarantined", quarantined);
    }
  }

  public StageOutcome run(LocalDate date) {
    if (!lake.exists(SILVER_TRACKS)) {
      throw new PipelineException("silver.tracks does not exist yet: run ingest first");
    }
    Map<String, Long> inputVersions =
        lake.versions(BRONZE_LISTENS, SILVER_TRACKS, SILVER_LISTENS, SILVER_QUARANTINE);
    Dataset<Row> bronze = lake.read(BRONZE_LISTENS).filter(col("ingest_date").equalTo(date));
    Dataset<Row> checked =
        ListenContract.check(bronze, lake.read(SILVER_TRACKS), rules)
            .persist(StorageLevel.MEMORY_AND_DISK());
    try {
      long bronzeRows = checked.count();
      if (bronzeRows == 0) {
        throw new PipelineException(
            "bronze.listens has no rows for " + date + ": run ingest --date " + date + " first");
      }
      long quarantined = writeQuarantine(checked, date);
      Dataset<Row> unique = Dedupe.withinBatch(checked.filter(col("reason").isNull()));
      long valid = bronzeRows - quarantined;
      Counts counts = mergeNew(unique, bronzeRows, valid, quarantined);
      if (!counts.reconciles()) {
        throw new PipelineException(
            String.format(
                "reconciliation failed for %s: bronze %d != new %d + duplicates %d + quarantined"
                    + " %d (another silver run for overlapping dates at the same time?)",
                date,
                counts.bronze(),
                counts.inserted(),
                counts.duplicates(),
                counts.quarantined()));
      }
      return new StageOutcome(inputVersions, counts.asMap());
    } finally {
      checked.unpersist();
    }
  }

  private long writeQuarantine(Dataset<Row> checked, LocalDate date) {
    lake.ensure(SILVER_QUARANTINE);
    long versionBefore = lake.version(SILVER_QUARANTINE);
    Lake.conform(checked.filter(col("reason").isNotNull()), SILVER_QUARANTINE)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", "ingest_date = DATE'" + date + "'")
        .save(lake.path(SILVER_QUARANTINE));
    return lake.writtenSince(SILVER_QUARANTINE, versionBefore, "numOutputRows");
  }

  private Counts mergeNew(Dataset<Row> unique, long bronzeRows, long valid, long quarantined) {
    Dataset<Row> batch = unique.persist(StorageLevel.MEMORY_AND_DISK());
    try {
      List<LocalDate> eventDates =
          batch.select("event_date").distinct().collectAsList().stream()
              .map(row -> row.getDate(0).toLocalDate())
              .sorted()
              .toList();
      if (eventDates.isEmpty()) {
        return new Counts(bronzeRows, 0, valid, quarantined);
      }
      String datesInBatch =
          eventDates.stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", "));
      Dataset<Row> existing =
          lake.read(SILVER_LISTENS).filter("event_date IN (" + datesInBatch + ")");
      Dataset<Row> fresh =
          Lake.conform(Dedupe.notIn(batch, existing), SILVER_LISTENS)
              .persist(StorageLevel.MEMORY_AND_DISK());
      long freshRows = fresh.count();
      // Inserting by event id (and pruning to the batch's partitions) makes a rerun, or a race
      // with another run, add nothing that silver already has.
      DeltaTable silver = lake.delta(SILVER_LISTENS);
      long versionBefore = lake.version(SILVER_LISTENS);
      silver
          .as("silver")
          .merge(
              fresh.as("batch"),
              "silver.event_date IN ("
                  + datesInBatch
                  + ") AND silver.event_date = batch.event_date"
                  + " AND silver.event_id = batch.event_id")
          .whenNotMatched()
          .insertAll()
          .execute();
      fresh.unpersist();
      long inserted = lake.writtenSince(SILVER_LISTENS, versionBefore, "numTargetRowsInserted");
      return new Counts(bronzeRows, inserted, valid - freshRows, quarantined);
    } finally {
      batch.unpersist();
    }
  }
}
