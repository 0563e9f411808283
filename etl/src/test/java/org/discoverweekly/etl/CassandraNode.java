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

/**
 * One real Cassandra node shared by the test classes of one test JVM, started by {@code
 * bin/cassandra-local} on its own ports and data folder the first time a class needs it, and
 * stopped when that JVM exits, its tests passed or failed (under {@code bin/test}, left running for
 * the DAG tests, which stop it). Test classes isolate themselves by keyspace; Surefire's parallel
 * test JVMs ({@code discover-weekly.test-fork} 1, 2, ...) each have a node of their own, 100 ports
 * apart.
 */
public final class CassandraNode implements BeforeAllCallback {

  private static final int FORK = Integer.getInteger("discover-weekly.test-fork", 1);
  public static final int PORT = 19042 + 100 * (FORK - 1);
  private static final int STORAGE_PORT = 17000 + 100 * (FORK - 1);

  private static boolean started;

  /** Set (by {@code bin/test}) to leave the shared node running when the test JVM exits. */
  public static final String KEEP_ENV = "DW_TEST_CASSANDRA_KEEP";

  /**
   * Starts the shared node the first time a class of this JVM needs it, and has it stopped when the
   * JVM exits: with several test JVMs Surefire runs each class as a test plan of its own, so a node
   * tied to the plan would stop and restart between classes under the connector's cached sessions.
   */
  @Override
  public void beforeAll(ExtensionContext context) {
    synchronized (CassandraNode.class) {
      if (!started) {
        SHARED.start();
        // bin/test hands the node on to the DAG tests, which use the same folder and ports, and
        // stops it itself: a Cassandra start costs tens of seconds on two cores.
        if (System.getenv(KEEP_ENV) == null) {
          Runtime.getRuntime().addShutdownHook(new Thread(SHARED::stop, "cassandra-node-stop"));
        }
        started = true;
      }
    }
  }

  /** The shared node. */
  public static final Node SHARED =
      new Node(
          home().resolve(FORK == 1 ? "var/cassandra-test" : "var/cassandra-test-" + FORK),
          PORT,
          STORAGE_PORT);

  /** Config overrides that point the CLI at the shared node and at {@code keyspace}. */
  public static List<String> options(String keyspace) {
    return SHARED.options(keyspace);
  }

  /** The settings the CLI uses with {@link #options}. */
  public static CassandraSettings settings(String keyspace) {
    return SHARED.settings(keyspace);
  }

  /** A session to the shared node, keeping what {@code keyspace} holds. */
  public static CqlSession freshSession(String keyspace) {
    return SHARED.session(keyspace);
  }

  /**
   * A session to the shared node for {@code keyspace}, which is dropped first: the node's data
   * outlives a test run, and a test starts from nothing.
   */
  public static CqlSession freshKeyspace(String keyspace) {
    CqlSession session = freshSession(keyspace);
    session.execute("DROP KEYSPACE IF EXISTS " + keyspace);
    return session;
  }

  public static Path home() {
    return Path.of(System.getProperty("discover-weekly.home", "..")).toAbsolutePath();
  }

  /**
   * A node started by {@code bin/cassandra-local} with its data in {@code dir} and its own ports:
   * the shared one, or one a test stops and restarts without disturbing the others.
   */
  public record Node(Path dir, int port, int storagePort) {

    public void start() {
      run("start");
    }

    public void stop() {
      run("stop");
    }

    /** SIGKILL, as a node that crashes: no flush, no drain, no goodbye to the clients. */
    public void kill() {
      run("kill");
    }

    /** Config overrides that point the CLI at this node and at {@code keyspace}. */
    public List<String> options(String keyspace) {
      return List.of("-Dcassandra.port=" + port, "-Dcassandra.keyspace=" + keyspace);
    }

    /** The settings the CLI uses with {@link #options}. */
    public CassandraSettings settings(String keyspace) {
      return ConfigLoader.load(
              Optional.empty(),
              Map.of("cassandra.port", String.valueOf(port), "cassandra.keyspace", keyspace),
              Optional.empty(),
              Optional.empty())
          .cassandra();
    }

    /** A new session to this node, keeping what {@code keyspace} holds. */
    public CqlSession session(String keyspace) {
      CassandraSettings settings = settings(keyspace);
      return CassandraConnection.open(CassandraConnection.connector(settings), settings);
    }

    /** Runs {@code bin/cassandra-local action} for this node. */
    public Script script(String action) {
      Path home = home();
      try {
        Path log = Files.createTempFile("cassandra-local-" + action, ".log");
        ProcessBuilder builder =
            new ProcessBuilder(home.resolve("bin").resolve("cassandra-local").toString(), action)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("DW_CASSANDRA_DIR", dir.toString());
        builder.environment().put("DW_CASSANDRA_PORT", String.valueOf(port));
        builder.environment().put("DW_CASSANDRA_STORAGE_PORT", String.valueOf(storagePort));
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

    private void run(String action) {
      Script result = script(action);
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

  /** A second node of this test JVM, in {@code dir}, on ports 50 above the shared node's. */
  public static Node another(Path dir) {
    return new Node(dir, PORT + 50, STORAGE_PORT + 50);
  }

  /** Runs {@code bin/cassandra-local action} with the shared node's ports and the given folder. */
  public static Script script(String action, Path dir) {
    return new Node(dir, PORT, STORAGE_PORT).script(action);
  }
}
