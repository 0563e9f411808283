package org.discoverweekly.etl.generate;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * The generated catalog, one entry per track: its artist, genre, duration and availability, and the
 * Zipf-like popularity, within each genre and over all tracks, that listeners pick tracks by.
 */
final class TrackCatalog {

  static final int GENRES = 8;
  static final double UNAVAILABLE_RATE = 0.02;

  private final SplittableRandom random;
  private final int[] trackArtist;
  private final int[] trackGenre;
  private final long[] trackDurationMs;
  private final boolean[] trackAvailable;
  private final double[][] genreCumulative;
  private final int[][] genreTracks;
  private final double[] globalCumulative;
  private final int[] globalOrder;

  /** Draws {@code tracks} tracks, and later picks, from the generator's one {@code random}. */
  TrackCatalog(int tracks, SplittableRandom random) {
    this.random = random;
    int artists = Math.min(tracks, Math.max(GENRES, tracks / 8));
    int[] artistGenre = new int[artists];
    Arrays.setAll(artistGenre, a -> a % GENRES);
    trackArtist = new int[tracks];
    trackGenre = new int[tracks];
    trackDurationMs = new long[tracks];
    trackAvailable = new boolean[tracks];
    for (int t = 0; t < tracks; t++) {
      // The first tracks take one artist each, so every genre has tracks.
      trackArtist[t] = t < artists ? t : random.nextInt(artists);
      trackGenre[t] = artistGenre[trackArtist[t]];
      trackDurationMs[t] = 120_000 + random.nextInt(240_000);
      trackAvailable[t] = random.nextDouble() >= UNAVAILABLE_RATE;
    }
    genreTracks = new int[GENRES][];
    genreCumulative = new double[GENRES][];
    for (int g = 0; g < GENRES; g++) {
      int genre = g;
      genreTracks[g] =
          shuffled(IntStream.range(0, tracks).filter(t -> trackGenre[t] == genre).toArray());
      genreCumulative[g] = zipfCumulative(genreTracks[g].length);
    }
    globalOrder = shuffled(IntStream.range(0, tracks).toArray());
    globalCumulative = zipfCumulative(tracks);
  }

  /** The artist number of {@code track}. */
  int artist(int track) {
    return trackArtist[track];
  }

  /** The tracks of genre {@code g}, most picked first. */
  int[] tracksOfGenre(int g) {
    return genreTracks[g];
  }

  int genre(int track) {
    return trackGenre[track];
  }

  long durationMs(int track) {
    return trackDurationMs[track];
  }

  /** A track for a listener of these two genres: mostly the favourite's, sometimes any track. */
  int pickTrack(int favourite, int second) {
    double r = random.nextDouble();
    if (r < 0.7) {
      return genreTracks[favourite][sample(genreCumulative[favourite])];
    }
    if (r < 0.9) {
      return genreTracks[second][sample(genreCumulative[second])];
    }
    return globalOrder[sample(globalCumulative)];
  }

  long countUnavailable() {
    long unavailable = 0;
    for (boolean available : trackAvailable) {
      unavailable += available ? 0 : 1;
    }
    return unavailable;
  }

  /** Writes the catalog as the landing zone's {@code tracks.jsonl}, one track a line. */
  void write(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    try (Writer writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      for (int t = 0; t < trackArtist.length; t++) {
        writer.write(
            String.format(
                "{\"track_id\":\"%s\",\"artist_id\":\"%s\",\"track_name\":\"Track %d\","
                    + "\"artist_name\":\"Artist %d\",\"duration_ms\":%d%s}\n",
                trackId(t),
                artistId(trackArtist[t]),
                t,
                trackArtist[t],
                trackDurationMs[t],
                trackAvailable[t] ? "" : ",\"available\":false"));
      }
    }
  }

  private int sample(double[] cumulative) {
    int index =
        Arrays.binarySearch(cumulative, random.nextDouble() * cumulative[cumulative.length - 1]);
    return Math.min(cumulative.length - 1, index >= 0 ? index : -index - 1);
  }

  private int[] shuffled(int[] values) {
    for (int i = values.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = values[i];
      values[i] = values[j];
      values[j] = swap;
    }
    return values;
  }

  private static double[] zipfCumulative(int n) {
    double[] cumulative = new double[Math.max(1, n)];
    double total = 0;
    for (int rank = 0; rank < n; rank++) {
      total += 1.0 / (rank + 1);
      cumulative[rank] = total;
    }
    return cumulative;
  }

  static String trackId(int track) {
    return String.format("t%06d", track);
  }

  static String artistId(int artist) {
    return String.format("a%05d", artist);
  }
}
