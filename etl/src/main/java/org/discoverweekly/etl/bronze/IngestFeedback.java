package org.discoverweekly.etl.bronze;

import static org.discoverweekly.etl.storage.Table.BRONZE_FEEDBACK;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.privacy.ForgottenUsers;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Landing;
import org.discoverweekly.etl.storage.Partitions;

/**
 * Bronze feedback for arrival dates: every line of {@code <landing>/feedback/date=D/} as received,
 * one row per line; a date without a feedback folder has no feedback.
 */
public final class IngestFeedback {

  private final Lake lake;
  private final Landing landing;
  private final ForgottenUsers forgotten;

  public IngestFeedback(Lake lake, Landing landing, ForgottenUsers forgotten) {
    this.lake = lake;
    this.landing = landing;
    this.forgotten = forgotten;
  }

  /**
   * Replaces the dates' bronze partitions in one commit (a rerun leaves one copy of each line, and
   * a date whose feedback was withdrawn none); returns each date's files and rows.
   */
  public SortedMap<LocalDate, Map<String, Long>> run(List<LocalDate> dates) {
    Map<LocalDate, List<String>> files = new TreeMap<>();
    dates.forEach(date -> files.put(date, landing.feedbackFiles(date)));
    boolean none = files.values().stream().allMatch(List::isEmpty);
    SortedMap<LocalDate, Map<String, Long>> counts = new TreeMap<>();
    if (none && !lake.exists(BRONZE_FEEDBACK)) {
      dates.forEach(date -> counts.put(date, Map.of("feedback_files", 0L, "feedback_bronze", 0L)));
      return counts;
    }
    Dataset<Row> bronze =
        dates.stream()
            .filter(date -> !files.get(date).isEmpty())
            .map(date -> IngestListens.transform(landing.lines(files.get(date)), date))
            .reduce(Dataset::unionAll)
            .map(forgotten::redact)
            .orElseGet(() -> lake.spark().createDataFrame(List.of(), BRONZE_FEEDBACK.schema()));
    long written = lake.replace(BRONZE_FEEDBACK, bronze, Partitions.in("ingest_date", dates));
    Map<LocalDate, Long> rows =
        Partitions.countBy(
            lake.read(BRONZE_FEEDBACK)
                .select("ingest_date")
                .filter(Partitions.in("ingest_date", dates)),
            "ingest_date");
    Partitions.requireTotal(BRONZE_FEEDBACK.sqlName(), written, rows);
    for (LocalDate date : dates) {
      counts.put(
          date,
          Map.of(
              "feedback_files",
              (long) files.get(date).size(),
              "feedback_bronze",
              rows.getOrDefault(date, 0L)));
    }
    return counts;
  }
}
