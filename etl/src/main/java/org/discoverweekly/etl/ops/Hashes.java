package org.discoverweekly.etl.ops;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;

/** Content hashes that name what a run was built from. */
public final class Hashes {

  private Hashes() {}

  /**
   * The config values that shaped a run, for the ledger, with {@code hash}: the first 16 hex digits
   * of the SHA-256 of the values in key order, equal for equal recipes.
   */
  public static Map<String, String> withHash(Map<String, String> values) {
    Map<String, String> config = new TreeMap<>(values);
    config.put("hash", sha256(new TreeMap<>(values).toString()).substring(0, 16));
    return config;
  }

  /** The SHA-256 of {@code text} (UTF-8), in lower-case hex. */
  public static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM has no SHA-256", e);
    }
  }
}
