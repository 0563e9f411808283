package org.discoverweekly.etl.silver;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonParser.NumberType;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.discoverweekly.etl.silver.ListenContract.Reasons;

/**
 * One bronze line read against the shape of the listen contract by Jackson's streaming parser, in
 * one pass over its bytes: the fields as text (ms_played as a number), or the first structural rule
 * the line breaks with its detail. Rules that need dates or the catalog are left to {@link
 * ListenContract}.
 *
 * <p>JSON is strict (RFC 8259: no single quotes, comments or unquoted names) except that {@code
 * NaN} and {@code Infinity} are read as numbers, so that such an {@code ms_played} is a wrongly
 * typed field rather than a broken line.
 */
final class ListenLine {

  /** The contract's fields by position in {@link #fields}; required ones first. */
  static final List<String> FIELDS =
      List.of(
          "event_id", "user_id", "track_id", "ts", "ms_played", "platform", "country", "context");

  private static final int EVENT_ID = 0;
  static final int TRACK_ID = 2;
  static final int TS = 3;
  private static final int MS_PLAYED = 4;
  private static final int REQUIRED = 5;
  private static final int MAX_ID_LENGTH = 128;

  private static final JsonFactory JSON =
      JsonFactory.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

  private final byte[] redactedPrefix;
  private final int maxLineBytes;

  /** The fields as text, by {@link #FIELDS} position; ms_played is in {@link #msPlayed}. */
  final String[] fields = new String[FIELDS.size()];

  Long msPlayed;

  private final boolean[] seen = new boolean[FIELDS.size()];
  private int repeated;
  private boolean badMsPlayed;

  String reason;
  String detail;

  ListenLine(String redactedPrefix, int maxLineBytes) {
    this.redactedPrefix = redactedPrefix.getBytes(StandardCharsets.UTF_8);
    this.maxLineBytes = maxLineBytes;
  }

  /** Reads {@code line}; the result is in this object's fields until the next call. */
  void read(byte[] line) {
    startObject();
    reason = null;
    detail = null;
    if (startsWith(line, redactedPrefix)) {
      reject(Reasons.FORGOTTEN_USER, null);
    } else if (firstNonWhitespace(line) == line.length) {
      reject(Reasons.EMPTY_LINE, null);
    } else if (line.length > maxLineBytes) {
      reject(Reasons.LINE_TOO_LONG, line.length + " bytes");
    } else if (startsWith(line, BYTE_ORDER_MARK)) {
      reject(Reasons.INVALID_ENCODING, "byte order mark");
    } else if (!isUtf8(line)) {
      reject(Reasons.INVALID_ENCODING, "not UTF-8");
    } else if (line[firstNonWhitespace(line)] != '{') {
      reject(Reasons.NOT_AN_OBJECT, null);
    } else if (line.length > 1 && line[1] == 0) {
      // Jackson would take "{" and a NUL for UTF-16 or UTF-32; in UTF-8 the NUL is no JSON.
      reject(Reasons.MALFORMED_JSON, null);
    } else {
      readObject(line);
    }
  }

  private void readObject(byte[] line) {
    int objectEnd = readWithJackson(line);
    if (objectEnd < 0) {
      reject(Reasons.MALFORMED_JSON, null);
    } else if (firstNonWhitespace(line, objectEnd) < line.length) {
      reject(Reasons.TRAILING_DATA, null);
    } else if (repeated >= 0) {
      reject(Reasons.DUPLICATE_KEY, FIELDS.get(repeated));
    } else if (badMsPlayed) {
      reject(Reasons.BAD_TYPE, "ms_played");
    } else {
      checkRequired();
    }
  }

  /** Forgets what the last line's read found: its fields and the rules they broke. */
  private void startObject() {
    Arrays.fill(fields, null);
    Arrays.fill(seen, false);
    msPlayed = null;
    repeated = -1;
    badMsPlayed = false;
  }

  /** Notes that the object names {@code field}, remembering the first field named twice. */
  private void see(int field) {
    if (seen[field] && (repeated < 0 || field < repeated)) {
      repeated = field;
    }
    seen[field] = true;
  }

