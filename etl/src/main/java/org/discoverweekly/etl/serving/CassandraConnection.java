package org.discoverweekly.etl.serving;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.spark.connector.cql.CassandraConnector;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.SparkConf;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;

/**
 * The Spark Cassandra Connector's settings from the config, shared by publish's DataFrame writer
 * and by the driver sessions of the readers, so both reach Cassandra the same way. Credentials and
 * the trust store's password come from the environment variables the config names.
 */
public final class CassandraConnection {

  private CassandraConnection() {}

  /** The {@code spark.cassandra.*} properties for {@code settings}. */
  public static Map<String, String> properties(CassandraSettings settings) {
    return properties(settings, System.getenv());
  }

  static Map<String, String> properties(CassandraSettings settings, Map<String, String> env) {
    Map<String, String> properties = new TreeMap<>();
    properties.put("spark.cassandra.connection.host", String.join(",", settings.hosts()));
    properties.put("spark.cassandra.connection.port", String.valueOf(settings.port()));
    properties.put("spark.cassandra.connection.localDC", settings.localDatacenter());
    properties.put(
        "spark.cassandra.connection.timeoutMS", String.valueOf(settings.connectTimeoutMs()));
    properties.put("spark.cassandra.read.timeoutMS", String.valueOf(settings.requestTimeoutMs()));
    String username = env.get(settings.usernameEnv());
    if (username != null && !username.isEmpty()) {
      String password = env.get(settings.passwordEnv());
      if (password == null) {
        throw new PipelineException(
            settings.usernameEnv()
                + " is set but "
                + settings.passwordEnv()
                + " is not: set both for Cassandra password authentication");
      }
      properties.put("spark.cassandra.auth.username", username);
      properties.put("spark.cassandra.auth.password", password);
    }
    if (settings.ssl().enabled()) {
      properties.put("spark.cassandra.connection.ssl.enabled", "true");
      if (!settings.ssl().trustStore().isEmpty()) {
        properties.put(
            "spark.cassandra.connection.ssl.trustStore.path", settings.ssl().trustStore());
        String password = env.get(settings.ssl().trustStorePasswordEnv());
        if (password != null) {
          properties.put("spark.cassandra.connection.ssl.trustStore.password", password);
        }
      }
    }
    CassandraSettings.Write write = settings.write();
    properties.put("spark.cassandra.output.consistency.level", write.consistency());
    properties.put(
        "spark.cassandra.output.concurrent.writes", String.valueOf(write.concurrentWrites()));
    if (write.batchSizeRows() > 0) {
      properties.put(
          "spark.cassandra.output.batch.size.rows", String.valueOf(write.batchSizeRows()));
    }
    if (write.throughputMbPerSec() > 0) {
      properties.put(
          "spark.cassandra.output.throughputMBPerSec", String.valueOf(write.throughputMbPerSec()));
    }
    properties.put("spark.cassandra.output.ttl", String.valueOf(settings.ttlDays() * 86_400L));
    return properties;
  }

  /** A connector for driver-side sessions, outside any SparkContext. */
  public static CassandraConnector connector(CassandraSettings settings) {
    SparkConf conf = new SparkConf(false);
    properties(settings).forEach(conf::set);
    return CassandraConnector.apply(conf);
  }

  /**
   * A session to the cluster; fails within the connect timeout with one line naming where it looked
   * when no node answers.
   */
  public static CqlSession open(CassandraConnector connector, CassandraSettings settings) {
    try {
      return connector.openSession();
    } catch (Exception e) { // the connector throws IOException without declaring it
      throw unreachable(settings, e);
    }
  }

  /** The one-line error for a cluster that cannot be reached. */
  public static PipelineException unreachable(CassandraSettings settings, Throwable e) {
    return new PipelineException(
        "cannot reach Cassandra at "
            + String.join(",", settings.hosts())
            + ":"
            + settings.port()
            + " ("
            + rootCause(e)
            + "); is it running?",
        e);
  }

  /** The innermost cause of {@code e}: its class and the first line of its message. */
  static String rootCause(Throwable e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String reason = String.valueOf(cause.getMessage()).lines().findFirst().orElse("");
    return cause.getClass().getSimpleName() + (reason.isEmpty() ? "" : ": " + reason);
  }
}
