package org.discoverweekly.etl.generate;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The feedback feed the generator plants beside the listens, from a random stream of its own (so
 * the listens stay what they were): a share of the users block a popular artist of their favourite
 * genre (some for good, some until they unblock it), block a popular track for a few days, or like
 * tracks; a few events are delivered twice, and a few bad lines of each feedback reason arrive
 * every week. What it planted, the blocks in force at the end week included, goes to the manifest.
 */
final class FeedbackPlanter {

  /** The share of human users who give any feedback. */
  static final double USER_SHARE = 0.1;

  static final double RETRY_RATE = 0.05;

  /** Bad feedback lines, one of each every seventh arrival date, by the reason they must get. */
  static final List<String> PLANTED_REASONS =
      List.of("malformed_json", "missing_field", "unknown_action", "bad_until", "unknown_track");

  private static final long DAY_MS = 86_400_000L;

  /** What was planted. */
  record Planted(
      Map<LocalDate, Long> linesPerArrivalDate,
      long events,
      long retries,
      Map<String, Long> quarantine,
      List<String> blocksInForce) {}

  private final SplittableRandom random;
  private final TrackCatalog catalog;
  private final int tracks;

  FeedbackPlanter(long seed, TrackCatalog catalog, int tracks) {
    this.random = new SplittableRandom(seed * 31 + 17);
    this.catalog = catalog;
    this.tracks = tracks;
  }

  /**
   * Writes {@code <out>/feedback/date=D/} for the dates that have feedback; {@code favourite}: each
   * human user's favourite genre; {@code endWeek}: the Monday the blocks in force are listed for.
   */
  Planted write(Path out, List<LocalDate> dates, int[] favourite, LocalDate endWeek, Writer writer)
      throws IOException {
    Map<LocalDate, List<String>> lines = new TreeMap<>();
    // user|kind|target -> the latest event: action and until.
    Map<String, String[]> latest = new TreeMap<>();
    long events = 0;
    long retries = 0;
    for (int u = 0; u < favourite.length; u++) {
      if (random.nextDouble() >= USER_SHARE) {
        continue;
      }
      String user = Generator.userId(u);
      int[] popular = catalog.tracksOfGenre(favourite[u]);
      int track = popular[random.nextInt(Math.min(5, popular.length))];
      String artist = TrackCatalog.artistId(catalog.artist(track));
      int day = random.nextInt(dates.size());
      double kind = random.nextDouble();
      List<String[]> planned = new ArrayList<>();
      if (kind < 0.4) {
        planned.add(new String[] {"block_artist", "artist_id", artist, null, "0"});
      } else if (kind < 0.6) {
        String until = dates.get(day).plusDays(3).toString();
        planned.add(
            new String[] {"block_track", "track_id", TrackCatalog.trackId(track), until, "0"});
      } else if (kind < 0.8) {
        planned.add(new String[] {"block_artist", "artist_id", artist, null, "0"});
        planned.add(
            new String[] {
              "unblock_artist", "artist_id", artist, null, String.valueOf(1 + random.nextInt(3))
            });
      } else {
        for (int like = 0; like < 1 + random.nextInt(3); like++) {
          planned.add(
              new String[] {
                "like_track", "track_id", TrackCatalog.trackId(random.nextInt(tracks)), null, "0"
              });
        }
      }
      long previous = -1;
      for (String[] event : planned) {
        int eventDay = Math.min(dates.size() - 1, day + Integer.parseInt(event[4]));
        LocalDate date = dates.get(eventDay);
        long ts = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        ts = Math.max(previous + 1, ts + random.nextLong(DAY_MS - 1));
        previous = ts;
        String line = line(eventId(), user, event[0], event[1], event[2], event[3], ts);
        lines.computeIfAbsent(date, d -> new ArrayList<>()).add(line);
        events++;
        if (random.nextDouble() < RETRY_RATE) {
          lines.get(date).add(line);
          retries++;
        }
        if (!event[0].equals("like_track")) {
          latest.put(user + "|" + event[1].replace("_id", "") + "|" + event[2], event);
        }
      }
    }
    Map<String, Long> quarantine = new TreeMap<>();
    for (int d = 0; d < dates.size(); d += 7) {
      LocalDate date = dates.get(d);
      long ts = date.atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli() + DAY_MS / 2;
      String user = Generator.userId(random.nextInt(favourite.length));
      for (String reason : PLANTED_REASONS) {
        lines.computeIfAbsent(date, x -> new ArrayList<>()).add(badLine(reason, user, ts));
        quarantine.merge(reason, 1L, Long::sum);
      }
    }
    Map<LocalDate, Long> perDate = new TreeMap<>();
    for (Map.Entry<LocalDate, List<String>> date : lines.entrySet()) {
      writer.write(out.resolve("feedback").resolve("date=" + date.getKey()), date.getValue());
      perDate.put(date.getKey(), (long) date.getValue().size());
    }
    List<String> inForce = new ArrayList<>();
    latest.forEach(
        (key, event) -> {
          if (event[0].startsWith("block_")
              && (event[3] == null || !LocalDate.parse(event[3]).isBefore(endWeek))) {
            inForce.add(key);
          }
        });
    return new Planted(perDate, events, retries, quarantine, inForce);
  }

  /** Writes one arrival date's lines into a folder. */
  interface Writer {
    void write(Path folder, List<String> lines) throws IOException;
  }

  private static String line(
      String eventId,
      String user,
      String action,
      String targetField,
      String target,
      String until,
      long ts) {
    return "{\"event_id\":\""
        + eventId
        + "\",\"user_id\":\""
        + user
        + "\",\"ts\":\""
        + Instant.ofEpochMilli(ts)
        + "\",\"action\":\""
        + action
        + "\",\""
        + targetField
        + "\":\""
        + target
        + "\""
        + (until == null ? "" : ",\"until\":\"" + until + "\"")
        + "}";
  }

  private String badLine(String reason, String user, long ts) {
    String track = TrackCatalog.trackId(random.nextInt(tracks));
    String good = line(eventId(), user, "block_track", "track_id", track, null, ts);
    return switch (reason) {
      case "malformed_json" -> good.substring(0, good.length() / 2);
      case "missing_field" -> line(eventId(), user, "block_track", "artist_id", "a00001", null, ts);
      case "unknown_action" -> line(eventId(), user, "mute_track", "track_id", track, null, ts);
      case "bad_until" -> line(eventId(), user, "block_track", "track_id", track, "soon", ts);
      case "unknown_track" ->
          line(
              eventId(),
              user,
              "like_track",
              "track_id",
              "t-retired-" + random.nextInt(1000),
              null,
              ts);
      default -> throw new IllegalArgumentException("no bad feedback line for " + reason);
    };
  }

  private String eventId() {
    return new UUID(random.nextLong(), random.nextLong()).toString();
  }
}
