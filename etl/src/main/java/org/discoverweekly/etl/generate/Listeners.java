package org.discoverweekly.etl.generate;

import java.util.SplittableRandom;

/**
 * How the generated human users listen: on which days, how much, which tracks, and which tracks
 * they like (streamed more often than skipped). Every draw comes from the generator's one random
 * stream, in the order the generator asks, so the same settings give the same bytes.
 */
interface Listeners {

  /** The listeners of {@code settings}' profile, their tastes drawn now. */
  static Listeners of(
      GeneratorSettings settings, int humans, TrackCatalog catalog, SplittableRandom random) {
    return switch (settings.profile()) {
      case CLUSTERED -> new ClusteredListeners(humans, settings.playsPerDay(), catalog, random);
      case REALISTIC -> new RealisticListeners(humans, settings.playsPerDay(), catalog, random);
    };
  }

  /** The tastes the catalog is drawn with for {@code profile}. */
  static int tastes(GeneratorSettings.Profile profile) {
    return switch (profile) {
      case CLUSTERED -> TrackCatalog.GENRES;
      case REALISTIC -> RealisticListeners.TASTES;
    };
  }

  /** Whether {@code user} listens today (one draw per user and day). */
  boolean activeToday(int user);

  /** The mean plays of {@code user} on a day they listen. */
  double activity(int user);

  /** The next track {@code user} plays. */
  int pick(int user);

  /** Whether {@code track} is of a taste {@code user} holds. */
  boolean likes(int user, int track);

  /** Told of each play that was not a skip. */
  void streamed(int user, int track);

  /** The genre of {@code user}'s strongest taste (feedback blocks one of its artists). */
  int favouriteGenre(int user);
}
