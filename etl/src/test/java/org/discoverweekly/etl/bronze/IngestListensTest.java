package org.discoverweekly.etl.bronze;

import static org.discoverweekly.etl.storage.Table.BRONZE_LISTENS;
import static org.discoverweekly.etl.storage.Table.SILVER_TRACKS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Landing;
import org.junit.jupiter.api.Test;

class IngestListensTest extends SparkTestBase {

  private static final LocalDate DATE = LocalDate.parse("2026-11-16");

  private static Path newLanding(String name) throws IOException {
    Path landing = tempDir.resolve(name);
    Files.createDirectories(landing.resolve("listens").resolve("date=" + DATE));
    Files.createDirectories(landing.resolve("catalog"));
    return landing;
  }

  private static Path listens(Path landing, LocalDate date) {
    return landing.resolve("listens").resolve("date=" + date);
  }

  private static List<String> bronzeLines(Lake lake) {
    return lake.read(BRONZE_LISTENS)
        .orderBy("raw")
        .select("raw")
        .as(Encoders.STRING())
        .collectAsList();
  }

  @Test
  void shouldKeepEveryLineAsReceivedWithItsFileAndDate() throws IOException {
    Path landing = newLanding("as-received");
    String withExtraField = "{\"event_id\":\"e1\",\"app_version\":\"9.1\"}";
    Files.writeString(listens(landing, DATE).resolve("a.json"), withExtraField + "\nnot json\n\n");
    try (OutputStream gz =
        new GZIPOutputStream(Files.newOutputStream(listens(landing, DATE).resolve("b.json.gz")))) {
      gz.write("{\"event_id\":\"e2\"}\n".getBytes(StandardCharsets.UTF_8));
    }
    Files.writeString(listens(landing, DATE).resolve("_SUCCESS"), "");
    Lake lake = newLake();

    var outcome =
        new IngestListens(lake, new Landing(spark, landing.toString()))
            .run(List.of(DATE))
            .get(DATE);

    assertEquals(4L, outcome.rowCounts().get("bronze"));
    assertEquals(2L, outcome.rowCounts().get("files"));
    assertEquals(
        List.of("", "not json", withExtraField, "{\"event_id\":\"e2\"}"), bronzeLines(lake));
    List<Row> rows = lake.read(BRONZE_LISTENS).filter("raw = 'not json'").collectAsList();
    assertTrue(rows.get(0).<String>getAs("source_file").endsWith("/a.json"));
    assertEquals(java.sql.Date.valueOf(DATE), rows.get(0).getAs("ingest_date"));
  }

  @Test
  void shouldReplaceTheDatesPartitionOnRerunAndLeaveOtherDates() throws IOException {
    Path landing = newLanding("rerun");
    LocalDate nextDay = DATE.plusDays(1);
    Files.createDirectories(listens(landing, nextDay));
    Files.writeString(listens(landing, DATE).resolve("a.json"), "one\ntwo\n");
    Files.writeString(listens(landing, nextDay).resolve("a.json"), "three\n");
    Lake lake = newLake();
    IngestListens ingest = new IngestListens(lake, new Landing(spark, landing.toString()));
    ingest.run(List.of(DATE));
    ingest.run(List.of(nextDay));

    Files.writeString(listens(landing, DATE).resolve("a.json"), "one\ntwo\nfour\n");
    ingest.run(List.of(DATE));
    ingest.run(List.of(DATE));

    assertEquals(List.of("four", "one", "three", "two"), bronzeLines(lake));
  }

  @Test
  void shouldFailClearlyWhenTheDateHasNoLandingFolder() throws IOException {
    Path landing = newLanding("missing");
    PipelineException error =
        assertThrows(
            PipelineException.class,
            () ->
                new IngestListens(newLake(), new Landing(spark, landing.toString()))
                    .run(List.of(DATE.plusDays(3))));
    assertTrue(
        error.getMessage().startsWith("no landing folder for 2026-11-19"), error.getMessage());
  }

  @Test
  void shouldLoadTheCatalogWithAvailabilityDefaultingToTrue() throws IOException {
    Path landing = newLanding("catalog");
    Files.writeString(
        landing.resolve("catalog").resolve("tracks.jsonl"),
        "{\"track_id\":\"t1\",\"artist_id\":\"a1\",\"track_name\":\"One\",\"duration_ms\":1000}\n"
            + "{\"track_id\":\"t2\",\"artist_id\":\"a1\",\"available\":false}\n");
    Lake lake = newLake();
    new LoadTracks(lake, new Landing(spark, landing.toString())).run();
    List<Row> tracks = lake.read(SILVER_TRACKS).orderBy("track_id").collectAsList();
    assertEquals(true, tracks.get(0).getAs("available"));
    assertEquals(false, tracks.get(1).getAs("available"));
  }

  @Test
  void shouldLeaveTracksAtTheirVersionWhenTheCatalogIsUnchanged() throws IOException {
    Path landing = newLanding("unchanged-catalog");
    Path file = landing.resolve("catalog").resolve("tracks.jsonl");
    Files.writeString(file, "{\"track_id\":\"t1\",\"artist_id\":\"a1\"}\n");
    Lake lake = newLake();
    LoadTracks load = new LoadTracks(lake, new Landing(spark, landing.toString()));
    assertEquals(1L, load.run().get("changed"));
    long version = lake.version(SILVER_TRACKS);

    assertEquals(0L, load.run().get("changed"));
    assertEquals(version, lake.version(SILVER_TRACKS));

    Files.writeString(file, "{\"track_id\":\"t1\",\"artist_id\":\"a1\",\"available\":false}\n");
    assertEquals(1L, load.run().get("changed"));
    assertEquals(version + 1, lake.version(SILVER_TRACKS));
    assertEquals(false, lake.read(SILVER_TRACKS).head().getAs("available"));
  }

  @Test
  void shouldRefuseACatalogWithDuplicateTrackIds() throws IOException {
    Path landing = newLanding("duplicate-catalog");
    Files.writeString(
        landing.resolve("catalog").resolve("tracks.jsonl"),
        "{\"track_id\":\"t1\",\"artist_id\":\"a1\"}\n{\"track_id\":\"t1\",\"artist_id\":\"a2\"}\n");
    PipelineException error =
        assertThrows(
            PipelineException.class,
            () -> new LoadTracks(newLake(), new Landing(spark, landing.toString())).run());
    assertTrue(
        error.getMessage().endsWith("1 track ids appear more than once"), error.getMessage());
  }
}
