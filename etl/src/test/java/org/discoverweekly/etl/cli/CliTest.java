package org.discoverweekly.etl.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.discoverweekly.etl.CliRun;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CliTest extends SparkTestBase {

  private static CliRun run(String... args) {
    return CliRun.of(List.of("-Dspark.shuffle-partitions=2"), args);
  }

  @Test
  void shouldRejectAWeekThatIsNotAMonday() {
    CliRun result = run("weekly", "--week", "2026-11-17");
    assertEquals(2, result.code());
    assertTrue(result.errLine().contains("'2026-11-17' is a Tuesday"), result.err());
  }

  @Test
  void shouldRejectADateThatDoesNotParse() {
    CliRun result = run("ingest", "--date", "2026-13-01");
    assertEquals(2, result.code());
    assertTrue(result.errLine().contains("'2026-13-01' is not a date"), result.err());
  }

  @Test
  void shouldRejectBothADateAndARange() {
    CliRun result =
        run("silver", "--date", "2026-11-16", "--from", "2026-11-10", "--to", "2026-11-11");
    assertEquals(2, result.code());
    result.errLine();
  }

  @Test
  void shouldRejectARangeThatEndsBeforeItStarts() {
    CliRun result = run("silver", "--from", "2026-11-10", "--to", "2026-11-09");
    assertEquals(2, result.code());
    assertTrue(result.errLine().contains("--to 2026-11-09 is before --from 2026-11-10"));
  }

  @Test
  void shouldRejectAMissingLandingFolder() throws IOException {
    Path landing = Files.createDirectories(tempDir.resolve("empty-landing"));
    CliRun result =
        run(
            "--lake",
            tempDir.resolve("cli-lake").toString(),
            "--landing",
            landing.toString(),
            "ingest",
            "--date",
            "2026-11-16");
    assertEquals(1, result.code());
    assertTrue(
        result.errLine().startsWith("discover-weekly ingest: no landing folder for 2026-11-16"),
        result.err());
  }

  @Test
  void shouldRejectAnUnknownTableNamingTheKnownOnes() {
    CliRun result = run("--lake", newLake().root(), "sql", "SELECT * FROM gold.nope");
    assertEquals(1, result.code());
    assertTrue(
        result
            .errLine()
            .startsWith("discover-weekly sql: unknown table gold.nope; tables: bronze.listens"),
        result.err());
  }

  @Test
  void shouldReportASyntaxErrorInOneLine() {
    CliRun result = run("--lake", newLake().root(), "sql", "SELEC 1");
    assertEquals(1, result.code());
    assertTrue(
        result.errLine().startsWith("discover-weekly sql: [PARSE_SYNTAX_ERROR]"), result.err());
  }

  @Test
  void shouldRejectABadConfigValueNamingTheKey() {
    CliRun result = run("-Dlistens.bot-plays-per-day=0", "silver", "--date", "2026-11-16");
    assertEquals(1, result.code());
    assertTrue(result.errLine().contains("'bot-plays-per-day' must be positive"), result.err());
  }

  @Test
  void shouldPrintHelpForEveryVerb() {
    CommandLine cli = new CommandLine(new DiscoverWeekly());
    for (String verb : cli.getSubcommands().keySet()) {
      CliRun result = run(verb, "--help");
      assertEquals(0, result.code(), verb);
      assertTrue(result.out().startsWith("Usage: discover-weekly " + verb), result.out());
    }
    assertTrue(run("--help").out().contains("generate"));
  }

  @Test
  void shouldPrintCsvWithAHeaderAndRowsOnly() {
    Lake lake = newLake();
    append(lake, Table.SILVER_TRACKS, catalog("t2", "t1"));
    CliRun result =
        run(
            "--lake",
            lake.root(),
            "sql",
            "--format",
            "csv",
            "SELECT track_id, available, duration_ms FROM silver.tracks ORDER BY track_id");
    assertEquals(0, result.code(), result.err());
    assertEquals("track_id,available,duration_ms\nt1,true,200000\nt2,true,200000\n", result.out());
  }

  @Test
  void shouldPrintJsonLines() {
    Lake lake = newLake();
    append(lake, Table.SILVER_TRACKS, catalog("t1"));
    CliRun result =
        run("--lake", lake.root(), "sql", "--format", "json", "SELECT track_id FROM silver.tracks");
    assertEquals("{\"track_id\":\"t1\"}\n", result.out());
  }

  @Test
  void shouldPrintDdlThatRegistersTheLakesTablesInAnotherCatalog() {
    Lake lake = newLake();
    lake.ensure(Table.SILVER_LISTENS);
    append(lake, Table.SILVER_TRACKS, catalog("t1"));

    CliRun result = run("--lake", lake.root(), "sql", "--ddl");

    assertEquals(0, result.code(), result.err());
    List<String> statements = result.out().lines().toList();
    assertEquals(
        List.of(
            "CREATE DATABASE IF NOT EXISTS silver;",
            "CREATE TABLE IF NOT EXISTS silver.listens USING DELTA LOCATION '"
                + lake.path(Table.SILVER_LISTENS)
                + "';",
            "CREATE TABLE IF NOT EXISTS silver.tracks USING DELTA LOCATION '"
                + lake.path(Table.SILVER_TRACKS)
                + "';"),
        statements);
    // What an analyst pastes into spark-sql works, and the table keeps its comments.
    spark.sql("DROP TABLE IF EXISTS silver.tracks");
    statements.forEach(statement -> spark.sql(statement.substring(0, statement.length() - 1)));
    assertEquals(1, spark.table("silver.tracks").count());
    assertEquals(
        Table.SILVER_TRACKS.comment(),
        spark
            .sql("DESCRIBE TABLE EXTENDED silver.tracks")
            .filter("col_name = 'Comment'")
            .head()
            .getString(1));
    assertEquals(2, run("--lake", lake.root(), "sql", "--ddl", "SELECT 1").code());
  }
}
