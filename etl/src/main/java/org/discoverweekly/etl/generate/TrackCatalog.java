package org.discoverweekly.etl.generate;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

/**
 * The generated catalog, one entry per track: its artist, taste, genre, duration and availability,
 * and the Zipf(1) popularity, within each taste and over all tracks, that listeners pick tracks by.
 * An artist belongs to one latent taste ({@code artist mod tastes}) and a taste to one of {@link
 * #GENRES} genres ({@code taste mod GENRES}); with as many tastes as genres the two are the same.
 */
final class TrackCatalog {

  static final int GENRES = 8;
  static final double UNAVAILABLE_RATE = 0.02;

  private final SplittableRandom random;
  private final int tastes;
  private final int[] trackArtist;
  private final int[] trackTaste;
  private final long[] trackDurationMs;
  private final boolean[] trackAvailable;
  private final double[][] tasteCumulative;
  private final int[][] tasteTracks;
  private final int[][] genreTracks;
  private final double[] globalCumulative;
  private final int[] globalOrder;

  /**
   * Draws {@code tracks} tracks of {@code tastes} tastes (a multiple of {@link #GENRES}, at most
   * {@code tracks}), and later picks, from the generator's one {@code random}.
   */
  TrackCatalog(int tracks, int tastes, SplittableRandom random) {
    this.random = random;
    this.tastes = tastes;
    int artists = Math.min(tracks, Math.max(tastes, tracks / 8));
    trackArtist = new int[tracks];
    trackTaste = new int[tracks];
    trackDurationMs = new long[tracks];
    trackAvailable = new boolean[tracks];
    for (int t = 0; t < tracks; t++) {
      // The first tracks take one artist each, so every taste has tracks.
      trackArtist[t] = t < artists ? t : random.nextInt(artists);
      trackTaste[t] = trackArtist[t] % tastes;
      trackDurationMs[t] = 120_000 + random.nextInt(240_000);
      trackAvailable[t] = random.nextDouble() >= UNAVAILABLE_RATE;
    }
    tasteTracks = new int[tastes][];
    tasteCumulative = new double[tastes][];
    for (int g = 0; g < tastes; g++) {
      int taste = g;
      tasteTracks[g] = shuffled(tracksWhere(t -> trackTaste[t] == taste));
      tasteCumulative[g] = zipfCumulative(tasteTracks[g].length);
    }
    globalOrder = shuffled(IntStream.range(0, tracks).toArray());
    globalCumulative = zipfCumulative(tracks);
    if (tastes == GENRES) {
      genreTracks = tasteTracks;
    } else {
      genreTracks = new int[GENRES][];
      for (int g = 0; g < GENRES; g++) {
        int genre = g;
        genreTracks[g] = shuffled(tracksWhere(t -> genre(t) == genre));
      }
    }
  }

  private int[] tracksWhere(IntPredicate predicate) {
    return IntStream.range(0, trackArtist.length).filter(predicate).toArray();
  }

  /** The artist number of {@code track}. */
  int artist(int track) {
    return trackArtist[track];
  }

  /**
   * The tracks of genre {@code g}; with as many tastes as genres, most picked first, otherwise in a
   * random order.
   */
  int[] tracksOfGenre(int g) {
    return genreTracks[g];
  }

  int tastes() {
    return tastes;
  }

  int taste(int track) {
    return trackTaste[track];
  }

  int genre(int track) {
    return trackTaste[track] % GENRES;
  }

  long durationMs(int track) {
    return trackDurationMs[track];
  }

  /** A track of {@code taste}, by its popularity within the taste. */
  int pickInTaste(int taste) {
    return tasteTracks[taste][sample(tasteCumulative[taste])];
  }

  /** Any track, by its popularity over the whole catalog. */
  int pickAny() {
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
