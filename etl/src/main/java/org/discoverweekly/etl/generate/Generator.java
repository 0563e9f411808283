package org.discoverweekly.etl.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.discoverweekly.etl.PipelineException;
import org.discoverweekly.etl.silver.ListenContract.Reasons;

/**
 * A deterministic synthetic landing zone: a {@link TrackCatalog}, users who listen to it by their
 * tastes and its popularity ({@link Listeners}, one kind per profile), skips and streams, and
 * planted trouble (retries, re-sends, late arrivals, bad lines, bots), with a manifest of all of
 * it. The same settings always give the same bytes.
 */
public final class Generator {

  static final double RETRY_RATE = 0.01;
  static final double RESEND_RATE = 0.005;
  static final double LATE_RATE = 0.03;
  static final int MAX_LATE_DAYS = 4;
  static final double BAD_LINE_RATE = 0.001;
  static final double EXTRA_FIELD_RATE = 0.05;
  static final double NO_OPTIONAL_FIELDS_RATE = 0.1;
  static final double EPOCH_MILLIS_RATE = 0.3;

  /** How a format change's release names a track: this before the catalog's id. */
  public static final String NEW_TRACK_ID_FORM = "dw:track:";

  /** The share of the format change date's listen lines in the new form. */
  static final double FORMAT_CHANGE_SHARE = 1.0 / 3;

  private static final long FORMAT_CHANGE_SALT = 0x5EED_F0A7L;
  private static final String TRACK_ID_FIELD = "\"track_id\":\"";

  /** Bad-line kinds the generator plants, by the reason the contract must give them. */
  static final List<String> PLANTED_REASONS =
      List.of(
          Reasons.EMPTY_LINE,
          Reasons.NOT_AN_OBJECT,
          Reasons.MALFORMED_JSON,
          Reasons.BAD_TYPE,
          Reasons.MISSING_FIELD,
          Reasons.BAD_TIMESTAMP,
          Reasons.NEGATIVE_MS_PLAYED,
          Reasons.MS_PLAYED_OUT_OF_RANGE,
          Reasons.FUTURE_TIMESTAMP,
          Reasons.BEYOND_LATENESS_HORIZON,
          Reasons.UNKNOWN_TRACK);

  private static final String[] PLATFORMS = {"ios", "android", "web", "desktop", "tv"};
  private static final String[] COUNTRIES = {"SE", "US", "GB", "DE", "BR", "JP", "IN", "FR"};
  private static final String[] CONTEXTS = {"playlist", "album", "artist", "search", "radio"};
  private static final long DAY_MS = 86_400_000L;

  private final GeneratorSettings settings;
  private final SplittableRandom random;
  private final TrackCatalog catalog;

  private Generator(GeneratorSettings settings) {
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
    this.catalog =
        new TrackCatalog(settings.tracks(), Listeners.tastes(settings.profile()), random);
  }

