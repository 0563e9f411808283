package org.discoverweekly.etl.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.discoverweekly.etl.PipelineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

  private static final GeneratorSettings SETTINGS =
      new GeneratorSettings(
          100, 500, 1, LocalDate.parse("2026-11-16"), 7, 10, 1, 3000, false, 5000);

  @TempDir Path dir;

  private static List<Path> files(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
    }
  }

  @Test
  void shouldWriteTheSameBytesForTheSameSettings() throws IOException {
    Generator.write(SETTINGS, dir.resolve("a"));
    Generator.write(SETTINGS, dir.resolve("b"));
    List<Path> files = files(dir.resolve("a"));
    assertEquals(files, files(dir.resolve("b")));
    for (Path file : files) {
      assertArrayEquals(
          Files.readAllBytes(dir.resolve("a").resolve(file)),
          Files.readAllBytes(dir.resolve("b").resolve(file)),
          file.toString());
    }
  }

  @Test
  void shouldWriteOtherDataForAnotherSeed() throws IOException {
    Manifest first = Generator.write(SETTINGS, dir.resolve("a"));
    GeneratorSettings other =
        new GeneratorSettings(
            100, 500, 1, LocalDate.parse("2026-11-16"), 8, 10, 1, 3000, false, 5000);
    assertNotEquals(first.fingerprint(), Generator.write(other, dir.resolve("b")).fingerprint());
  }

  @Test
  void shouldAccountForEveryLineInTheManifest() throws IOException {
    Manifest manifest = Generator.write(SETTINGS, dir);
    long planted = manifest.quarantine().values().stream().mapToLong(Long::longValue).sum();
    long lines = manifest.linesPerArrivalDate().values().stream().mapToLong(Long::longValue).sum();
    assertEquals(
        manifest.uniqueListens() + manifest.retries() + manifest.resends() + planted, lines);
    long onDisk = 0;
    for (Path file : files(dir.resolve("listens"))) {
      onDisk += Files.readAllLines(dir.resolve("listens").resolve(file)).size();
    }
    assertEquals(lines, onDisk);
    assertTrue(manifest.retries() > 0 && manifest.resends() > 0 && manifest.lateListens() > 0);
    assertEquals(Generator.PLANTED_REASONS.size(), manifest.quarantine().size());
    assertTrue(manifest.quarantine().values().stream().allMatch(n -> n > 0));
    assertEquals(List.of("u000099"), manifest.botUsers());
    assertEquals(manifest, Generator.readManifest(dir));
  }

  @Test
  void shouldAccountForEveryFeedbackLineInTheManifest() throws IOException {
    Manifest manifest = Generator.write(SETTINGS, dir);
    long planted = manifest.feedbackQuarantine().values().stream().mapToLong(Long::longValue).sum();
    long lines =
        manifest.feedbackLinesPerArrivalDate().values().stream().mapToLong(Long::longValue).sum();
    assertEquals(manifest.feedbackEvents() + manifest.feedbackRetries() + planted, lines);
    long onDisk = 0;
    for (Path file : files(dir.resolve("feedback"))) {
      onDisk += Files.readAllLines(dir.resolve("feedback").resolve(file)).size();
    }
    assertEquals(lines, onDisk);
    assertTrue(manifest.feedbackEvents() > 0);
    assertEquals(FeedbackPlanter.PLANTED_REASONS.size(), manifest.feedbackQuarantine().size());
    assertTrue(manifest.blocksInForce().size() > 0, "some blocks are in force at the end week");
  }

  @Test
  void shouldConcentratePlaysOnPopularTracks() throws IOException {
    GeneratorSettings humansOnly =
        new GeneratorSettings(
            100, 500, 1, LocalDate.parse("2026-11-16"), 7, 10, 0, 3000, false, 5000);
    Generator.write(humansOnly, dir);
    ObjectMapper json = new ObjectMapper();
    Map<String, Integer> plays = new HashMap<>();
    for (Path file : files(dir.resolve("listens"))) {
      for (String line : Files.readAllLines(dir.resolve("listens").resolve(file))) {
        try {
          JsonNode event = json.readTree(line);
          if (event != null && event.isObject() && event.has("track_id")) {
            plays.merge(event.get("track_id").asText(), 1, Integer::sum);
          }
        } catch (IOException malformed) {
          // planted bad lines
        }
      }
    }
    List<Integer> counts = plays.values().stream().sorted((a, b) -> b - a).toList();
    int total = counts.stream().mapToInt(Integer::intValue).sum();
    int top = counts.subList(0, SETTINGS.tracks() / 10).stream().mapToInt(Integer::intValue).sum();
    assertTrue(top > total * 0.4, "top 10% of tracks get " + top + " of " + total + " plays");
  }

  @Test
  void shouldMatchTheCommittedSample() {
    Manifest committed = Generator.readManifest(Path.of("../data-samples/landing"));
    assertEquals(committed, Generator.write(GeneratorSettings.SAMPLE, dir));
  }

  @Test
  void shouldRefuseToOverwriteAFolderItDidNotMake() throws IOException {
    Files.writeString(dir.resolve("precious.txt"), "keep me");
    PipelineException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            PipelineException.class, () -> Generator.write(SETTINGS, dir));
    assertTrue(error.getMessage().contains("refusing"));
    assertNotEquals(0, Files.size(dir.resolve("precious.txt")));
  }
}
