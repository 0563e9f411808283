package org.discoverweekly.etl.generate;

import static org.discoverweekly.etl.generate.GeneratorSettings.Profile.CLUSTERED;
import static org.discoverweekly.etl.generate.GeneratorSettings.Profile.REALISTIC;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.discoverweekly.etl.PipelineException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {

  private static final GeneratorSettings SETTINGS =
      new GeneratorSettings(
          100, 500, 1, LocalDate.parse("2026-11-16"), 7, 10, 1, 3000, false, 5000, CLUSTERED);

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
            100, 500, 1, LocalDate.parse("2026-11-16"), 8, 10, 1, 3000, false, 5000, CLUSTERED);
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
            100, 500, 1, LocalDate.parse("2026-11-16"), 7, 10, 0, 3000, false, 5000, CLUSTERED);
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
  void shouldGiveRealisticListenersMixedTastesHeavyTailedActivityAndReplays() throws IOException {
    GeneratorSettings realistic =
        new GeneratorSettings(
            400, 1280, 2, LocalDate.parse("2026-11-16"), 7, 12, 0, 3000, false, 50_000, REALISTIC);
    Manifest manifest = Generator.write(realistic, dir.resolve("realistic"));
    assertEquals(manifest, Generator.write(realistic, dir.resolve("again")));
    GeneratorSettings clustered =
        new GeneratorSettings(
            400, 1280, 2, LocalDate.parse("2026-11-16"), 7, 12, 0, 3000, false, 50_000, CLUSTERED);
    Generator.write(clustered, dir.resolve("clustered"));
    Listening real = Listening.read(dir.resolve("realistic"));
    Listening planted = Listening.read(dir.resolve("clustered"));

    // Log-normal activity: the most active tenth of users play far more than a uniform draw gives.
    assertTrue(
        real.topUserShare() > planted.topUserShare() + 0.1,
        "top 10% users: " + real.topUserShare() + " vs clustered " + planted.topUserShare());
    // Replays: a user's plays of one track repeat more than popularity alone makes them.
    assertTrue(
        real.playsPerPair() > planted.playsPerPair() * 1.3,
        "plays per (user, track): " + real.playsPerPair() + " vs " + planted.playsPerPair());
    // 64 tastes mixed per user: users hold about two strong tastes, and few share the same mix;
    // the clustered profile's users fall into a few mixes of its 8 tastes.
    List<Set<Integer>> mixes = real.tasteSets(RealisticListeners.TASTES);
    double held = mixes.stream().mapToInt(Set::size).average().orElse(0);
    assertTrue(held > 1.6 && held < 6.0, "tastes holding 5% of a user's plays: " + held);
    assertTrue(
        new HashSet<>(mixes).size() > mixes.size() * 0.6,
        new HashSet<>(mixes).size() + " mixes among " + mixes.size() + " users");
    List<Set<Integer>> clusteredMixes = planted.tasteSets(TrackCatalog.GENRES);
    assertTrue(
        new HashSet<>(clusteredMixes).size() < clusteredMixes.size() * 0.3,
        new HashSet<>(clusteredMixes).size() + " clustered mixes among " + clusteredMixes.size());
  }

  @Test
  void shouldRefuseARealisticProfileWithTooFewTracksForItsTastes() {
    IllegalArgumentException error =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class,
            () ->
                new GeneratorSettings(
                    100,
                    500,
                    1,
                    LocalDate.parse("2026-11-16"),
                    7,
                    10,
                    0,
                    3000,
                    false,
                    5000,
                    REALISTIC));
    assertEquals("--profile realistic needs at least 640 --tracks", error.getMessage());
    assertEquals(REALISTIC, GeneratorSettings.Profile.parse("Realistic"));
  }

  /** Plays per (user, track) of a generated landing zone's well-formed listens, and artists. */
  private record Listening(Map<String, Map<String, Integer>> plays) {

    static Listening read(Path landing) throws IOException {
      ObjectMapper json = new ObjectMapper();
      Map<String, Map<String, Integer>> plays = new HashMap<>();
      for (Path file : files(landing.resolve("listens"))) {
        for (String line : Files.readAllLines(landing.resolve("listens").resolve(file))) {
          try {
            JsonNode event = json.readTree(line);
            if (event != null
                && event.isObject()
                && event.path("track_id").asText().matches("t\\d+")
                && event.path("user_id").isTextual()) {
              plays
                  .computeIfAbsent(event.get("user_id").asText(), u -> new HashMap<>())
                  .merge(event.get("track_id").asText(), 1, Integer::sum);
            }
          } catch (IOException malformed) {
            // planted bad lines
          }
        }
      }
      Map<String, String> artists = new HashMap<>();
      for (String line : Files.readAllLines(landing.resolve("catalog").resolve("tracks.jsonl"))) {
        JsonNode track = json.readTree(line);
        artists.put(track.get("track_id").asText(), track.get("artist_id").asText());
      }
      return new Listening(withArtists(plays, artists));
    }

    private static Map<String, Map<String, Integer>> withArtists(
        Map<String, Map<String, Integer>> plays, Map<String, String> artists) {
      Map<String, Map<String, Integer>> keyed = new HashMap<>();
      plays.forEach(
          (user, tracks) -> {
            Map<String, Integer> byKey = new HashMap<>();
            tracks.forEach((track, n) -> byKey.put(track + "|" + artists.get(track), n));
            keyed.put(user, byKey);
          });
      return keyed;
    }

    double topUserShare() {
      List<Integer> perUser =
          plays.values().stream()
              .map(t -> t.values().stream().mapToInt(Integer::intValue).sum())
              .sorted((a, b) -> b - a)
              .toList();
      double total = perUser.stream().mapToInt(Integer::intValue).sum();
      return perUser.subList(0, perUser.size() / 10).stream().mapToInt(Integer::intValue).sum()
          / total;
    }

    double playsPerPair() {
      long pairs = plays.values().stream().mapToLong(Map::size).sum();
      long total =
          plays.values().stream()
              .flatMap(t -> t.values().stream())
              .mapToLong(Integer::intValue)
              .sum();
      return (double) total / pairs;
    }

    /** For each user with 50 plays or more, the tastes holding at least 5 % of their plays. */
    List<Set<Integer>> tasteSets(int tastes) {
      return plays.values().stream()
          .filter(t -> t.values().stream().mapToInt(Integer::intValue).sum() >= 50)
          .map(
              tracks -> {
                Map<Integer, Integer> perTaste = new HashMap<>();
                tracks.forEach(
                    (key, n) ->
                        perTaste.merge(
                            Integer.parseInt(key.substring(key.indexOf("|a") + 2)) % tastes,
                            n,
                            Integer::sum));
                int total = perTaste.values().stream().mapToInt(Integer::intValue).sum();
                Set<Integer> held = new HashSet<>();
                perTaste.forEach(
                    (taste, n) -> {
                      if (n >= 0.05 * total) {
                        held.add(taste);
                      }
                    });
                return held;
              })
          .toList();
    }
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