  /** Writes the landing zone under {@code out} and returns what was planted. */
  public static Manifest write(GeneratorSettings settings, Path out) {
    try {
      prepare(out);
      return new Generator(settings).writeAll(out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write generated data to " + out, e);
    }
  }

  public static ObjectMapper json() {
    return new ObjectMapper()
        .registerModule(new JavaTimeModule())
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .enable(SerializationFeature.INDENT_OUTPUT)
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
  }

  public static Manifest readManifest(Path folder) {
    try {
      return json().readValue(folder.resolve("manifest.json").toFile(), Manifest.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read manifest in " + folder, e);
    }
  }

  private Manifest writeAll(Path out) throws IOException {
    catalog.write(out.resolve("catalog").resolve("tracks.jsonl"));
    LocalDate start = settings.startDate();
    int days = settings.weeks() * 7;
    List<LocalDate> dates = start.datesUntil(settings.endWeek()).toList();
    Map<String, Long> quarantine = new TreeMap<>();
    PLANTED_REASONS.forEach(reason -> quarantine.put(reason, 0L));
    Map<LocalDate, Long> linesPerArrival = new TreeMap<>();
    Map<LocalDate, Long> listensPerEventDate = new TreeMap<>();
    ListenFingerprint fingerprint = new ListenFingerprint();
    long[] streams = {0};
    long[] retries = {0};
    long[] resends = {0};
    long[] late = {0};
    Long formatChanged = null;

    int humans = settings.users() - settings.bots();
    Listeners listeners = Listeners.of(settings, humans, catalog, random);
    Map<Integer, List<Integer>> botDays = new HashMap<>();
    List<String> botUsers = new ArrayList<>();
    long botUserDays = 0;
    for (int b = 0; b < settings.bots(); b++) {
      int user = humans + b;
      botUsers.add(userId(user));
      int first = random.nextInt(days);
      int other = days > 1 ? (first + 1 + random.nextInt(days - 1)) % days : first;
      botDays.computeIfAbsent(first, d -> new ArrayList<>()).add(user);
      if (other != first) {
        botDays.computeIfAbsent(other, d -> new ArrayList<>()).add(user);
      }
      botUserDays += other != first ? 2 : 1;
    }

    List<List<String>> pending = new ArrayList<>();
    for (int d = 0; d < days; d++) {
      pending.add(new ArrayList<>());
    }
    for (int d = 0; d < days; d++) {
      LocalDate day = dates.get(d);
      long dayStart = day.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
      List<long[]> listens = new ArrayList<>();
      for (int u = 0; u < humans; u++) {
        if (!listeners.activeToday(u)) {
          continue;
        }
        int plays = (int) Math.round(listeners.activity(u) * (0.5 + random.nextDouble()));
        long ts = dayStart + random.nextLong(20 * 3_600_000L);
        for (int p = 0; p < plays && ts < dayStart + DAY_MS; p++) {
          int track = listeners.pick(u);
          boolean skip = random.nextDouble() < (listeners.likes(u, track) ? 0.2 : 0.5);
          if (!skip) {
            listeners.streamed(u, track);
          }
          long msPlayed =
              skip
                  ? 1_000 + random.nextInt(29_000)
                  : 30_000 + random.nextLong(catalog.durationMs(track) - 30_000 + 1);
          listens.add(new long[] {u, track, ts, msPlayed});
          ts += msPlayed + random.nextInt(60_000);
        }
      }
      for (int bot : botDays.getOrDefault(d, List.of())) {
        long ts = dayStart + random.nextInt(60_000);
        for (int p = 0; p < settings.botPlaysPerDay() && ts < dayStart + DAY_MS; p++) {
          long msPlayed = 20_000 + random.nextInt(7_000);
          listens.add(new long[] {bot, random.nextInt(settings.tracks()), ts, msPlayed});
          ts += msPlayed;
        }
      }
      for (long[] listen : listens) {
        String user = userId((int) listen[0]);
        String track = TrackCatalog.trackId((int) listen[1]);
        long ts = listen[2];
        long msPlayed = listen[3];
        fingerprint.add(user, track, ts);
        listensPerEventDate.merge(day, 1L, Long::sum);
        if (msPlayed >= 30_000) {
          streams[0]++;
        }
        int arrival = d;
        if (random.nextDouble() < LATE_RATE && d + 1 < days) {
          arrival = Math.min(days - 1, d + 1 + random.nextInt(MAX_LATE_DAYS));
          late[0]++;
        }
        String line = listenLine(eventId(), user, track, ts, msPlayed);
        pending.get(arrival).add(line);
        if (random.nextDouble() < RETRY_RATE) {
          pending.get(redelivery(arrival, days)).add(line);
          retries[0]++;
        }
        if (random.nextDouble() < RESEND_RATE) {
          pending
              .get(redelivery(arrival, days))
              .add(listenLine(eventId(), user, track, ts, msPlayed));
          resends[0]++;
        }
      }
      List<String> arrived = pending.get(d);
      if (day.equals(settings.formatChange())) {
        formatChanged = newTrackIdForm(arrived);
      }
      int badPerKind = (int) Math.max(1, Math.round(arrived.size() * BAD_LINE_RATE));
      for (String reason : PLANTED_REASONS) {
        for (int i = 0; i < badPerKind; i++) {
          arrived.add(badLine(reason, day));
        }
        quarantine.merge(reason, (long) badPerKind, Long::sum);
      }
      linesPerArrival.put(day, (long) arrived.size());
      writeDay(out.resolve("listens").resolve("date=" + day), arrived);
      pending.set(d, null);
    }

    int[] favourite = new int[humans];
    Arrays.setAll(favourite, listeners::favouriteGenre);
    FeedbackPlanter.Planted feedback =
        new FeedbackPlanter(settings.seed(), catalog, settings.tracks())
            .write(out, dates, favourite, settings.endWeek(), this::writeDay);
    Manifest manifest =
        new Manifest(
            settings,
            start,
            dates,
            linesPerArrival,
            fingerprint.count(),
            streams[0],
            listensPerEventDate,
            fingerprint.hex(),
            retries[0],
            resends[0],
            late[0],
            quarantine,
            botUsers,
            botUserDays,
            catalog.countUnavailable(),
            feedback.linesPerArrivalDate(),
            feedback.events(),
            feedback.retries(),
            feedback.quarantine(),
            feedback.blocksInForce(),
            formatChanged);
    json().writeValue(out.resolve("manifest.json").toFile(), manifest);
    return manifest;
  }

  /**
   * A client release on the format change date: a third of the day's listen lines name their track
   * in a new form, {@link #NEW_TRACK_ID_FORM} before the id (drawn from a generator of its own, so
   * that every other line is the same as without the change). Returns how many.
   */
  private long newTrackIdForm(List<String> lines) {
    SplittableRandom release = new SplittableRandom(settings.seed() ^ FORMAT_CHANGE_SALT);
    long changed = 0;
    for (int i = 0; i < lines.size(); i++) {
      if (release.nextDouble() < FORMAT_CHANGE_SHARE) {
        lines.set(i, lines.get(i).replace(TRACK_ID_FIELD, TRACK_ID_FIELD + NEW_TRACK_ID_FORM));
        changed++;
      }
    }
    return changed;
  }

  private int redelivery(int arrival, int days) {
    return random.nextBoolean() && arrival + 1 < days ? arrival + 1 : arrival;
  }

  private String listenLine(String eventId, String user, String track, long ts, long msPlayed) {
    StringBuilder line = new StringBuilder(200);
    line.append("{\"event_id\":\"").append(eventId).append('"');
    line.append(",\"user_id\":\"").append(user).append('"');
    line.append(",\"track_id\":\"").append(track).append('"');
    if (random.nextDouble() < EPOCH_MILLIS_RATE) {
      line.append(",\"ts\":").append(ts);
    } else {
      line.append(",\"ts\":\"").append(Instant.ofEpochMilli(ts)).append('"');
    }
    line.append(",\"ms_played\":").append(msPlayed);
    if (random.nextDouble() >= NO_OPTIONAL_FIELDS_RATE) {
      line.append(",\"platform\":\"").append(pick(PLATFORMS)).append('"');
      line.append(",\"country\":\"").append(pick(COUNTRIES)).append('"');
      line.append(",\"context\":\"").append(pick(CONTEXTS)).append('"');
    }
    if (random.nextDouble() < EXTRA_FIELD_RATE) {
      line.append(",\"app_version\":\"8.").append(random.nextInt(10)).append(".0\"");
    }
    return line.append('}').toString();
  }

  /** A line that breaks one contract rule and nothing before it in the rule order. */
  private String badLine(String reason, LocalDate arrival) {
    String user = userId(random.nextInt(settings.users() - settings.bots()));
    String track = TrackCatalog.trackId(random.nextInt(settings.tracks()));
    long arrivalStart = arrival.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    long ts = arrivalStart + random.nextLong(DAY_MS);
    String eventId = eventId();
    return switch (reason) {
      case Reasons.EMPTY_LINE -> "";
      case Reasons.NOT_AN_OBJECT -> "[\"" + eventId + "\",\"" + user + "\",\"" + track + "\"]";
      case Reasons.MALFORMED_JSON -> {
        String line = listenLine(eventId, user, track, ts, 60_000);
        yield line.substring(0, line.length() / 2);
      }
      case Reasons.BAD_TYPE ->
          String.format(
              "{\"event_id\":\"%s\",\"user_id\":\"%s\",\"track_id\":\"%s\",\"ts\":%d,"
                  + "\"ms_played\":\"a while\"}",
              eventId, user, track, ts);
      case Reasons.MISSING_FIELD ->
          String.format(
              "{\"event_id\":\"%s\",\"track_id\":\"%s\",\"ts\":%d,\"ms_played\":60000}",
              eventId, track, ts);
      case Reasons.BAD_TIMESTAMP ->
          String.format(
              "{\"event_id\":\"%s\",\"user_id\":\"%s\",\"track_id\":\"%s\","
                  + "\"ts\":\"yesterday at noon\",\"ms_played\":60000}",
              eventId, user, track);
      case Reasons.NEGATIVE_MS_PLAYED -> listenLine(eventId, user, track, ts, -5_000);
      case Reasons.MS_PLAYED_OUT_OF_RANGE -> listenLine(eventId, user, track, ts, 90_000_000);
      case Reasons.FUTURE_TIMESTAMP ->
          listenLine(eventId, user, track, arrivalStart + 3 * DAY_MS, 60_000);
      case Reasons.BEYOND_LATENESS_HORIZON ->
          listenLine(eventId, user, track, arrivalStart - 400 * DAY_MS, 60_000);
      case Reasons.UNKNOWN_TRACK ->
          listenLine(eventId, user, "t-retired-" + random.nextInt(1000), ts, 60_000);
      default -> throw new IllegalArgumentException("no bad line for reason " + reason);
    };
  }

  private void writeDay(Path folder, List<String> lines) throws IOException {
    Files.createDirectories(folder);
    int parts = Math.max(1, (lines.size() + settings.linesPerFile() - 1) / settings.linesPerFile());
    for (int part = 0; part < parts; part++) {
      String name = String.format("part-%05d.json%s", part, settings.gzip() ? ".gz" : "");
      int from = part * settings.linesPerFile();
      int to = Math.min(lines.size(), from + settings.linesPerFile());
      OutputStream stream = Files.newOutputStream(folder.resolve(name));
      if (settings.gzip()) {
        stream = new GZIPOutputStream(stream, 1 << 16);
      }
      try (BufferedWriter writer =
          new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 1 << 16)) {
        for (String line : lines.subList(from, to)) {
          writer.write(line);
          writer.write('\n');
        }
      }
    }
  }

  private static void prepare(Path out) throws IOException {
    if (Files.isDirectory(out)) {
      boolean generatedBefore = Files.exists(out.resolve("manifest.json"));
      boolean empty;
      try (var entries = Files.list(out)) {
        empty = entries.findAny().isEmpty();
      }
      if (!empty && !generatedBefore) {
        throw new PipelineException(
            out
                + " is not empty and holds no manifest.json: refusing to write generated data"
                + " into it");
      }
      deleteTree(out.resolve("listens"));
      deleteTree(out.resolve("feedback"));
      deleteTree(out.resolve("catalog"));
      Files.deleteIfExists(out.resolve("manifest.json"));
    }
    Files.createDirectories(out);
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var paths = Files.walk(root)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  private String eventId() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }

  private String pick(String[] values) {
    return values[random.nextInt(values.length)];
  }

  static String userId(int user) {
    return String.format("u%06d", user);
  }
}
