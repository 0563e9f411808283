package org.discoverweekly.etl.privacy;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.datastax.oss.driver.api.core.CqlSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.CassandraNode;
import org.discoverweekly.etl.CliRun;
import org.discoverweekly.etl.GeneratedLake;
import org.discoverweekly.etl.SparkTestBase;
import org.discoverweekly.etl.config.PipelineConfig.CassandraSettings;
import org.discoverweekly.etl.serving.CassandraConnection;
import org.discoverweekly.etl.silver.ListenContract;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code forget --user U} on a lake with a published week, then {@code maintain} with a zero
 * retention: no table, no live data file and no Cassandra row holds U; the audit row holds only the
 * salted hash; U's later events are redacted at ingest and quarantined as {@code forgotten_user}.
 */
@ExtendWith(CassandraNode.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ForgetTest extends SparkTestBase {

  private static final String KEYSPACE = "discover_forget_test";
  private static final LocalDate WEEK = LocalDate.parse(GeneratedLake.WEEK);

  /** The salt etl/pom.xml gives the tests in DW_FORGET_SALT. */
  private static final String SALT = System.getenv("DW_FORGET_SALT");

  private static Path landing;
  private static Lake lake;
  private static String user;
  private static String other;

  private static List<String> options(String... more) {
    List<String> extra = new ArrayList<>(CassandraNode.options(KEYSPACE));
    extra.addAll(List.of(more));
    return CliRun.smallRun(lake.root(), landing, extra);
  }

  @BeforeAll
  static void publishAWeek() {
    CassandraNode.freshKeyspace(KEYSPACE).close();
    landing = tempDir.resolve("landing");
    lake = new Lake(spark, tempDir.resolve("lake").toString());
    GeneratedLake.copyTo(GeneratedLake.Stage.WEEK, landing, tempDir.resolve("lake"));
    CliRun.succeeding(options(), "publish", "--week", WEEK.toString());
    // The user to forget: one with a served playlist, feedback and, if any, quarantined lines.
    Dataset<Row> quarantined =
        lake.read(Table.SILVER_QUARANTINE)
            .select(get_json_object(col("raw"), "$.user_id").as("quarantined_user"));
    Dataset<Row> gaveFeedback =
        lake.read(Table.SILVER_FEEDBACK)
            .groupBy(col("user_id").as("feedback_user"))
            .agg(count(lit(1)).as("events"));
    List<Row> served =
        lake.read(Table.GOLD_DISCOVER_WEEKLY)
            .filter(col("source").equalTo("als"))
            .select("user_id")
            .distinct()
            .join(quarantined, col("user_id").equalTo(col("quarantined_user")), "left")
            .groupBy("user_id")
            .agg(count(col("quarantined_user")).as("bad_lines"))
            .join(gaveFeedback, col("user_id").equalTo(col("feedback_user")), "left")
            .orderBy(col("events").isNotNull().desc(), col("bad_lines").desc(), col("user_id"))
            .limit(2)
            .collectAsList();
    user = served.get(0).getString(0);
    other = served.get(1).getString(0);
  }

  @Test
  @Order(1)
  void shouldLeaveNoTraceOfTheUserInTablesFilesOrCassandraAfterForgetAndMaintain()
      throws IOException {
    long silverBefore = lake.read(Table.SILVER_LISTENS).count();
    long userListens = lake.read(Table.SILVER_LISTENS).filter(col("user_id").equalTo(user)).count();
    assertTrue(userListens > 0);

    CliRun forget = CliRun.of(options(), "forget", "--user", user);

    assertEquals(0, forget.code(), forget.err());
    assertFalse(forget.out().contains(user), forget.out());
    CliRun maintain = CliRun.of(options("-Dmaintain.vacuum-retention-hours=0"), "maintain");
    assertEquals(0, maintain.code(), maintain.err());

    for (Table table : Table.values()) {
      if (lake.exists(table)) {
        assertEquals(0, rowsNaming(lake.read(table)), table.sqlName() + " still names the user");
      }
    }
    assertEquals(silverBefore - userListens, lake.read(Table.SILVER_LISTENS).count());
    List<String> filesNamingUser = new ArrayList<>();
    try (Stream<Path> files = Files.walk(Path.of(lake.root()))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = file.toString();
        if (name.contains("/_delta_log/") || name.endsWith(".crc")) {
          continue;
        }
        boolean names =
            name.endsWith(".parquet")
                ? rowsNaming(spark.read().parquet(name)) > 0
                : new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1).contains(user);
        if (names) {
          filesNamingUser.add(name);
        }
      }
    }
    assertEquals(List.of(), filesNamingUser, "live files that still hold the user");
    CassandraSettings settings = CassandraNode.settings(KEYSPACE);
    try (CqlSession session =
        CassandraConnection.open(CassandraConnection.connector(settings), settings)) {
      assertEquals(
          0,
          session
              .execute("SELECT count(*) FROM " + KEYSPACE + ".playlists WHERE user_id = ?", user)
              .one()
              .getLong(0));
    }
    assertEquals(3, CliRun.of(options(), "playlist", "--user", user).code());
    assertEquals(WEEK.toString(), CliRun.servedWeek(options(), other));
    Row audit = lake.read(Table.OPS_FORGET_REQUESTS).head();
    assertEquals(ForgottenUsers.hash(SALT, user), audit.getString(audit.fieldIndex("user_hash")));
    assertEquals("succeeded", audit.getString(audit.fieldIndex("status")));
    java.util.Map<String, Long> removed = audit.getJavaMap(audit.fieldIndex("removed"));
    assertEquals(userListens, removed.get("silver.listens"));
    assertTrue(removed.get("bronze.listens") >= userListens, removed.toString());
    assertTrue(removed.get("silver.quarantine") > 0, removed.toString());
    assertTrue(removed.get("silver.feedback") > 0, removed.toString());
    assertTrue(
        removed.get("bronze.feedback") >= removed.get("silver.feedback"), removed.toString());
    assertEquals(30L, removed.get("gold.discover_weekly"), removed.toString());
    assertEquals(1L, removed.get("cassandra.playlists"), removed.toString());
    assertEquals(1L, removed.get("models"), removed.toString());
  }

  @Test
  @Order(2)
  void shouldRedactTheForgottenUsersLaterEventsAtIngestAndQuarantineThem() throws IOException {
    LocalDate arrival = WEEK;
    Path folder = landing.resolve("listens").resolve("date=" + arrival);
    Files.createDirectories(folder);
    String track =
        lake.read(Table.SILVER_TRACKS)
            .filter(col("available"))
            .orderBy("track_id")
            .head()
            .getString(0);
    Files.writeString(
        folder.resolve("part-00000.json"),
        listen("late-1", user, track, arrival + "T08:00:00Z", 200_000)
            + "\n"
            + listen("late-2", user, track, arrival + "T09:00:00Z", 200_000)
            + "\n"
            + listen("late-3", other, track, arrival + "T10:00:00Z", 200_000)
            + "\n");

    CliRun.succeeding(options(), "ingest", "--date", arrival.toString());
    CliRun.succeeding(options(), "silver", "--date", arrival.toString());

    Dataset<Row> bronze =
        lake.read(Table.BRONZE_LISTENS).filter(col("ingest_date").equalTo(arrival.toString()));
    assertEquals(3, bronze.count());
    assertEquals(0, rowsNaming(bronze));
    assertEquals(
        2,
        lake.read(Table.SILVER_QUARANTINE)
            .filter(col("ingest_date").equalTo(arrival.toString()))
            .filter(col("reason").equalTo(ListenContract.Reasons.FORGOTTEN_USER))
            .count());
    assertEquals(
        1,
        lake.read(Table.SILVER_LISTENS)
            .filter(col("event_id").equalTo("late-3").and(col("user_id").equalTo(other)))
            .count());
    for (Table table : Table.values()) {
      if (lake.exists(table)) {
        assertEquals(0, rowsNaming(lake.read(table)), table.sqlName() + " names the user");
      }
    }
  }

  /** Rows whose any column, rendered as JSON, contains the forgotten user's id. */
  private static long rowsNaming(Dataset<Row> rows) {
    return rows.select(to_json(struct(col("*"))).as("row"))
        .filter(col("row").contains(user))
        .count();
  }
}
