package org.discoverweekly.etl.serving;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.discoverweekly.etl.CassandraNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/cassandra-local} against the suite's running node and a stale PID file. */
@ExtendWith(CassandraNode.class)
class CassandraLocalTest {

  private static final Path NODE = CassandraNode.SHARED.dir();

  @Test
  void shouldLeaveARunningNodeAloneWhenStartedTwice() {
    CassandraNode.Script again = CassandraNode.script("start", NODE);
    assertEquals(0, again.code(), again.output());
    assertTrue(again.output().contains("already running"), again.output());
    CassandraNode.Script status = CassandraNode.script("status", NODE);
    assertEquals(0, status.code(), status.output());
    assertTrue(status.output().startsWith("running (pid "), status.output());
  }

  @Test
  void shouldClearAStalePidFile(@TempDir Path dir) throws IOException {
    Path pidFile = dir.resolve("cassandra.pid");
    Files.writeString(pidFile, "999999\n");
    CassandraNode.Script status = CassandraNode.script("status", dir);
    assertEquals(3, status.code(), status.output());
    assertTrue(status.output().contains("not running"), status.output());
    CassandraNode.Script stop = CassandraNode.script("stop", dir);
    assertEquals(0, stop.code(), stop.output());
    assertFalse(Files.exists(pidFile), "the stale PID file is removed");
  }
}
