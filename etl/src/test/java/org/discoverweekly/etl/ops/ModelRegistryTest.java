package org.discoverweekly.etl.ops;

import static org.discoverweekly.etl.ops.ModelRegistry.ACCEPTED;
import static org.discoverweekly.etl.ops.ModelRegistry.CANDIDATE;
import static org.discoverweekly.etl.ops.ModelRegistry.REJECTED;
import static org.discoverweekly.etl.ops.ModelRegistry.REPLACED;
import static org.discoverweekly.etl.ops.ModelRegistry.ROLLED_BACK;
import static org.discoverweekly.etl.ops.ModelRegistry.SERVED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.Test;

/** The model registry's moves, on a lake of its own and a clock that ticks a second a reading. */
class ModelRegistryTest extends SparkTestBase {

  private static final LocalDate W1 = LocalDate.parse("2026-11-09");
  private static final LocalDate W2 = LocalDate.parse("2026-11-16");
  private static final ModelRegistry.Backtested GOOD =
      new ModelRegistry.Backtested(30, 100, 0.30, 0.25, 0.10);
  private static final ModelRegistry.Backtested POOR =
      new ModelRegistry.Backtested(30, 100, 0.05, 0.04, 0.10);

  /** A clock one second later at each reading, so every move has a time of its own. */
  private static Clock ticking() {
    return new Clock() {
      private Instant now = Instant.parse("2026-12-07T00:00:00Z");

      @Override
      public Instant instant() {
        now = now.plusSeconds(1);
        return now;
      }

      @Override
      public ZoneOffset getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        throw new UnsupportedOperationException();
      }
    };
  }

  private static void train(ModelRegistry registry, LocalDate week, String version) {
    registry.trained(
        week,
        version,
        Map.of("als", "rank=8", "hash", "h-" + version, "model_version", version),
        Map.of("silver.listens", 3L),
        "/models/" + version);
  }

  private static ModelRegistry.Entry entry(ModelRegistry registry, LocalDate week, String version) {
    return registry.find(week, version).orElseThrow();
  }

  @Test
  void shouldMoveAModelFromCandidateToServedToRolledBackWithTheTimeOfEachMove() {
    Lake lake = newLake();
    ModelRegistry registry = new ModelRegistry(lake, ticking());

    train(registry, W1, "a");
    ModelRegistry.Entry trained = entry(registry, W1, "a");
    assertEquals(CANDIDATE, trained.status());
    assertEquals(Map.of("als", "rank=8"), trained.trained().recipe());
    assertEquals("h-a", trained.trained().recipeHash());
    assertEquals(Map.of("silver.listens", 3L), trained.trained().inputVersions());
    assertNull(trained.verdict());
    assertNull(trained.judgedAt());

    registry.judged(W1, "a", GOOD, true, "ndcg above popularity");
    ModelRegistry.Entry judged = entry(registry, W1, "a");
    assertEquals(ACCEPTED, judged.status());
    assertEquals(GOOD, judged.backtested());
    assertTrue(judged.judgedAt().isAfter(trained.trained().at()));

    registry.served(W1, "a");
    ModelRegistry.Entry served = entry(registry, W1, "a");
    assertEquals(SERVED, served.status());
    assertTrue(served.servedAt().isAfter(judged.judgedAt()));

    // A rerun's gate repeats the verdict: nothing is written, the status stays served.
    long version = lake.latestVersion(Table.OPS_MODELS);
    registry.judged(W1, "a", GOOD, true, "ndcg above popularity");
    train(registry, W1, "a");
    assertEquals(version, lake.latestVersion(Table.OPS_MODELS));

    registry.rolledBack(W1, "a");
    ModelRegistry.Entry rolledBack = entry(registry, W1, "a");
    assertEquals(ROLLED_BACK, rolledBack.status());
    assertEquals(served.servedAt(), rolledBack.servedAt());
    assertTrue(rolledBack.rolledBackAt().isAfter(served.servedAt()));
    // One reading of the clock per move: the row changed when it moved.
    assertEquals(rolledBack.rolledBackAt(), rolledBack.changedAt());
  }

  @Test
  void shouldJudgeAChampionAndChallengerInOneWriteWithTheLastVerdictTheWeeksLatest() {
    Lake lake = newLake();
    ModelRegistry registry = new ModelRegistry(lake, ticking());
    train(registry, W1, "champion");
    train(registry, W1, "challenger");
    List<ModelRegistry.Verdict> verdicts =
        List.of(
            new ModelRegistry.Verdict("champion", GOOD, false, "challenger served instead"),
            new ModelRegistry.Verdict("challenger", GOOD, true, "ok"));
    long before = lake.latestVersion(Table.OPS_MODELS);
    registry.judged(W1, verdicts);

    assertEquals(before + 1, lake.latestVersion(Table.OPS_MODELS), "one write");
    ModelRegistry.Entry loser = entry(registry, W1, "champion");
    ModelRegistry.Entry winner = entry(registry, W1, "challenger");
    assertEquals(REJECTED, loser.status());
    assertEquals(ACCEPTED, winner.status());
    assertEquals("challenger", registry.latestJudged(W1).orElseThrow().modelVersion());
    assertTrue(loser.judgedAt().isBefore(winner.judgedAt()));
    assertEquals(winner.changedAt(), winner.judgedAt());

    // The same verdicts again: nothing changes; in the other order, the champion is the latest.
    registry.judged(W1, verdicts);
    assertEquals(before + 1, lake.latestVersion(Table.OPS_MODELS), "a rerun writes nothing");
    registry.judged(W1, List.of(verdicts.get(1), verdicts.get(0)));
    assertEquals("champion", registry.latestJudged(W1).orElseThrow().modelVersion());
  }

  @Test
  void shouldReplaceTheServedModelOfAWeekWhenAnotherIsPublishedAndJudgeByTheLatestVerdict() {
    ModelRegistry registry = new ModelRegistry(newLake(), ticking());
    train(registry, W1, "a");
    registry.judged(W1, "a", GOOD, true, "ok");
    registry.served(W1, "a");
    train(registry, W1, "b");
    registry.judged(W1, "b", POOR, false, "below popularity");

    // A served model the gate now rejects keeps its status; the week's verdict is the newest.
    assertEquals(REJECTED, entry(registry, W1, "b").status());
    assertEquals("b", registry.latestJudged(W1).orElseThrow().modelVersion());

    // Judged again with the same verdict, a model that is not the week's latest is judged anew.
    registry.judged(W1, "a", GOOD, true, "ok");
    assertEquals("a", registry.latestJudged(W1).orElseThrow().modelVersion());

    train(registry, W1, "c");
    registry.judged(W1, "c", GOOD, true, "ok");
    registry.served(W1, "c");
    assertEquals(REPLACED, entry(registry, W1, "a").status());
    assertNotNull(entry(registry, W1, "a").rolledBackAt());
    assertEquals(SERVED, entry(registry, W1, "c").status());
    assertEquals(REJECTED, entry(registry, W1, "b").status());
  }

  @Test
  void shouldCompareWithTheNewestWeekWhoseLatestVerdictAccepted() {
    ModelRegistry registry = new ModelRegistry(newLake(), ticking());
    LocalDate w3 = W2.plusDays(7);
    assertEquals(Optional.empty(), registry.lastAcceptedBefore(w3));

    train(registry, W1, "a");
    registry.judged(W1, "a", GOOD, true, "ok");
    train(registry, W2, "b");
    registry.judged(W2, "b", GOOD, true, "ok");
    assertEquals("b", registry.lastAcceptedBefore(w3).orElseThrow().modelVersion());

    // W2 rerun and rejected: W2 no longer counts, W1 does.
    train(registry, W2, "b2");
    registry.judged(W2, "b2", POOR, false, "below popularity");
    assertEquals("a", registry.lastAcceptedBefore(w3).orElseThrow().modelVersion());
    assertEquals(Optional.empty(), registry.lastAcceptedBefore(W1));
  }

  @Test
  void shouldForgetAModelTrainedAgainUntilItIsSavedAndKeepABacktestWithoutAVerdict() {
    ModelRegistry registry = new ModelRegistry(newLake(), ticking());
    train(registry, W1, "a");
    registry.judged(W1, "a", GOOD, true, "ok");
    registry.discard(W1, "a");
    assertEquals(Optional.empty(), registry.find(W1, "a"));

    train(registry, W1, "a");
    registry.backtested(W1, "a", POOR);
    ModelRegistry.Entry measured = entry(registry, W1, "a");
    assertEquals(CANDIDATE, measured.status());
    assertEquals(POOR, measured.backtested());
    assertNull(measured.verdict());
    assertEquals(Optional.empty(), registry.latestJudged(W1));
  }
}
