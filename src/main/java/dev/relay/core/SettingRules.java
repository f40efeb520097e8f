package dev.relay.core;

import java.time.Duration;

/**
 * The checks every settings record makes of its numbers in its compact constructor. A refusal is an
 * {@link IllegalArgumentException} whose message starts with the configuration key, so a node given
 * a bad value stops at start saying which key to fix, e.g. {@code relay.delivery.max-in-flight must
 * be at least 1, got 0}.
 */
public final class SettingRules {

  private SettingRules() {}

  public static void atLeast(String key, long value, long min) {
    if (value < min) {
      throw refused(key, "must be at least " + min + ", got " + value);
    }
  }

  public static void between(String key, long value, long min, long max) {
    if (value < min || value > max) {
      throw refused(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  public static void between(String key, double value, double min, double max) {
    if (Double.isNaN(value) || value < min || value > max) {
      throw refused(key, "must be between " + min + " and " + max + ", got " + value);
    }
  }

  /** A duration above zero: a timeout, interval or backoff. */
  public static void positive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw refused(key, "must be longer than 0, got " + value);
    }
  }

  public static void notNegative(String key, Duration value) {
    if (value.isNegative()) {
      throw refused(key, "must not be negative, got " + value);
    }
  }

  /** {@code value} (at {@code key}) must not be below {@code floor} (at {@code floorKey}). */
  public static void notBelow(String key, long value, String floorKey, long floor) {
    if (value < floor) {
      throw refused(key, "(" + value + ") must not be below " + floorKey + " (" + floor + ")");
    }
  }

  /** {@code value} (at {@code key}) must not be shorter than {@code floor} (at {@code floorKey}). */
  public static void notBelow(String key, Duration value, String floorKey, Duration floor) {
    if (value.compareTo(floor) < 0) {
      throw refused(key, "(" + value + ") must not be below " + floorKey + " (" + floor + ")");
    }
  }

  private static IllegalArgumentException refused(String key, String why) {
    return new IllegalArgumentException(key + " " + why);
  }
}
