package dev.relay.logging;

import org.slf4j.MDC;

/**
 * The names of the fields a log line carries about what it concerns: MDC keys, so the JSON log
 * format (RELAY_LOG_FORMAT=json) writes them as fields while the text format's lines stay as they are.
 * Pekko's own lines about an entity carry its {@code persistenceId} ({@code Destination|<id>}) instead.
 */
public final class LogFields {

  public static final String DESTINATION_ID = "destinationId";
  public static final String SOURCE_ID = "sourceId";
  public static final String MESSAGE_ID = "messageId";

  private LogFields() {}

  /**
   * Runs {@code log} with {@code key = value} in the MDC. Set around the call itself: Pekko resets
   * an actor's MDC between messages and persistence phases, so a value set earlier is gone.
   */
  public static void with(String key, String value, Runnable log) {
    try (MDC.MDCCloseable field = MDC.putCloseable(key, value)) {
      log.run();
    }
  }
}
