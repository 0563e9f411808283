package org.discoverweekly.etl;

import com.amazonaws.auth.EnvironmentVariableCredentialsProvider;
import com.amazonaws.client.builder.AwsClientBuilder.EndpointConfiguration;
import com.amazonaws.services.s3.AmazonS3;
import com.amazonaws.services.s3.AmazonS3ClientBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;

/**
 * One real S3-compatible server (S3Proxy, from Maven Central) for the whole test run: a child
 * process on a free loopback port, storing buckets in a folder under {@code target/s3proxy},
 * started the first time a class needs it and stopped when every test is done. It accepts the
 * credentials in {@code AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} (fake values set by
 * surefire), the same variables S3A reads.
 */
public final class S3ProxyServer implements BeforeAllCallback {

  public static final String REGION = "us-east-1";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private static Server server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server =
        context
            .getRoot()
            .getStore(Namespace.GLOBAL)
            .getOrComputeIfAbsent(
                S3ProxyServer.class.getName(), key -> Server.start(), Server.class);
  }

  /** {@code http://127.0.0.1:PORT} of the running server. */
  public static String endpoint() {
    if (server == null) {
      throw new IllegalStateException(
          "S3Proxy is not started: add @ExtendWith(S3ProxyServer.class)");
    }
    return "http://127.0.0.1:" + server.port;
  }

  /**
   * The Spark settings that point S3A at this server; credentials are not among them, S3A takes
   * them from the environment as in production.
   */
  public static Map<String, String> sparkConf() {
    return Map.of(
        "spark.hadoop.fs.s3a.endpoint",
        endpoint(),
        "spark.hadoop.fs.s3a.endpoint.region",
        REGION,
        "spark.hadoop.fs.s3a.path.style.access",
        "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled",
        "false",
        "spark.hadoop.fs.s3a.aws.credentials.provider",
        EnvironmentVariableCredentialsProvider.class.getName());
  }

  /** {@link #sparkConf} as command line overrides ({@code -Dspark.conf.KEY=VALUE}). */
  public static List<String> options() {
    return sparkConf().entrySet().stream()
        .map(setting -> "-Dspark.conf." + setting.getKey() + "=" + setting.getValue())
        .sorted()
        .toList();
  }

  /** An S3 client of this server, with the environment's credentials. */
  public static AmazonS3 client() {
    return AmazonS3ClientBuilder.standard()
        .withEndpointConfiguration(new EndpointConfiguration(endpoint(), REGION))
        .withPathStyleAccessEnabled(true)
        .withCredentials(new EnvironmentVariableCredentialsProvider())
        .build();
  }

  /** The running child process; closing it stops it and removes its buckets. */
  static final class Server implements ExtensionContext.Store.CloseableResource {

    private final Process process;
    private final int port;
    private final Path dir;

    private Server(Process process, int port, Path dir) {
      this.process = process;
      this.port = port;
      this.dir = dir;
    }

    static Server start() {
      Path jar = Path.of(System.getProperty("s3proxy.jar", "target/s3proxy/s3proxy.jar"));
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException(
            "no S3Proxy jar at " + jar + "; run the tests through Maven, which copies it there");
      }
      try {
        Path dir = Files.createTempDirectory(jar.toAbsolutePath().getParent(), "run-");
        int port = freePort();
        Path properties = writeProperties(dir, port);
        Path log = dir.resolve("s3proxy.log");
        Process process =
            new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m",
                    "-jar",
                    jar.toAbsolutePath().toString(),
                    "--properties",
                    properties.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Server server = new Server(process, port, dir);
        // A test JVM that dies before the store closes must not leave the server behind.
        Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
        server.awaitPort(log);
        return server;
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start S3Proxy from " + jar, e);
      }
    }

    private static Path writeProperties(Path dir, int port) throws IOException {
      Path data = Files.createDirectories(dir.resolve("data"));
      Properties properties = new Properties();
      properties.setProperty("s3proxy.endpoint", "http://127.0.0.1:" + port);
      properties.setProperty("s3proxy.authorization", "aws-v2-or-v4");
      properties.setProperty("s3proxy.identity", requireEnv("AWS_ACCESS_KEY_ID"));
      properties.setProperty("s3proxy.credential", requireEnv("AWS_SECRET_ACCESS_KEY"));
      properties.setProperty("jclouds.provider", "filesystem");
      properties.setProperty("jclouds.filesystem.basedir", data.toString());
      Path file = dir.resolve("s3proxy.properties");
      try (var out = Files.newBufferedWriter(file)) {
        properties.store(out, "S3Proxy of the test run");
      }
      return file;
    }

    private static String requireEnv(String name) {
      String value = System.getenv(name);
      if (value == null || value.isEmpty()) {
        throw new IllegalStateException(
            name + " is not set; etl/pom.xml sets fake test credentials for surefire");
      }
      return value;
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, loopback())) {
        return socket.getLocalPort();
      }
    }

    private static InetAddress loopback() {
      return java.net.InetAddress.getLoopbackAddress();
    }

    private void awaitPort(Path log) {
      Instant deadline = Instant.now().plus(START_TIMEOUT);
      while (Instant.now().isBefore(deadline)) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "S3Proxy exited with code " + process.exitValue() + " before answering; see " + log);
        }
        if (answers()) {
          return;
        }
        sleep();
      }
      process.destroyForcibly();
      throw new IllegalStateException(
          "S3Proxy did not answer on 127.0.0.1:"
              + port
              + " within "
              + START_TIMEOUT
              + "; see "
              + log);
    }

    private boolean answers() {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(loopback(), port), 500);
        return true;
      } catch (IOException e) {
        return false;
      }
    }

    private static void sleep() {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for S3Proxy", e);
      }
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
      // The log stays for a failed run to be read; the buckets go.
      try (Stream<Path> paths = Files.walk(dir.resolve("data"))) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
  }
}
