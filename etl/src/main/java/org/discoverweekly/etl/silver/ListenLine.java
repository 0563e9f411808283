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
 * One bronze line read against the shape of the listen contract, in a single streaming pass over
 * its bytes: the fields as text (ms_played as a number), or the first structural rule the line
 * breaks with its detail. Rules that need dates or the catalog are left to {@link ListenContract}.
 *
 * <p>JSON is strict (RFC 8259: no single quotes, comments or unquoted names) except that {@code
 * NaN} and {@code Infinity} are read as numbers, so that such an {@code ms_played} is a wrongly
 * typed field rather than a broken line.
 *
 * <p>Nearly every line has one simple shape (the contract's fields, plain ASCII strings, integers,
 * null), which is read here directly; any other line is read by Jackson, and both read a line of
 * the simple shape to the same fields (ListenLineTest compares them on tricky lines and on every
 * sample line). A profile of silver had put Jackson's parser at a third of the parse.
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

  private final boolean simpleShapes;
  private final boolean[] seen = new boolean[FIELDS.size()];
  private int repeated;
  private boolean badMsPlayed;

  String reason;
  String detail;

  ListenLine(String redactedPrefix, int maxLineBytes) {
    this(redactedPrefix, maxLineBytes, true);
  }

  /** {@code simpleShapes}: read the common shape without Jackson (false in tests, to compare). */
  ListenLine(String redactedPrefix, int maxLineBytes, boolean simpleShapes) {
    this.redactedPrefix = redactedPrefix.getBytes(StandardCharsets.UTF_8);
    this.maxLineBytes = maxLineBytes;
    this.simpleShapes = simpleShapes;
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
    int objectEnd = simpleShapes ? readFlat(line) : -1;
    if (objectEnd < 0) {
      objectEnd = readWithJackson(line);
      if (objectEnd < 0) {
        reject(Reasons.MALFORMED_JSON, null);
        return;
      }
    }
    if (firstNonWhitespace(line, objectEnd) < line.length) {
      reject(Reasons.TRAILING_DATA, null);
    } else if (repeated >= 0) {
      reject(Reasons.DUPLICATE_KEY, FIELDS.get(repeated));
    } else if (badMsPlayed) {
      reject(Reasons.BAD_TYPE, "ms_played");
    } else {
      checkRequired();
    }
  }

  /** Forgets what a read of the object found so far: its fields and the rules they broke. */
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
    startObject();
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

  /**
   * Reads the shape nearly every line has, without Jackson: an object that starts the line and
   * holds only the contract's fields, each a string of printable ASCII without escapes, an integer
   * of at most 18 digits or null, separated by commas and spaces. Returns the offset just after the
   * object, or -1 for any other line, which {@link #readWithJackson} then reads from the start:
   * whatever this method accepts, Jackson reads to the same fields.
   */
  private int readFlat(byte[] line) {
    startObject();
    if (line[0] != '{') {
      return -1;
    }
    int at = spaces(line, 1);
    if (at >= line.length || line[at] != '"') {
      return -1;
    }
    while (true) {
      int nameEnd = plainStringEnd(line, at + 1);
      int field = nameEnd < 0 ? -1 : field(line, at + 1, nameEnd);
      if (field < 0) {
        return -1;
      }
      at = spaces(line, nameEnd + 1);
      if (at >= line.length || line[at] != ':') {
        return -1;
      }
      at = spaces(line, at + 1);
      if (at >= line.length) {
        return -1;
      }
      see(field);
      byte first = line[at];
      int valueEnd;
      if (first == '"') {
        int end = plainStringEnd(line, at + 1);
        if (end < 0) {
          return -1;
        }
        if (field == MS_PLAYED) {
          badMsPlayed = true;
        } else {
          fields[field] = new String(line, at + 1, end - at - 1, StandardCharsets.ISO_8859_1);
        }
        valueEnd = end + 1;
      } else if (first == 'n') {
        if (!startsWith(line, at, NULL)) {
          return -1;
        }
        if (field == MS_PLAYED) {
          badMsPlayed = false;
        } else {
          fields[field] = null;
        }
        valueEnd = at + NULL.length;
      } else {
        valueEnd = integerEnd(line, at);
        if (valueEnd < 0) {
          return -1;
        }
        if (field == MS_PLAYED) {
          msPlayed =
              Long.parseLong(new String(line, at, valueEnd - at, StandardCharsets.ISO_8859_1));
          badMsPlayed = false;
        } else {
          fields[field] = new String(line, at, valueEnd - at, StandardCharsets.ISO_8859_1);
        }
      }
      at = spaces(line, valueEnd);
      if (at >= line.length) {
        return -1;
      }
      if (line[at] == '}') {
        return at + 1;
      }
      if (line[at] != ',') {
        return -1;
      }
      at = spaces(line, at + 1);
      if (at >= line.length || line[at] != '"') {
        return -1;
      }
    }
  }

  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

  private static int spaces(byte[] line, int from) {
    int at = from;
    while (at < line.length && line[at] == ' ') {
      at++;
    }
    return at;
  }

  /**
   * The offset of the quote that closes a string starting at {@code from}, or -1 when the string
   * has an escape, a control character or a byte outside ASCII before it (or no end).
   */
  private static int plainStringEnd(byte[] line, int from) {
    for (int at = from; at < line.length; at++) {
      byte b = line[at];
      if (b == '"') {
        return at;
      }
      if (b == '\\' || b < 0x20) {
        return -1;
      }
    }
    return -1;
  }

  /**
   * The offset just after a JSON integer of 1 to 18 digits starting at {@code from} (no leading
   * zero, an optional minus) that a space, comma or closing brace follows; otherwise -1.
   */
  private static int integerEnd(byte[] line, int from) {
    int at = line[from] == '-' ? from + 1 : from;
    int digits = at;
    while (at < line.length && line[at] >= '0' && line[at] <= '9') {
      at++;
    }
    int count = at - digits;
    if (count < 1 || count > 18 || (line[digits] == '0' && count > 1) || at >= line.length) {
      return -1;
    }
    byte next = line[at];
    return next == ' ' || next == ',' || next == '}' ? at : -1;
  }

  /** The contract field whose name is {@code line[from, to)}, or -1. */
  private static int field(byte[] line, int from, int to) {
    for (int field = 0; field < FIELD_NAMES.length; field++) {
      byte[] name = FIELD_NAMES[field];
      if (name.length == to - from && startsWith(line, from, name)) {
        return field;
      }
    }
    return -1;
  }

  private static final byte[][] FIELD_NAMES =
      FIELDS.stream().map(name -> name.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);

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

  private static final byte[] BYTE_ORDER_MARK = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  /** ASCII lines, nearly all of them, are UTF-8 without decoding. */
  private static boolean isUtf8(byte[] line) {
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

  private static boolean startsWith(byte[] line, byte[] prefix) {
    return startsWith(line, 0, prefix);
  }

  /** Whether {@code line} holds {@code prefix} at {@code from}. */
  private static boolean startsWith(byte[] line, int from, byte[] prefix) {
    if (line.length - from < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (line[from + i] != prefix[i]) {
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
