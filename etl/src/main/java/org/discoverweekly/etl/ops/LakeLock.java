package org.discoverweekly.etl.ops;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.discoverweekly.etl.PipelineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One writing command per lake at a time: {@code ingest}, {@code silver}, {@code weekly}, {@code
 * maintain} and the others that write hold a lock file at {@code <lake>/ops/_writer.lock} naming
 * the command, host, process and start time. A second writer fails at once with a message naming
 * the first; a lock left by a process of this host that no longer runs is taken over.
 *
 * <p>On a local or HDFS lake the file is created atomically. On S3 creation is check-then-write, so
 * two writers starting in the same instant could both pass; the orchestrator's one-run-at-a-time
 * rule is the guard there, as Delta's own single-writer rule for S3 requires anyway.
 */
public final class LakeLock {

  private static final Logger LOG = LoggerFactory.getLogger(LakeLock.class);

  private final Path path;
  private final Configuration hadoop;
  private final Clock clock;

  public LakeLock(String lakeRoot, Configuration hadoop, Clock clock) {
    this.path = new Path(lakeRoot + "/ops/_writer.lock");
    this.hadoop = hadoop;
    this.clock = clock;
  }

  /** The lock file, for messages and tests. */
  public String path() {
    return path.toString();
  }

  /** Takes the lock for {@code command} (e.g. {@code weekly --week 2026-11-16}) or fails. */
  public Held acquire(String command) {
    Holder me = new Holder(command, hostName(), ProcessHandle.current().pid(), clock.instant());
    if (tryCreate(me)) {
      return new Held(me);
    }
    Holder other = readHolder();
    if (other != null && other.deadOnThisHost(me.host())) {
      LOG.warn("taking over {}: its process {} ({}) is gone", path, other.pid(), other.command());
      delete();
      if (tryCreate(me)) {
        return new Held(me);
      }
      other = readHolder();
    }
    throw new PipelineException(
        "the lake is being written by "
            + (other == null ? "another command" : other.describe())
            + "; one command writes a lake at a time: wait for it, or if that process is gone,"
            + " delete "
            + path);
  }

  /** The lock while it is held; closing releases it. */
  public final class Held implements AutoCloseable {
    private final Holder holder;

    private Held(Holder holder) {
      this.holder = holder;
    }

    @Override
    public void close() {
      Holder current = readHolder();
      if (current != null && current.sameAs(holder)) {
        delete();
      }
    }
  }

  /** Who holds the lock; {@code started} in ISO-8601. */
  record Holder(String command, String host, long pid, Instant started) {

    String describe() {
      return "`" + command + "` (pid " + pid + " on " + host + ", since " + started + ")";
    }

    boolean deadOnThisHost(String thisHost) {
      return host.equals(thisHost) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    boolean sameAs(Holder other) {
      return host.equals(other.host) && pid == other.pid && started.equals(other.started);
    }

    Properties toProperties() {
      Properties properties = new Properties();
      properties.setProperty("command", command);
      properties.setProperty("host", host);
      properties.setProperty("pid", Long.toString(pid));
      properties.setProperty("started", started.toString());
      return properties;
    }

    static Holder fromProperties(Properties properties) {
      return new Holder(
          properties.getProperty("command", "?"),
          properties.getProperty("host", "?"),
          Long.parseLong(properties.getProperty("pid", "-1")),
          Instant.parse(properties.getProperty("started", "1970-01-01T00:00:00Z")));
    }
  }

  private boolean tryCreate(Holder holder) {
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      fs.mkdirs(path.getParent());
      if (isLocal(fs)) {
        // Hadoop's local create checks and then opens; NIO's createFile is one atomic step.
        java.nio.file.Path file = java.nio.file.Path.of(fs.makeQualified(path).toUri());
        Files.write(file, bytes(holder), StandardOpenOption.CREATE_NEW);
        return true;
      }
      if (fs.exists(path)) {
        return false;
      }
      try (OutputStream out = fs.create(path, false)) {
        out.write(bytes(holder));
      }
      return true;
    } catch (FileAlreadyExistsException | org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      throw new PipelineException("cannot create the lake lock " + path + ": " + e.getMessage(), e);
    }
  }

  private Holder readHolder() {
    try {
      FileSystem fs = path.getFileSystem(hadoop);
      Properties properties = new Properties();
      try (InputStream in = fs.open(path)) {
        properties.load(new InputStreamReader(in, StandardCharsets.UTF_8));
      }
      return Holder.fromProperties(properties);
    } catch (FileNotFoundException e) {
      return null;
    } catch (IOException | RuntimeException e) {
      LOG.warn("unreadable lake lock {}: {}", path, e.toString());
      return null;
    }
  }

  private void delete() {
    try {
      path.getFileSystem(hadoop).delete(path, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] bytes(Holder holder) {
    StringWriter text = new StringWriter();
    try {
      holder.toProperties().store(text, "discover-weekly lake writer lock");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static boolean isLocal(FileSystem fs) {
    URI uri = fs.getUri();
    return "file".equals(uri.getScheme());
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "unknown-host";
    }
  }
}
