package org.discoverweekly.etl.gold;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.LocalDate;
import java.util.Map;
import java.util.Optional;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.config.PipelineConfig.WeeklySettings;
import org.discoverweekly.etl.ops.Hashes;
import org.junit.jupiter.api.Test;

/**
 * The recipe a week is built and reused by: which versions and settings make a new model or a new
 * backtest, and the exact strings earlier runs recorded, so their rows stay current.
 */
class WeekRecipeTest {

  private static final LocalDate WEEK = LocalDate.parse("2026-11-16");
  private static final WeeklySettings DEFAULTS = ConfigLoader.defaults().weekly();

  private static WeeklySettings with(String key, String value) {
    return ConfigLoader.load(
            Optional.empty(), Map.of(key, value), Optional.empty(), Optional.empty())
        .weekly();
  }

  private static WeekRecipe recipe(long listens, long tracks, WeeklySettings settings) {
    return WeekRecipe.of(
        WEEK, Map.of("silver.listens", listens, "silver.tracks", tracks), settings);
  }

  @Test
  void shouldHashTheWeekSilverListensAndModelSettingsIntoTheModelVersion() {
    String expected =
        "als-2026-11-16-"
            + Hashes.sha256("2026-11-16|4|" + DEFAULTS.matrix() + "|" + DEFAULTS.als())
                .substring(0, 12);

    assertEquals(expected, recipe(4, 2, DEFAULTS).modelVersion());
  }

  @Test
  void shouldHashTheModelVersionCatalogPlaylistAndSampleSettingsIntoTheBacktest() {
    WeekRecipe recipe = recipe(4, 2, DEFAULTS);
    String expected =
        Hashes.sha256(
                recipe.modelVersion()
                    + "|2|"
                    + DEFAULTS.playlists()
                    + "|"
                    + DEFAULTS.evaluateUsers())
            .substring(0, 12);

    assertEquals(expected, recipe.backtest());
    assertEquals(expected, recipe.evaluateConfig().get("backtest"));
  }

  @Test
  void shouldMakeANewModelWhenSilverListensOrAnAlsSettingChanges() {
    String model = recipe(4, 2, DEFAULTS).modelVersion();

    assertNotEquals(model, recipe(5, 2, DEFAULTS).modelVersion());
    assertNotEquals(model, recipe(4, 2, with("weekly.als.rank", "8")).modelVersion());
  }

  @Test
  void shouldGiveAChallengerAModelOfItsOwnEvenWhenOnlyItsRankingDiffers() {
    Map<String, Long> versions = Map.of("silver.listens", 4L, "silver.tracks", 2L);
    WeekRecipe champion = WeekRecipe.of(WEEK, versions, DEFAULTS);
    WeekRecipe same = WeekRecipe.challenger(WEEK, versions, DEFAULTS);
    WeekRecipe capped =
        WeekRecipe.challenger(WEEK, versions, with("weekly.max-tracks-per-artist", "1"));

    assertNotEquals(champion.modelVersion(), same.modelVersion());
    assertNotEquals(same.modelVersion(), capped.modelVersion());
    assertEquals(champion.inputs(), capped.inputs());
    assertEquals(capped.modelVersion(), capped.config().get("model_version"));
    assertEquals(
        same.modelVersion(), WeekRecipe.challenger(WEEK, versions, DEFAULTS).modelVersion());
  }

  @Test
  void shouldKeepTheModelButNotTheBacktestWhenOnlyTheCatalogOrPlaylistsChange() {
    WeekRecipe recipe = recipe(4, 2, DEFAULTS);
    WeekRecipe newCatalog = recipe(4, 3, DEFAULTS);
    WeekRecipe shorter = recipe(4, 2, with("weekly.playlist-size", "20"));

    assertEquals(recipe.modelVersion(), newCatalog.modelVersion());
    assertNotEquals(recipe.backtest(), newCatalog.backtest());
    assertEquals(recipe.modelVersion(), shorter.modelVersion());
    assertNotEquals(recipe.backtest(), shorter.backtest());
  }

  @Test
  void shouldCountAMissingCatalogFeedbackOrLedgerAsVersionMinusOne() {
    WeekRecipe recipe = WeekRecipe.of(WEEK, Map.of("silver.listens", 4L), DEFAULTS);

    assertEquals(
        Map.of(
            "silver.listens",
            4L,
            "silver.tracks",
            -1L,
            "silver.feedback",
            -1L,
            "ops.pipeline_runs",
            -1L),
        recipe.inputs());
  }

  @Test
  void shouldMakeANewModelWhenTheFeedbackChangesButKeepModelsOfLakesWithoutIt() {
    String without = recipe(4, 2, DEFAULTS).modelVersion();
    WeekRecipe first =
        WeekRecipe.of(
            WEEK,
            Map.of("silver.listens", 4L, "silver.tracks", 2L, "silver.feedback", 0L),
            DEFAULTS);
    WeekRecipe second =
        WeekRecipe.of(
            WEEK,
            Map.of("silver.listens", 4L, "silver.tracks", 2L, "silver.feedback", 1L),
            DEFAULTS);

    assertNotEquals(without, first.modelVersion());
    assertNotEquals(first.modelVersion(), second.modelVersion());
  }

  @Test
  void shouldPinTheLedgerWithoutMakingANewModelOrBacktest() {
    WeekRecipe recipe = recipe(4, 2, DEFAULTS);
    WeekRecipe later =
        WeekRecipe.of(
            WEEK,
            Map.of("silver.listens", 4L, "silver.tracks", 2L, "ops.pipeline_runs", 9L),
            DEFAULTS);

    assertEquals(9L, later.inputs().get("ops.pipeline_runs"));
    assertEquals(recipe.modelVersion(), later.modelVersion());
    assertEquals(recipe.backtest(), later.backtest());
  }

  @Test
  void shouldRecordTheSettingsTheirHashAndTheModelVersionAsTheConfig() {
    WeekRecipe recipe = recipe(4, 2, DEFAULTS);

    assertEquals(recipe.modelVersion(), recipe.config().get("model_version"));
    assertEquals(DEFAULTS.als().toString(), recipe.config().get("als"));
    assertEquals(16, recipe.config().get("hash").length());
    assertEquals(null, recipe.config().get("backtest"));
  }
}
