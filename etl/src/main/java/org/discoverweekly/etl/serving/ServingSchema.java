package org.discoverweekly.etl.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.metadata.schema.KeyspaceMetadata;
import com.datastax.oss.driver.api.core.type.UserDefinedType;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;

/**
 * The serving schema of {@code conf/cassandra/schema.cql}, applied when a piece of it is missing.
 */
public final class ServingSchema {

  public static final String PLAYLISTS = "playlists";
  static final String PUBLISHED_WEEKS = "published_weeks";
  static final String TRACK_TYPE = "playlist_track";

  private ServingSchema() {}

  /** Fields of the slot type added after its first release, each a text. */
  static final List<String> ADDED_FIELDS =
      List.of("because_track_id", "because_track_name", "because_artist_name");

  /**
   * Creates the keyspace, type and tables that do not exist yet, and adds the slot type's newer
   * fields to a type created before them; a no-op when all are there.
   */
  public static void ensure(CqlSession session, CassandraSettings settings) {
    if (!exists(session, settings)) {
      statements(settings).forEach(session::execute);
    }
    UserDefinedType type =
        session
            .getMetadata()
            .getKeyspace(settings.keyspace())
            .flatMap(keyspace -> keyspace.getUserDefinedType(TRACK_TYPE))
            .orElseThrow();
    for (String field : ADDED_FIELDS) {
      if (!type.contains(field)) {
        session.execute(
            "ALTER TYPE " + settings.keyspace() + "." + TRACK_TYPE + " ADD " + field + " text");
      }
    }
  }

  /** Whether the keyspace holds the whole schema. */
  public static boolean exists(CqlSession session, CassandraSettings settings) {
    Optional<KeyspaceMetadata> keyspace = session.getMetadata().getKeyspace(settings.keyspace());
    return keyspace.isPresent()
        && keyspace.get().getUserDefinedType(TRACK_TYPE).isPresent()
        && keyspace.get().getTable(PLAYLISTS).isPresent()
        && keyspace.get().getTable(PUBLISHED_WEEKS).isPresent();
  }

  /** The schema's statements with the configured keyspace and replication. */
  static List<String> statements(CassandraSettings settings) {
    String cql =
        withoutComments(resource())
            .replace("${keyspace}", settings.keyspace())
            .replace("${replication}", settings.replication());
    return Arrays.stream(cql.split(";")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static String withoutComments(String cql) {
    StringBuilder statement = new StringBuilder();
    for (String line : cql.lines().toList()) {
      int comment = line.indexOf("--");
      statement.append(comment < 0 ? line : line.substring(0, comment)).append('\n');
    }
    return statement.toString();
  }

  private static String resource() {
    try (InputStream in = ServingSchema.class.getResourceAsStream("/cassandra/schema.cql")) {
      if (in == null) {
        throw new IllegalStateException("cassandra/schema.cql is missing from the application jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
