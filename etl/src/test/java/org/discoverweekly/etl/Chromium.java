package org.discoverweekly.etl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Headless Chromium (Debian's package, which {@code .ci/run} installs) looking at a local page as a
 * person would: a screenshot, and the page's DOM after its scripts ran. Flags as this machine's
 * notes give them: no sandbox as root, no background network (the network here is closed).
 */
public final class Chromium {

  private static final Path BINARY =
      Path.of(System.getenv().getOrDefault("DW_CHROMIUM", "/usr/bin/chromium"));

  private Chromium() {}

  /** Writes a {@code width} × {@code height} PNG of {@code page} to {@code png}. */
  public static void screenshot(Path page, Path png, int width, int height) throws IOException {
    run(page, "--window-size=" + width + "," + height, "--screenshot=" + png.toAbsolutePath());
    assertTrue(Files.size(png) > 10_000, png + " is too small to show anything");
  }

  /** The page's DOM as serialised after its scripts ran. */
  public static String dom(Path page) throws IOException {
    return run(page, "--dump-dom");
  }

  private static String run(Path page, String... flags) throws IOException {
    assertTrue(
        Files.isExecutable(BINARY),
        BINARY + " is missing: install Debian's chromium (.ci/run does), or set DW_CHROMIUM");
    Path profile = Files.createTempDirectory("chromium-profile");
    Path output = Files.createTempFile("chromium", ".out");
    List<String> command =
        new ArrayList<>(
            List.of(
                BINARY.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--user-data-dir=" + profile));
    command.addAll(List.of(flags));
    command.add(page.toAbsolutePath().toUri().toString());
    Process chromium =
        new ProcessBuilder(command)
            .redirectOutput(output.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      assertTrue(chromium.waitFor(120, TimeUnit.SECONDS), "chromium did not finish in 120 s");
    } catch (InterruptedException e) {
      chromium.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while chromium ran", e);
    }
    assertEquals(0, chromium.exitValue(), "chromium " + String.join(" ", flags));
    return Files.readString(output, StandardCharsets.UTF_8);
  }
}
