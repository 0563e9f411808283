package org.discoverweekly.etl.generate;

import java.nio.charset.StandardCharsets;

/**
 * An order-independent fingerprint of a set of listens by their natural key (user, track, ts): the
 * sum of a 64-bit hash per listen. Two sets with the same count and fingerprint are, for test
 * purposes, the same set.
 */
public final class ListenFingerprint {

  private long sum;
  private long count;

  public void add(String userId, String trackId, long tsMillis) {
    sum += hash(userId + "|" + trackId + "|" + tsMillis);
    count++;
  }

  public long count() {
    return count;
  }

  public String hex() {
    return String.format("%016x", sum);
  }

  /** FNV-1a over the UTF-8 bytes, then a murmur3 finalizer to spread the bits. */
  static long hash(String key) {
    long h = 0xcbf29ce484222325L;
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      h ^= b & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
