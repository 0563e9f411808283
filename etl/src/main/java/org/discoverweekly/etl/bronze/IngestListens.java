package org.discoverweekly.etl.bronze;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.discoverweekly.etl.lake.Table.BRONZE_LISTENS;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.lake.Lake;
import org.discoverweekly.etl.lake.Landing;
import org.discoverweekly.etl.ops.StageOutcome;

/** Bronze listens for one arrival date: every landing line as received, one row per line. */
public final class IngestListens {

  private final Lake lake;
  private final Landing landing;

  public IngestListens(Lake lake, Landing landing) {
    this.lake = lake;
    this.landing = landing;
  }

  /** Tags raw lines ({@code value}, {@code source_file}) with their arrival date. */
  public static Dataset<Row> transform(Dataset<Row> lines, LocalDate date) {
    return lines.select(
        col("value").as("raw"), col("source_file"), lit(Date.valueOf(date)).as("ingest_date"));
  }

  /** Replaces the date's bronze partition atomically, so a rerun leaves one copy of each line. */
  public StageOutcome run(LocalDate date) {
    var files = landing.listenFiles(date);
    Dataset<Row> lines =
        lake.spark()
            .read()
            .text(files.toArray(String[]::new))
            .select(col("value"), col("_metadata.file_path").as("source_file"));
    lake.ensure(BRONZE_LISTENS);
    long versionBefore = lake.version(BRONZE_LISTENS);
    Lake.conform(transform(lines, date), BRONZE_LISTENS)
        .write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", "ingest_date = DATE'" + date + "'")
        .save(lake.path(BRONZE_LISTENS));
    long rows = lake.writtenSince(BRONZE_LISTENS, versionBefore, "numOutputRows");
    return new StageOutcome(Map.of(), Map.of("files", (long) files.size(), "bronze", rows));
  }
}
