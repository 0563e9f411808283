package org.discoverweekly.etl.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Listeners closer to a real service's than the clustered sample's, so that a model tuned on them
 * is not tuned to a few planted clusters:
 *
 * <ul>
 *   <li>{@value #TASTES} latent tastes (8 per genre); a user holds one taste and each further one
 *       with probability {@value #ANOTHER_TASTE} (at most {@value #MAX_TASTES}; 2.5 on average),
 *       weighted by a flat Dirichlet draw;
 *   <li>a play is, with probability {@value #REPLAY}, a replay of a track the user streamed before
 *       (chosen in proportion to its streams, so play counts are heavy-tailed), else with
 *       probability {@value #EXPLORE} any track by its catalog-wide Zipf(1) popularity, else a
 *       track of one of the user's tastes (by weight) by its Zipf(1) popularity within the taste;
 *   <li>activity log-normal: plays on an active day average plays-per-day × exp(σZ − σ²/2) with σ =
 *       {@value #ACTIVITY_SIGMA} (the mean stays plays-per-day, the median is 0.6 of it); each user
 *       listens on a share of days uniform in 0.2 to 0.9.
 * </ul>
 */
final class RealisticListeners implements Listeners {

  static final int TASTES = 64;
  static final double ANOTHER_TASTE = 0.6;
  static final int MAX_TASTES = 8;
  static final double REPLAY = 0.4;
  static final double EXPLORE = 0.1;
  static final double ACTIVITY_SIGMA = 1.0;

  private final TrackCatalog catalog;
  private final SplittableRandom random;
  private final int[][] tastes;
  private final double[][] cumulativeWeights;
  private final double[] activity;
  private final double[] activeShare;
  private final int[][] streamedTracks;
  private final int[] streams;

  RealisticListeners(int humans, int playsPerDay, TrackCatalog catalog, SplittableRandom random) {
    this.catalog = catalog;
    this.random = random;
    tastes = new int[humans][];
    cumulativeWeights = new double[humans][];
    activity = new double[humans];
    activeShare = new double[humans];
    streamedTracks = new int[humans][];
    streams = new int[humans];
    for (int u = 0; u < humans; u++) {
      int count = 1;
      while (count < MAX_TASTES && random.nextDouble() < ANOTHER_TASTE) {
        count++;
      }
      tastes[u] = distinctTastes(count, catalog.tastes());
      cumulativeWeights[u] = new double[count];
      double total = 0;
      for (int i = 0; i < count; i++) {
        total -= Math.log(1 - random.nextDouble());
        cumulativeWeights[u][i] = total;
      }
      double z = random.nextGaussian();
      activity[u] =
          playsPerDay * Math.exp(ACTIVITY_SIGMA * z - ACTIVITY_SIGMA * ACTIVITY_SIGMA / 2);
      activeShare[u] = 0.2 + 0.7 * random.nextDouble();
      streamedTracks[u] = new int[16];
    }
  }

  @Override
  public boolean activeToday(int user) {
    return random.nextDouble() < activeShare[user];
  }

  @Override
  public double activity(int user) {
    return activity[user];
  }

  @Override
  public int pick(int user) {
    double r = random.nextDouble();
    if (r < REPLAY && streams[user] > 0) {
      return streamedTracks[user][random.nextInt(streams[user])];
    }
    if (random.nextDouble() < EXPLORE) {
      return catalog.pickAny();
    }
    double[] weights = cumulativeWeights[user];
    int index = Arrays.binarySearch(weights, random.nextDouble() * weights[weights.length - 1]);
    int taste = tastes[user][Math.min(weights.length - 1, index >= 0 ? index : -index - 1)];
    return catalog.pickInTaste(taste);
  }

  @Override
  public boolean likes(int user, int track) {
    return contains(tastes[user], tastes[user].length, catalog.taste(track));
  }

  @Override
  public void streamed(int user, int track) {
    if (streams[user] == streamedTracks[user].length) {
      streamedTracks[user] = Arrays.copyOf(streamedTracks[user], streams[user] * 2);
    }
    streamedTracks[user][streams[user]++] = track;
  }

  @Override
  public int favouriteGenre(int user) {
    double[] cumulative = cumulativeWeights[user];
    int strongest = 0;
    for (int i = 1; i < cumulative.length; i++) {
      if (weight(cumulative, i) > weight(cumulative, strongest)) {
        strongest = i;
      }
    }
    return tastes[user][strongest] % TrackCatalog.GENRES;
  }

  private static double weight(double[] cumulative, int i) {
    return cumulative[i] - (i == 0 ? 0 : cumulative[i - 1]);
  }

  private int[] distinctTastes(int count, int of) {
    int[] drawn = new int[count];
    for (int i = 0; i < count; i++) {
      int taste;
      do {
        taste = random.nextInt(of);
      } while (contains(drawn, i, taste));
      drawn[i] = taste;
    }
    return drawn;
  }

  private static boolean contains(int[] values, int length, int value) {
    for (int i = 0; i < length; i++) {
      if (values[i] == value) {
        return true;
      }
    }
    return false;
  }
}
