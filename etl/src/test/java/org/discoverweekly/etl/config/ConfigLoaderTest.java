package org.discoverweekly.etl.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

  @TempDir Path dir;

  @Test
  void shouldUseTheEmbeddedLocalDefaults() {
    PipelineConfig config = ConfigLoader.defaults();
    assertEquals("var/lake", config.lake());
    assertEquals(30_000, config.listens().streamThresholdMs());
    assertEquals(2880, config.listens().botPlaysPerDay());
    assertEquals("local[*]", config.spark().master());
    assertEquals("DW_CASSANDRA_PASSWORD", config.cassandra().passwordEnv());
  }

  @Test
  void shouldLayerFileThenOverridesThenRoots() throws IOException {
    Path file = dir.resolve("site.conf");
    Files.writeString(
        file,
        "lake = \"/from/file\"\nlistens.lateness-horizon-days = 7\nspark.shuffle-partitions = 3");
    PipelineConfig config =
        ConfigLoader.load(
            Optional.of(file),
            Map.of("listens.lateness-horizon-days", "14"),
            Optional.of("s3a://bucket/lake"),
            Optional.empty());
    assertEquals("s3a://bucket/lake", config.lake());
    assertEquals(14, config.listens().latenessHorizonDays());
    assertEquals(3, config.spark().shufflePartitions());
    assertEquals(15, config.listens().futureSkewMinutes());
  }

  @Test
  void shouldLayerAChallengerFileOverEverythingElse() throws IOException {
    Path challenger = dir.resolve("challenger.conf");
    Files.writeString(
        challenger, "weekly.als { rank = 32, alpha = 40 }\nweekly.max-tracks-per-artist = 1\n");
    PipelineConfig config =
        ConfigLoader.challenger(
            challenger,
            Optional.empty(),
            Map.of("weekly.als.rank", "8", "weekly.als.max-iter", "3"),
            Optional.empty(),
            Optional.empty());

    assertEquals(32, config.weekly().als().rank());
    assertEquals(40.0, config.weekly().als().alpha());
    assertEquals(3, config.weekly().als().maxIter());
    assertEquals(1, config.weekly().playlists().maxPerArtist());
    assertEquals(ConfigLoader.defaults().weekly().matrix(), config.weekly().matrix());
  }

  @Test
  void shouldRefuseAChallengerFileThatSetsAnythingButAlsAndRankingKeys() throws IOException {
    Path matrix = dir.resolve("matrix.conf");
    Files.writeString(matrix, "weekly.als.rank = 32\nweekly.half-life-days = 7\n");
    Path empty = dir.resolve("empty.conf");
    Files.writeString(empty, "# nothing\n");

    ConfigError refused =
        assertThrows(
            ConfigError.class,
            () ->
                ConfigLoader.challenger(
                    matrix, Optional.empty(), Map.of(), Optional.empty(), Optional.empty()));
    ConfigError none =
        assertThrows(
            ConfigError.class,
            () ->
                ConfigLoader.challenger(
                    empty, Optional.empty(), Map.of(), Optional.empty(), Optional.empty()));

    assertTrue(refused.getMessage().contains("sets weekly.half-life-days"), refused.getMessage());
    assertTrue(none.getMessage().contains("sets no key"), none.getMessage());
  }

  @Test
  void shouldReadATuneGridFromAFileUnderTheCommandLinesAxes() throws IOException {
    Path file = dir.resolve("grid.conf");
    Files.writeString(file, "rank = [8, 16]\nalpha = 40\nmax-iter = [5, 10]\n");
    TuneGrid grid =
        TuneGrid.of(ConfigLoader.defaults().weekly().als())
            .withFile(file)
            .with(null, java.util.List.of(0.01, 0.1), null, java.util.List.of());

    assertEquals(java.util.List.of(8, 16), grid.ranks());
    assertEquals(java.util.List.of(0.01, 0.1), grid.regParams());
    assertEquals(java.util.List.of(40.0), grid.alphas());
    assertEquals(java.util.List.of(5, 10), grid.maxIters());
    assertEquals(8, grid.size());
    Files.writeString(file, "rank = [8]\nseed = 1\n");
    ConfigError unknown = assertThrows(ConfigError.class, () -> grid.withFile(file));
    assertTrue(unknown.getMessage().contains("sets [seed]"), unknown.getMessage());
  }

  @Test
  void shouldParseTheClusterExample() {
    PipelineConfig config =
        ConfigLoader.load(
            Optional.of(Path.of("../conf/cluster.conf")),
            Map.of(),
            Optional.empty(),
            Optional.empty());
    assertTrue(config.lake().startsWith("s3a://"));
    assertEquals(
        "com.amazonaws.auth.DefaultAWSCredentialsProviderChain",
        config.spark().conf().get("spark.hadoop.fs.s3a.aws.credentials.provider"));
    assertEquals("eu-west-1", config.spark().conf().get("spark.hadoop.fs.s3a.endpoint.region"));
    assertTrue(config.cassandra().ssl().enabled());
  }

  @Test
  void shouldRejectAnOutOfRangeValueNamingTheKey() {
    ConfigError error =
        assertThrows(
            ConfigError.class,
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of("listens.bot-plays-per-day", "0"),
                    Optional.empty(),
                    Optional.empty()));
    assertTrue(
        error.getMessage().contains("'bot-plays-per-day' must be positive"), error.getMessage());
  }

  @Test
  void shouldRejectAValueOfTheWrongType() {
    ConfigError error =
        assertThrows(
            ConfigError.class,
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of("spark.shuffle-partitions", "many"),
                    Optional.empty(),
                    Optional.empty()));
    assertTrue(error.getMessage().contains("shuffle-partitions"), error.getMessage());
  }

  @Test
  void shouldRejectAMissingConfigFile() {
    ConfigError error =
        assertThrows(
            ConfigError.class,
            () ->
                ConfigLoader.load(
                    Optional.of(dir.resolve("nope.conf")),
                    Map.of(),
                    Optional.empty(),
                    Optional.empty()));
    assertTrue(error.getMessage().startsWith("config file not found"), error.getMessage());
  }

  @Test
  void shouldTakeASparkKeyOverrideQuotedOrNot() {
    PipelineConfig config =
        ConfigLoader.load(
            Optional.empty(),
            Map.of(
                "spark.conf.spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000",
                "spark.conf.\"spark.hadoop.fs.s3a.path.style.access\"", "true"),
            Optional.empty(),
            Optional.empty());
    Map<String, String> conf = config.spark().conf();
    assertEquals("http://127.0.0.1:9000", conf.get("spark.hadoop.fs.s3a.endpoint"));
    assertEquals("true", conf.get("spark.hadoop.fs.s3a.path.style.access"));
    assertEquals("false", conf.get("spark.ui.enabled"));
  }

  @Test
  void shouldRejectAnUnquotedSparkKeyInAFile() throws IOException {
    Path file = dir.resolve("site.conf");
    Files.writeString(file, "spark.conf { spark.hadoop.fs.s3a.endpoint = \"http://x\" }");
    ConfigError error =
        assertThrows(
            ConfigError.class,
            () ->
                ConfigLoader.load(Optional.of(file), Map.of(), Optional.empty(), Optional.empty()));
    assertTrue(error.getMessage().contains("quote Spark keys"), error.getMessage());
  }

  @Test
  void shouldTurnLineageIntoOpenLineagesSparkSettingsWithTheFileInTheLake() {
    assertTrue(
        ConfigLoader.defaults().spark().conf().keySet().stream()
            .noneMatch(key -> key.contains("openlineage") || key.equals("spark.extraListeners")),
        "lineage is off by default");
    Map<String, String> conf =
        ConfigLoader.load(
                Optional.empty(),
                Map.of(
                    "lineage.enabled", "true",
                    "spark.conf.spark.extraListeners", "com.example.OwnListener"),
                Optional.of("/data/lake"),
                Optional.empty())
            .spark()
            .conf();
    assertEquals(
        "com.example.OwnListener," + LineageConf.LISTENER, conf.get("spark.extraListeners"));
    assertEquals("file", conf.get("spark.openlineage.transport.type"));
    assertEquals("/data/lake/ops/lineage/events.jsonl", conf.get(LineageConf.FILE));
    assertEquals("discover-weekly", conf.get("spark.openlineage.namespace"));

    Map<String, String> http =
        ConfigLoader.load(
                Optional.empty(),
                Map.of(
                    "lineage.enabled", "true",
                    "lineage.transport", "http",
                    "lineage.url", "http://marquez:5000"),
                Optional.of("s3a://bucket/lake"),
                Optional.empty())
            .spark()
            .conf();
    assertEquals("http://marquez:5000", http.get("spark.openlineage.transport.url"));
    assertEquals(LineageConf.LISTENER, http.get("spark.extraListeners"));
  }

  @Test
  void shouldRefuseLineageFilesThatCannotBeWrittenAndUnknownTransports() {
    ConfigError onS3 =
        assertThrows(
            ConfigError.class,
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of("lineage.enabled", "true"),
                    Optional.of("s3a://bucket/lake"),
                    Optional.empty()));
    assertTrue(onS3.getMessage().contains("must name a local file"), onS3.getMessage());
    ConfigError kafka =
        assertThrows(
            ConfigError.class,
            () ->
                ConfigLoader.load(
                    Optional.empty(),
                    Map.of("lineage.enabled", "true", "lineage.transport", "kafka"),
                    Optional.empty(),
                    Optional.empty()));
    assertTrue(kafka.getMessage().contains("\"file\" or \"http\""), kafka.getMessage());
  }
}
