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
}
