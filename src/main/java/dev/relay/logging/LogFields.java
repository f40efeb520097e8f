package dev.relay.logging;

import java.util.Map;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The names of the fields a log line carries about what it concerns: MDC keys, so the JSON log
 * format (RELAY_LOG_FORMAT=json) writes them as fields while the text format's lines stay as they are.
 */
public final class LogFields {

  public static final String DESTINATION_ID = "destinationId";
  public static final String SOURCE_ID = "sourceId";
  public static final String MESSAGE_ID = "messageId";

  private LogFields() {}

  /**
   * {@code behavior} with {@code key = value} on every line logged while it handles a message: its
   * own and those Pekko writes about it (persistence failures, recovery).
   */
  public static <T> Behavior<T> tagged(Class<T> type, String key, String value, Behavior<T> behavior) {
    return Behaviors.withMdc(type, Map.of(key, value), behavior);
  }
}
