package org.discoverweekly.etl.ops;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Named points where a stage can be made to fail on purpose, to prove that a crash there loses
 * nothing and a rerun converges. Armed by the system property {@code discover-weekly.fail-at}
 * (tests, or {@code DISCOVER_WEEKLY_JAVA_OPTS=-Ddiscover-weekly.fail-at=...}); unarmed, a no-op.
 * With {@code discover-weekly.pause-at} instead, the process says so on stderr and waits there, to
 * be killed for real ({@code kill -9}) or resumed once a test has changed the world around it
 * (stopped Cassandra, say): in the test's own JVM by clearing the property, in a process of its own
 * by creating the file named by {@code discover-weekly.resume-when}.
 */
public final class FaultPoint {

  public static final String PROPERTY = "discover-weekly.fail-at";
  public static final String PAUSE_PROPERTY = "discover-weekly.pause-at";
  public static final String RESUME_PROPERTY = "discover-weekly.resume-when";

  /** What a paused process prints on stderr, followed by the point. */
  public static final String PAUSED = "discover-weekly: paused at ";

  private FaultPoint() {}

  /** Throws when {@code point} is armed; waits forever when it is armed to pause. */
  public static void reached(String point) {
    pauseIfArmed(point);
    if (point.equals(System.getProperty(PROPERTY))) {
      throw new InjectedFault(point);
    }
  }

  private static void pauseIfArmed(String point) {
    if (!point.equals(System.getProperty(PAUSE_PROPERTY))) {
      return;
    }
    System.err.println(PAUSED + point);
    System.err.flush();
    try {
      String resumeFile = System.getProperty(RESUME_PROPERTY);
      while (point.equals(System.getProperty(PAUSE_PROPERTY))
          && (resumeFile == null || !Files.exists(Path.of(resumeFile)))) {
        Thread.sleep(100);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InjectedFault(point);
    }
  }

  /**
   * Throws when {@code point} is armed, or {@code point@scope} (e.g. {@code
   * publish.rows-written@2026-11-16} fails the publish of that week only).
   */
  public static void reached(String point, Object scope) {
    pauseIfArmed(point);
    String armed = System.getProperty(PROPERTY);
    if (point.equals(armed) || (point + "@" + scope).equals(armed)) {
      throw new InjectedFault(armed);
    }
  }

  /** The failure an armed point throws. */
  public static final class InjectedFault extends RuntimeException {
    InjectedFault(String point) {
      super("injected fault at " + point + " (" + PROPERTY + ")");
    }
  }
}
