package org.discoverweekly.etl.privacy;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.when;

import java.util.function.Supplier;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.discoverweekly.etl.ops.Hashes;
import org.discoverweekly.etl.ops.StageOutcome;
import org.discoverweekly.etl.storage.Lake;
import org.discoverweekly.etl.storage.Table;

/**
 * The users {@code forget} erased, known only by the salted hash of their id, and the redaction
 * that keeps their later events out of the lake: ingest stores such a line as {@link
 * #redactedLine}, which silver quarantines as {@code forgotten_user}.
 */
public final class ForgottenUsers {

  /** What a redacted bronze line starts with; the rest is the user's hash. */
  public static final String REDACTED_PREFIX = "{\"redacted\":\"forgotten_user\",\"user_hash\":\"";

  private final Lake lake;
  private final Supplier<String> salt;

  /** {@code salt} is read only when some user was forgotten. */
  public ForgottenUsers(Lake lake, Supplier<String> salt) {
    this.lake = lake;
    this.salt = salt;
  }

  /** SHA-256 hex of salt, ':' and the user id. */
  public static String hash(String salt, String userId) {
    return Hashes.sha256(salt + ":" + userId);
  }

  /** The redacted form of a forgotten user's line: no field of the event, only the hash. */
  public static String redactedLine(String userHash) {
    return REDACTED_PREFIX + userHash + "\"}";
  }

  /**
   * Bronze rows with every line of a forgotten user replaced by its redacted form; the rows are
   * returned unchanged when nobody was forgotten, at no cost.
   */
  public Dataset<Row> redact(Dataset<Row> bronze) {
    if (!lake.exists(Table.OPS_FORGET_REQUESTS)) {
      return bronze;
    }
    Dataset<Row> hashes =
        lake.read(Table.OPS_FORGET_REQUESTS)
            .filter(col("status").equalTo(StageOutcome.SUCCEEDED))
            .select(col("user_hash").as("forgotten_hash"))
            .distinct();
    if (hashes.isEmpty()) {
      return bronze;
    }
    Column userHash =
        sha2(concat(lit(salt.get() + ":"), get_json_object(col("raw"), "$.user_id")), 256);
    String[] columns = bronze.columns();
    Column[] redacted = new Column[columns.length];
    for (int i = 0; i < columns.length; i++) {
      redacted[i] =
          columns[i].equals("raw")
              ? when(
                      col("forgotten_hash").isNotNull(),
                      concat(lit(REDACTED_PREFIX), col("forgotten_hash"), lit("\"}")))
                  .otherwise(col("raw"))
                  .as("raw")
              : col(columns[i]);
    }
    return bronze
        .withColumn("line_user_hash", userHash)
        .join(broadcast(hashes), col("line_user_hash").equalTo(col("forgotten_hash")), "left")
        .select(redacted);
  }
}
