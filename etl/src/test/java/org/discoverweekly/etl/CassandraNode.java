package org.discoverweekly.etl;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.discoverweekly.etl.config.ConfigLoader;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.serving.CassandraConnection;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * One real Cassandra node for the whole test run, started by {@code bin/cassandra-local} on its own
 * ports and data folder the first time a class needs it, and stopped when every test is done,
 * passed or failed. Test classes isolate themselves by keyspace.
 */
public final class CassandraNode implements BeforeAllCallback {

  public static final int PORT = 19042;
  private static final int STORAGE_PORT = 17000;

  @Override
  public void beforeAll(ExtensionContext context) {
    context
        .getRoot()
        .getStore(Namespace.GLOBAL)
        .getOrComputeIfAbsent(CassandraNode.class.getName(), key -> Node.start(), Node.class);
  }

  /** Config overrides that point the CLI at this node and at {@code keyspace}. */
  public static List<String> options(String keyspace) {
    return List.of("-Dcassandra.port=" + PORT, "-Dcassandra.keyspace=" + keyspace);
  }

  /** The settings the CLI uses with {@link #options}. */
  public static CassandraSettings settings(String keyspace) {
    return ConfigLoader.load(
            Optional.empty(),
            Map.of("cassandra.port", String.valueOf(PORT), "cassandra.keyspace", keyspace),
            Optional.empty(),
            Optional.empty())
        .cassandra();
  }

  /** A session to this node, keeping what {@code keyspace} holds. */
  public static CqlSession freshSession(String keyspace) {
    CassandraSettings settings = settings(keyspace);
    return CassandraConnection.open(CassandraConnection.connector(settings), settings);
  }

  /**
   * A session to this node for {@code keyspace}, which is dropped first: the node's data outlives a
   * test run, and a test starts from nothing.
   */
  public static CqlSession freshKeyspace(String keyspace) {
    CqlSession session = freshSession(keyspace);
    session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
    return session;
  }

  public static Path home() {
    return Path.of(System.getProperty("discover-weekly.home", "..")).toAbsolutePath();
  }

  /** The running node; closing it stops it. */
  static final class Node implements ExtensionContext.Store.CloseableResource {

    static Node start() {
      script("start");
      return new Node();
    }

    @Override
    public void close() {
      script("stop");
    }

    private static void script(String action) {
      Script result = CassandraNode.script(action, home().resolve("var/cassandra-test"));
      if (result.code() != 0) {
        throw new IllegalStateException(
            "bin/cassandra-local "
                + action
                + " failed ("
                + result.code()
                + "): "
                + result.output());
      }
    }
  }

  /** The exit code and output of one {@code bin/cassandra-local} call. */
  public record Script(int code, String output) {}

  /** Runs {@code bin/cassandra-local action} with this node's ports and the given data folder. */
  public static Script script(String action, Path dir) {
    Path home = home();
    try {
      Path log = Files.createTempFile("cassandra-local-" + action, ".log");
      ProcessBuilder builder =
          new ProcessBuilder(home.resolve("bin").resolve("cassandra-local").toString(), action)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      builder.environment().put("DW_CASSANDRA_DIR", dir.toString());
      builder.environment().put("DW_CASSANDRA_PORT", String.valueOf(PORT));
      builder.environment().put("DW_CASSANDRA_STORAGE_PORT", String.valueOf(STORAGE_PORT));
      int code = builder.start().waitFor();
      String output = Files.readString(log);
      Files.delete(log);
      return new Script(code, output);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run bin/cassandra-local " + action, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running cassandra-local", e);
    }
  }
}
