package org.discoverweekly.etl.silver;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Partitions;
import org.discoverweekly.etl.storage.Table;

/**
 * What both feeds' silver runs do with a contract-checked batch: count it per arrival date, and
 * insert the events their silver table does not hold yet, by event id, in one MERGE.
 */
final class SilverMerge {

  private SilverMerge() {}

  /** Per arrival date, the checked lines that are valid ({@code reason} null) and the rejected. */
  record Validity(Map<LocalDate, Long> valid, Map<LocalDate, Long> rejected) {

    /** Both counts of every date in one pass over {@code checked}. */
    static Validity of(Dataset<Row> checked) {
      Map<LocalDate, Long> valid = new HashMap<>();
      Map<LocalDate, Long> rejected = new HashMap<>();
      for (Row row :
          checked
              .groupBy(col("ingest_date"), col("reason").isNull().as("valid"))
              .count()
              .collectAsList()) {
        (row.getBoolean(1) ? valid : rejected).put(row.getDate(0).toLocalDate(), row.getLong(2));
      }
      return new Validity(valid, rejected);
    }
  }

  /** The event dates of a batch: the only partitions of its silver table it can touch. */
  static List<LocalDate> eventDates(Dataset<Row> batch) {
    return batch.select("event_date").distinct().collectAsList().stream()
        .map(row -> row.getDate(0).toLocalDate())
        .sorted()
        .toList();
  }

  /**
   * Inserts the rows of {@code batch} whose {@code event_id} {@code table} does not hold yet,
   * pruned to the batch's {@code eventDates}, so a rerun adds nothing; returns how many were new
   * per arrival date, counted from the files the merge's commit added. Fails when another writer
   * committed to the table during the merge.
   */
  static Map<LocalDate, Long> insertNew(
      Lake lake, Table table, Dataset<Row> batch, List<LocalDate> eventDates) {
    if (eventDates.isEmpty()) {
      return Map.of();
    }
    DeltaTable silver = lake.delta(table);
    long versionBefore = lake.latestVersion(table);
    silver
        .as("silver")
        .merge(
            Lake.conform(batch, table).as("batch"),
            Partitions.in("silver.event_date", eventDates)
                + " AND silver.event_date = batch.event_date"
                + " AND silver.event_id = batch.event_id")
        .whenNotMatched()
        .insertAll()
        .execute();
    long merged = lake.latestVersion(table);
    if (merged > versionBefore + 1) {
      throw new PipelineException(
          table.sqlName()
              + " moved from version "
              + versionBefore
              + " to "
              + merged
              + " during this merge: another writer committed meanwhile; rerun these dates");
    }
    long inserted = lake.writtenSince(table, versionBefore, "numTargetRowsInserted");
    if (inserted == 0) {
      return Map.of();
    }
    Map<LocalDate, Long> fresh =
        Partitions.countBy(lake.rowsAddedIn(table, merged).select("ingest_date"), "ingest_date");
    Partitions.requireTotal(table.sqlName(), inserted, fresh);
    return fresh;
  }
}