  /** Reads the object with Jackson; the offset just after it, or -1 for JSON that is broken. */
  private int readWithJackson(byte[] line) {
    try (JsonParser parser = JSON.createParser(line)) {
      parser.nextToken(); // the opening brace, checked above
      JsonToken token;
      while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
        int field = field(parser.currentName());
        JsonToken value = parser.nextToken();
        if (field < 0) {
          parser.skipChildren();
          continue;
        }
        see(field);
        if (field == MS_PLAYED) {
          badMsPlayed = !readMsPlayed(parser, value);
        } else {
          fields[field] = text(parser, value, line);
        }
      }
      if (token != JsonToken.END_OBJECT) {
        return -1;
      }
      int objectEnd = (int) parser.currentTokenLocation().getByteOffset() + 1;
      return objectEnd <= 0 ? -1 : objectEnd;
    } catch (IOException broken) {
      return -1;
    }
  }

  private void checkRequired() {
    for (int field = 0; field < REQUIRED; field++) {
      boolean missing = field == MS_PLAYED ? msPlayed == null : fields[field] == null;
      if (missing) {
        reject(Reasons.MISSING_FIELD, FIELDS.get(field));
        return;
      }
    }
    for (int field = EVENT_ID; field <= TRACK_ID; field++) {
      if (!isId(fields[field])) {
        reject(Reasons.INVALID_ID, FIELDS.get(field));
        return;
      }
    }
  }

  /** An integer that fits a long, or null; false for any other kind of value. */
  private boolean readMsPlayed(JsonParser parser, JsonToken value) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return true;
    }
    if (value == JsonToken.VALUE_NUMBER_INT && parser.getNumberType() != NumberType.BIG_INTEGER) {
      msPlayed = parser.getLongValue();
      return true;
    }
    parser.skipChildren();
    return false;
  }

  /**
   * A value as text: a string's content, a number or literal as written, an object or array as its
   * JSON text (which no id or timestamp rule accepts); null for JSON null.
   */
  private static String text(JsonParser parser, JsonToken value, byte[] line) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
      int start = (int) parser.currentTokenLocation().getByteOffset();
      parser.skipChildren();
      int end = (int) parser.currentTokenLocation().getByteOffset() + 1;
      if (start < 0 || end > line.length) {
        throw new JsonParseException(parser, "no byte offsets: not read as UTF-8");
      }
      return new String(line, start, end - start, StandardCharsets.UTF_8);
    }
    if (value == JsonToken.VALUE_NUMBER_FLOAT && parser.isNaN()) {
      // NaN and Infinity are not numbers an id or a timestamp can be: quoted, no rule takes them.
      return '"' + parser.getText() + '"';
    }
    return parser.getText();
  }

  /** The position of a contract field in {@link #FIELDS}, or -1 for a field it does not name. */
  private static int field(String name) {
    return FIELDS.indexOf(name);
  }

  private void reject(String reason, String detail) {
    this.reason = reason;
    this.detail = detail;
  }

  /** 1 to 128 of {@code A-Z a-z 0-9 _ . : -}. */
  static boolean isId(String text) {
    int length = text.length();
    if (length == 0 || length > MAX_ID_LENGTH) {
      return false;
    }
    for (int i = 0; i < length; i++) {
      char c = text.charAt(i);
      boolean allowed =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == ':'
              || c == '-';
      if (!allowed) {
        return false;
      }
    }
    return true;
  }

  static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** ASCII lines, nearly all of them, are UTF-8 without decoding. */
  static boolean isUtf8(byte[] line) {
    for (byte b : line) {
      if (b < 0) {
        try {
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(line));
          return true;
        } catch (CharacterCodingException e) {
          return false;
        }
      }
    }
    return true;
  }

  static boolean startsWith(byte[] line, byte[] prefix) {
    if (line.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (line[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  private static int firstNonWhitespace(byte[] line) {
    return firstNonWhitespace(line, 0);
  }

  private static int firstNonWhitespace(byte[] line, int from) {
    int i = from;
    while (i < line.length && isWhitespace(line[i])) {
      i++;
    }
    return i;
  }

  /** Whitespace as Java's {@code \s}: space, tab, line feed, vertical tab, form feed, return. */
  private static boolean isWhitespace(byte b) {
    return b == ' ' || (b >= '\t' && b <= '\r');
  }
}
