package org.discoverweekly.etl.silver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;
import org.discoverweekly.etl.silver.ListenContract.Reasons;

/**
 * One feedback line read against the feedback contract by Jackson's streaming parser: the event's
 * fields, or the first rule the line breaks with its detail, in the order the listen contract
 * checks its own (the shape of the line, then its fields, then their values).
 */
final class FeedbackLine {

  /** The contract's fields; the first four are required, a target by action. */
  static final List<String> FIELDS =
      List.of("event_id", "user_id", "ts", "action", "track_id", "artist_id", "until");

  static final int EVENT_ID = 0;
  static final int USER_ID = 1;
  static final int TS = 2;
  static final int ACTION = 3;
  static final int TRACK_ID = 4;
  static final int ARTIST_ID = 5;
  static final int UNTIL = 6;

  static final String BLOCK_TRACK = "block_track";
  static final String BLOCK_ARTIST = "block_artist";
  static final String UNBLOCK_TRACK = "unblock_track";
  static final String UNBLOCK_ARTIST = "unblock_artist";
  static final String LIKE_TRACK = "like_track";

  static final Set<String> ACTIONS =
      Set.of(BLOCK_TRACK, BLOCK_ARTIST, UNBLOCK_TRACK, UNBLOCK_ARTIST, LIKE_TRACK);

  /** A feedback line whose action is none of {@link #ACTIONS}. */
  static final String UNKNOWN_ACTION = "unknown_action";

  /** A feedback line whose {@code until} is no ISO date ({@code YYYY-MM-DD}). */
  static final String BAD_UNTIL = "bad_until";

  private static final JsonFactory JSON = new JsonFactory();

  private final byte[] redactedPrefix;
  private final int maxLineBytes;

  /** The fields as text, by {@link #FIELDS} position. */
  final String[] fields = new String[FIELDS.size()];

  /** Epoch microseconds of {@code ts}, once read. */
  Long ts;

  LocalDate until;
  String reason;
  String detail;

  FeedbackLine(String redactedPrefix, int maxLineBytes) {
    this.redactedPrefix = redactedPrefix.getBytes(StandardCharsets.UTF_8);
    this.maxLineBytes = maxLineBytes;
  }

  /** Reads {@code line}; the result is in this object's fields until the next call. */
  void read(byte[] line) {
    java.util.Arrays.fill(fields, null);
    ts = null;
    until = null;
    reason = null;
    detail = null;
    String text = new String(line, StandardCharsets.UTF_8);
    if (ListenLine.startsWith(line, redactedPrefix)) {
      reject(Reasons.FORGOTTEN_USER, null);
    } else if (text.isBlank()) {
      reject(Reasons.EMPTY_LINE, null);
    } else if (line.length > maxLineBytes) {
      reject(Reasons.LINE_TOO_LONG, line.length + " bytes");
    } else if (ListenLine.startsWith(line, ListenLine.BYTE_ORDER_MARK)
        || !ListenLine.isUtf8(line)) {
      reject(Reasons.INVALID_ENCODING, null);
    } else if (text.strip().charAt(0) != '{') {
      reject(Reasons.NOT_AN_OBJECT, null);
    } else if (readObject(line)) {
      checkFields();
    }
  }

  /** Reads the object's fields; false, with the reason, when its shape breaks a rule. */
  private boolean readObject(byte[] line) {
    boolean[] seen = new boolean[FIELDS.size()];
    String badType = null;
    try (JsonParser parser = JSON.createParser(line)) {
      parser.nextToken();
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        int field = FIELDS.indexOf(parser.currentName());
        JsonToken value = parser.nextToken();
        if (field >= 0 && seen[field]) {
          reject(Reasons.DUPLICATE_KEY, FIELDS.get(field));
          return false;
        }
        if (field < 0) {
          parser.skipChildren();
          continue;
        }
        seen[field] = true;
        if (value == JsonToken.VALUE_STRING
            || (field == TS && value == JsonToken.VALUE_NUMBER_INT)) {
          fields[field] = parser.getText();
        } else if (value != JsonToken.VALUE_NULL) {
          parser.skipChildren();
          badType = badType == null ? FIELDS.get(field) : badType;
        }
      }
      if (token != JsonToken.END_OBJECT) {
        reject(Reasons.MALFORMED_JSON, null);
        return false;
      }
      long end = parser.currentTokenLocation().getByteOffset() + 1;
      if (new String(line, (int) end, line.length - (int) end, StandardCharsets.UTF_8)
              .strip()
              .length()
          > 0) {
        reject(Reasons.TRAILING_DATA, null);
        return false;
      }
    } catch (IOException broken) {
      reject(Reasons.MALFORMED_JSON, null);
      return false;
    }
    if (badType != null) {
      reject(Reasons.BAD_TYPE, badType);
      return false;
    }
    return true;
  }

  /** The field rules: required fields, ids, the action and its target, the dates. */
  private void checkFields() {
    for (int field : new int[] {EVENT_ID, USER_ID, TS, ACTION}) {
      if (fields[field] == null) {
        reject(Reasons.MISSING_FIELD, FIELDS.get(field));
        return;
      }
    }
    String action = fields[ACTION];
    if (!ACTIONS.contains(action)) {
      reject(UNKNOWN_ACTION, action);
      return;
    }
    int target = action.endsWith("_artist") ? ARTIST_ID : TRACK_ID;
    if (fields[target] == null) {
      reject(Reasons.MISSING_FIELD, FIELDS.get(target));
      return;
    }
    for (int field : new int[] {EVENT_ID, USER_ID, target}) {
      if (!ListenLine.isId(fields[field])) {
        reject(Reasons.INVALID_ID, FIELDS.get(field));
        return;
      }
    }
    // The other target is not part of this event.
    fields[target == ARTIST_ID ? TRACK_ID : ARTIST_ID] = null;
    ts = Timestamps.parse(fields[TS]);
    if (ts == null) {
      reject(Reasons.BAD_TIMESTAMP, fields[TS]);
      return;
    }
    if (fields[UNTIL] != null) {
      try {
        until = LocalDate.parse(fields[UNTIL]);
      } catch (DateTimeParseException e) {
        reject(BAD_UNTIL, fields[UNTIL]);
      }
    }
  }

  private void reject(String reason, String detail) {
    this.reason = reason;
    this.detail = detail;
  }
}
