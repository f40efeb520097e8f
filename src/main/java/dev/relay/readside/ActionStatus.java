package dev.relay.readside;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** Where an action stands, as the action journal shows it. */
enum ActionStatus {
  /** Journaled, not attempted yet. */
  QUEUED,
  /** Attempted, failed transiently, another attempt is scheduled. */
  RETRYING,
  DELIVERED,
  /** Refused for good, or out of retries. */
  FAILED,
  /** Given up without delivery: its action or destination was removed or disabled. */
  DISCARDED;

  String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Delivered, failed and discarded actions never change again. */
  boolean isFinal() {
    return this == DELIVERED || this == FAILED || this == DISCARDED;
  }

  static Optional<ActionStatus> fromWire(String name) {
    return Arrays.stream(values()).filter(s -> s.wireName().equals(name)).findFirst();
  }

  static String wireNames() {
    return Arrays.stream(values()).map(ActionStatus::wireName).collect(Collectors.joining(", "));
  }
}
