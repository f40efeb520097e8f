package dev.relay.core;

import java.security.SecureRandom;

/** Random, unguessable identifiers: {@code prefix_} and 20 characters of Crockford base32 (100 bits). */
public final class Ids {

  private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  public static String newId(String prefix) {
    return prefix + "_" + random(20);
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
