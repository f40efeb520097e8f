package dev.relay.core;

import com.github.f4b6a3.ulid.UlidCreator;
import java.security.SecureRandom;

/** Random, unguessable identifiers: {@code prefix_} and 20 characters of Crockford base32 (100 bits). */
public final class Ids {

  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  public static String newId(String prefix) {
    return prefix + "_" + random(20);
  }

  /**
   * {@code prefix_} and a ULID in lower case (26 characters: the time in milliseconds, then 80 random
   * bits, increasing within a millisecond): ids made later sort later, so rows keyed by them are
   * added at the end of their indexes rather than anywhere in them.
   */
  public static String newTimeOrderedId(String prefix) {
    return prefix + "_" + UlidCreator.getMonotonicUlid().toLowerCase();
  }

  /** {@code length} random base32 characters. */
  public static String random(int length) {
    byte[] bytes = new byte[length];
    RANDOM.nextBytes(bytes);
    char[] chars = new char[length];
    for (int i = 0; i < length; i++) {
      chars[i] = ALPHABET[bytes[i] & 31];
    }
    return new String(chars);
  }
}
