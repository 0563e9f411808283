package org.discoverweekly.etl.bronze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.discoverweekly.etl.storage.Table.BRONZE_LISTENS;
import static org.discoverweekly.etl.storage.Table.OPS_FORGET_REQUESTS;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.privacy.ForgottenUsers;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Landing;
import org.discoverweekly.etl.storage.Partitions;

/** Bronze listens for arrival dates: every landing line as received, one row per line. */
public final class IngestListens {

  private final Lake lake;
  private final Landing landing;
  private final ForgottenUsers forgotten;

  /** {@code forgotten}: users whose lines are redacted on the way in. */
  public IngestListens(Lake lake, Landing landing, ForgottenUsers forgotten) {
    this.lake = lake;
    this.landing = landing;
    this.forgotten = forgotten;
  }

  /** For a lake where nobody was forgotten (tests): reading a salt is an error. */
  public IngestListens(Lake lake, Landing landing) {
    this(
        lake,
        landing,
        new ForgottenUsers(
            lake,
            () -> {
              throw new IllegalStateException("this ingest has no forget salt");
            }));
  }

  /** Tags raw lines ({@code value}, {@code source_file}) with their arrival date. */
  public static Dataset<Row> transform(Dataset<Row> lines, LocalDate date) {
    return lines.select(
        col("value").as("raw"), col("source_file"), lit(Date.valueOf(date)).as("ingest_date"));
  }

  /**
   * Replaces the dates' bronze partitions in one atomic commit, so a rerun leaves one copy of each
   * line. Every date's folder is checked before anything is written.
   */
  public SortedMap<LocalDate, StageOutcome> run(List<LocalDate> dates) {
    Map<LocalDate, List<String>> files = new TreeMap<>();
    dates.forEach(date -> files.put(date, landing.listenFiles(date)));
    Dataset<Row> bronze =
        dates.stream()
            .map(date -> transform(landing.lines(files.get(date)), date))
            .reduce(Dataset::unionAll)
            .map(forgotten::redact)
            .orElseThrow();
    long written = lake.replace(BRONZE_LISTENS, bronze, Partitions.in("ingest_date", dates));
    Map<LocalDate, Long> rows =
        Partitions.countBy(
            lake.read(BRONZE_LISTENS)
                .select("ingest_date")
                .filter(Partitions.in("ingest_date", dates)),
            "ingest_date");
    Partitions.requireTotal(BRONZE_LISTENS.sqlName(), written, rows);
    // What shaped the rows: the landing files read, and who was forgotten then.
    Map<String, Long> inputs =
        lake.exists(OPS_FORGET_REQUESTS) ? lake.versions(OPS_FORGET_REQUESTS) : Map.of();
    Map<String, String> config = Hashes.withHash(Map.of("landing", landing.root()));
    SortedMap<LocalDate, StageOutcome> outcomes = new TreeMap<>();
    for (LocalDate date : dates) {
      Map<String, Long> counts =
          Map.of("files", (long) files.get(date).size(), "bronze", rows.getOrDefault(date, 0L));
      outcomes.put(date, new StageOutcome(inputs, counts, config, StageOutcome.SUCCEEDED, null));
    }
    return outcomes;
  }
}
