package org.discoverweekly.etl.generate;

import java.util.SplittableRandom;

/**
 * The committed sample's listeners: as many tastes as genres (8), two per user, a play 70 % of the
 * time from the favourite taste, 20 % from the second and 10 % from anywhere, each by Zipf(1)
 * popularity; activity uniform in 0.3 to 1.7 times plays-per-day, on 70 % of days.
 */
final class ClusteredListeners implements Listeners {

  private final TrackCatalog catalog;
  private final SplittableRandom random;
  private final int[] favourite;
  private final int[] second;
  private final double[] activity;

  ClusteredListeners(int humans, int playsPerDay, TrackCatalog catalog, SplittableRandom random) {
    this.catalog = catalog;
    this.random = random;
    int tastes = catalog.tastes();
    favourite = new int[humans];
    second = new int[humans];
    activity = new double[humans];
    for (int u = 0; u < humans; u++) {
      favourite[u] = random.nextInt(tastes);
      second[u] = (favourite[u] + 1 + random.nextInt(tastes - 1)) % tastes;
      activity[u] = playsPerDay * (0.3 + 1.4 * random.nextDouble());
    }
  }

  @Override
  public boolean activeToday(int user) {
    return random.nextDouble() >= 0.3;
  }

  @Override
  public double activity(int user) {
    return activity[user];
  }

  @Override
  public int pick(int user) {
    double r = random.nextDouble();
    if (r < 0.7) {
      return catalog.pickInTaste(favourite[user]);
    }
    if (r < 0.9) {
      return catalog.pickInTaste(second[user]);
    }
    return catalog.pickAny();
  }

  @Override
  public boolean likes(int user, int track) {
    int taste = catalog.taste(track);
    return taste == favourite[user] || taste == second[user];
  }

  @Override
  public void streamed(int user, int track) {}

  @Override
  public int favouriteGenre(int user) {
    return favourite[user] % TrackCatalog.GENRES;
  }
}
