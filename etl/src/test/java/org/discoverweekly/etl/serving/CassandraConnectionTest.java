package org.discoverweekly.etl.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.junit.jupiter.api.Test;

/** The connector settings that config and environment give, and the schema's statements. */
class CassandraConnectionTest {

  private static CassandraSettings settings(Map<String, String> overrides) {
    return ConfigLoader.load(Optional.empty(), overrides, Optional.empty(), Optional.empty())
        .cassandra();
  }

  @Test
  void shouldMapTheConfigToConnectorProperties() {
    Map<String, String> properties =
        CassandraConnection.properties(
            settings(
                Map.of(
                    "cassandra.hosts.0", "10.0.0.1",
                    "cassandra.write.throughput-mb-per-sec", "2.5",
                    "cassandra.ttl-days", "7")),
            Map.of());
    assertEquals("10.0.0.1", properties.get("spark.cassandra.connection.host"));
    assertEquals("9042", properties.get("spark.cassandra.connection.port"));
    assertEquals("datacenter1", properties.get("spark.cassandra.connection.localDC"));
    assertEquals("LOCAL_QUORUM", properties.get("spark.cassandra.output.consistency.level"));
    assertEquals("8", properties.get("spark.cassandra.output.concurrent.writes"));
    assertEquals("2.5", properties.get("spark.cassandra.output.throughputMBPerSec"));
    assertEquals(String.valueOf(7 * 86_400), properties.get("spark.cassandra.output.ttl"));
    assertFalse(properties.containsKey("spark.cassandra.output.batch.size.rows"));
    assertFalse(properties.containsKey("spark.cassandra.auth.username"));
    assertFalse(properties.containsKey("spark.cassandra.connection.ssl.enabled"));
  }

  @Test
  void shouldTakeCredentialsAndTlsSecretsFromTheEnvironmentOnly() {
    CassandraSettings settings =
        settings(
            Map.of(
                "cassandra.ssl.enabled", "true",
                "cassandra.ssl.trust-store", "/etc/trust.jks"));
    Map<String, String> properties =
        CassandraConnection.properties(
            settings,
            Map.of(
                "DW_CASSANDRA_USERNAME", "reader",
                "DW_CASSANDRA_PASSWORD", "s3cret",
                "DW_CASSANDRA_TRUSTSTORE_PASSWORD", "changeit"));
    assertEquals("reader", properties.get("spark.cassandra.auth.username"));
    assertEquals("s3cret", properties.get("spark.cassandra.auth.password"));
    assertEquals("true", properties.get("spark.cassandra.connection.ssl.enabled"));
    assertEquals(
        "/etc/trust.jks", properties.get("spark.cassandra.connection.ssl.trustStore.path"));
    assertEquals("changeit", properties.get("spark.cassandra.connection.ssl.trustStore.password"));

    PipelineException half =
        assertThrows(
            PipelineException.class,
            () -> CassandraConnection.properties(settings, Map.of("DW_CASSANDRA_USERNAME", "x")));
    assertTrue(half.getMessage().contains("DW_CASSANDRA_PASSWORD is not"), half.getMessage());
  }

  @Test
  void shouldFillTheSchemaWithTheConfiguredKeyspace() {
    List<String> statements =
        ServingSchema.statements(settings(Map.of("cassandra.keyspace", "music")));
    assertEquals(4, statements.size(), statements.toString());
    assertTrue(statements.get(0).startsWith("CREATE KEYSPACE IF NOT EXISTS music"));
    assertTrue(statements.stream().allMatch(s -> s.contains("IF NOT EXISTS music")));
    assertTrue(statements.stream().noneMatch(s -> s.contains("--") || s.contains("${")));
  }
}
