package dev.relay.readside;

import dev.relay.core.Problem;
import dev.relay.event.EventTypes;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** The filters and page of {@code GET /api/destinations/{id}/journal}, validated. */
record ActionLogQuery(
    Optional<ActionStatus> status,
    Optional<String> eventType,
    Optional<String> event,
    Optional<String> userId,
    Optional<String> messageId,
    Optional<Instant> from,
    Optional<Instant> to,
    int limit,
    Optional<Cursor> cursor) {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;

  private static final Set<String> KNOWN =
      Set.of("status", "eventType", "event", "userId", "messageId", "from", "to", "limit", "cursor");

  /** The query of these request parameters; an invalid {@link Problem} naming the first bad one. */
  static ActionLogQuery parse(Map<String, String> params) {
    rejectUnknown(params, KNOWN);
    Optional<ActionStatus> status =
        text(params, "status")
            .map(s -> ActionStatus.fromWire(s).orElseThrow(
                () -> Problem.invalid("status: must be one of " + ActionStatus.wireNames())));
    Optional<String> eventType = text(params, "eventType");
    if (eventType.isPresent() && !EventTypes.isKnown(eventType.get())) {
      throw Problem.invalid("eventType: must be one of " + String.join(", ", new TreeSet<>(EventTypes.ALL)));
    }
    Optional<Instant> from = time(params, "from");
    Optional<Instant> to = time(params, "to");
    if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
      throw Problem.invalid("from: must be before to");
    }
    return new ActionLogQuery(
        status,
        eventType,
        text(params, "event").map(ActionLogChanges::indexed),
        text(params, "userId").map(ActionLogChanges::indexed),
        text(params, "messageId").map(ActionLogChanges::indexed),
        from,
        to,
        limit(params),
        text(params, "cursor").map(Cursor::decode));
  }

  static void rejectUnknown(Map<String, String> params, Set<String> known) {
    for (String name : new TreeSet<>(params.keySet())) {
      if (!known.contains(name)) {
        throw Problem.invalid(name + ": unknown parameter; known: " + String.join(", ", new TreeSet<>(known)));
      }
    }
  }

  /** A parameter that must not be empty when given. */
  static Optional<String> text(Map<String, String> params, String name) {
    String value = params.get(name);
    if (value == null) {
      return Optional.empty();
    }
    if (value.isEmpty()) {
      throw Problem.invalid(name + ": must not be empty");
    }
    return Optional.of(value);
  }

  static Optional<Instant> time(Map<String, String> params, String name) {
    return text(params, name)
        .map(
            value -> {
              Instant instant = UtcTimes.parseOrNull(value);
              if (instant == null) {
                throw Problem.invalid(
                    name + ": '" + value + "' is not an ISO-8601 date-time such as 2025-01-31T12:00:00Z");
              }
              return instant;
            });
  }

  private static int limit(Map<String, String> params) {
    Optional<String> text = text(params, "limit");
    if (text.isEmpty()) {
      return DEFAULT_LIMIT;
    }
    try {
      int limit = Integer.parseInt(text.get());
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException notANumber) {
      // falls through to the refusal
    }
    throw Problem.invalid("limit: must be a whole number from 1 to " + MAX_LIMIT);
  }
}
