package org.discoverweekly.etl;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.discoverweekly.etl.cli.DiscoverWeekly;
import org.discoverweekly.etl.ops.FaultPoint;

/**
 * The CLI in a JVM of its own, paused at a named point mid-stage: a test kills it for real ({@code
 * kill -9}: no shutdown hook, no finally) or changes the world around it and lets it go on. Its
 * output goes to a log file the assertion messages name.
 */
public final class CliProcess {

  private final Process process;
  private final Path log;
  private final Path resumeFile;
  private final CompletableFuture<Boolean> paused = new CompletableFuture<>();
  private final Thread reader = new Thread(this::copyOutput, "cli-output");
  private String pausedLine;

  private CliProcess(Process process, Path log, Path resumeFile) {
    this.process = process;
    this.log = log;
    this.resumeFile = resumeFile;
  }

  /**
   * Starts {@code args} (CLI options and command) with {@code point} armed to pause, in a JVM with
   * Spark's Java 17 flags and this test run's class path, and returns once it waits there. Its log
   * and resume file go in {@code dir}.
   */
  public static CliProcess pausedAt(String point, Path dir, List<String> args) throws Exception {
    Path log = dir.resolve("cli-" + point + "-" + System.nanoTime() + ".log");
    Path resumeFile = dir.resolve(log.getFileName() + ".resume");
    CliProcess cli =
        start(
            log,
            resumeFile,
            List.of(
                "-D" + FaultPoint.PAUSE_PROPERTY + "=" + point,
                "-D" + FaultPoint.RESUME_PROPERTY + "=" + resumeFile),
            FaultPoint.PAUSED + point,
            args);
    boolean reached = cli.paused.get(5, TimeUnit.MINUTES);
    if (!reached) {
      cli.process.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
    }
    assertTrue(reached, "the CLI never paused at " + point + "; its output is in " + log);
    return cli;
  }

  /**
   * Runs {@code args} to the end in a fresh JVM (as an operator's rerun after a crash is, with no
   * state of this one) and returns its exit code; its output is in {@link #output()}.
   */
  public static CliProcess ranToEnd(Path dir, List<String> args) throws Exception {
    Path log = dir.resolve("cli-" + System.nanoTime() + ".log");
    CliProcess cli = start(log, null, List.of(), null, args); // nothing to resume
    cli.waitForEnd();
    return cli;
  }

  private static CliProcess start(
      Path log, Path resumeFile, List<String> properties, String pausedLine, List<String> args)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(ProcessHandle.current().info().command().orElse("java"));
    command.add("@" + Path.of("..", "conf", "spark-java17.args").toAbsolutePath().normalize());
    command.add("-Xmx2g");
    command.addAll(properties);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(DiscoverWeekly.class.getName());
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    CliProcess cli = new CliProcess(process, log, resumeFile);
    cli.pausedLine = pausedLine; // before the reader starts, which compares each line with it
    cli.reader.setDaemon(true);
    cli.reader.start();
    return cli;
  }

  /** Kills the process with SIGKILL and returns its exit code (137). */
  public int kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(1, TimeUnit.MINUTES);
    return process.exitValue();
  }

  /** Lets the paused stage go on and returns its exit code once it ends. */
  public int resumeAndWait() throws Exception {
    Files.createFile(resumeFile);
    return waitForEnd();
  }

  /** The exit code, once the process has ended. */
  public int exitCode() {
    return process.exitValue();
  }

  private int waitForEnd() throws InterruptedException {
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroyForcibly().waitFor(1, TimeUnit.MINUTES);
      throw new AssertionError("the CLI did not end within 5 minutes; see " + log);
    }
    reader.join(TimeUnit.SECONDS.toMillis(30)); // the last lines, up to the end of the stream
    return process.exitValue();
  }

  /** Everything the process printed so far. */
  public String output() {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path log() {
    return log;
  }

  private void copyOutput() {
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        Files.writeString(log, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        if (line.equals(pausedLine)) { // null when no pause is armed
          paused.complete(true);
        }
      }
    } catch (IOException e) {
      // The stream closes when the process dies; what was read is in the log.
    } finally {
      paused.complete(false);
    }
  }
}
