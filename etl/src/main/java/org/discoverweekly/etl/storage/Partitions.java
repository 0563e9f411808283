package org.discoverweekly.etl.storage;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.PipelineException;

/** Date partitions as SQL predicates and per-date counts. */
public final class Partitions {

  private Partitions() {}

  /** {@code column IN (DATE'…', …)} for a replaceWhere or a MERGE condition. */
  public static String in(String column, List<LocalDate> dates) {
    return column
        + " IN ("
        + dates.stream().map(d -> "DATE'" + d + "'").collect(Collectors.joining(", "))
        + ")";
  }

  /** Fails when the rows counted by date do not add up to the rows a write reported. */
  public static void requireTotal(String table, long written, Map<LocalDate, Long> byDate) {
    long counted = byDate.values().stream().mapToLong(Long::longValue).sum();
    if (counted != written) {
      throw new PipelineException(
          table + ": " + written + " rows written but " + counted + " counted by date");
    }
  }

  /** Row counts by a date column; dates without rows are absent. */
  public static Map<LocalDate, Long> countBy(Dataset<Row> rows, String dateColumn) {
    Map<LocalDate, Long> counts = new HashMap<>();
    for (Row row : rows.groupBy(dateColumn).count().collectAsList()) {
      counts.put(row.getDate(0).toLocalDate(), row.getLong(1));
    }
    return counts;
  }
}
