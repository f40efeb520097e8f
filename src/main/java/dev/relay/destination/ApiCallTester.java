package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.AsyncFailure;
import dev.relay.core.Problem;
import dev.relay.event.EventLimits;
import dev.relay.event.EventTypes;
import dev.relay.event.IngestParser;
import dev.relay.event.InvalidRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The API call tester: the event to send (given, or a sample of a type), checked and enriched
 * exactly as ingest does, then sent by the destination's entity through every matching action.
 */
public final class ApiCallTester {

  private final ClusterSharding sharding;
  private final IngestParser parser;
  private final ObjectMapper mapper;
  private final Duration timeout;
  private final Clock clock;

  public ApiCallTester(ActorSystem<?> system, ObjectMapper mapper, Duration timeout, Clock clock) {
    this.sharding = ClusterSharding.get(system);
    this.parser = new IngestParser(mapper, EventLimits.defaults());
    this.mapper = mapper;
    this.timeout = timeout;
    this.clock = clock;
  }

  /** The event a tester request asks for: {@code {"event": {...}}} or {@code {"type": "track"}}. */
  ObjectNode eventOf(JsonNode body) {
    ObjectNode event;
    String type;
    if (body.has("event")) {
      if (!body.get("event").isObject()) {
        throw Problem.invalid("event: must be an object");
      }
      event = (ObjectNode) body.get("event").deepCopy();
      type = event.path("type").asText(null);
      if (!EventTypes.isKnown(type)) {
        throw Problem.invalid("event.type: must be one of " + callTypes());
      }
    } else if (body.has("type")) {
      type = body.path("type").asText(null);
      event = SampleEvents.of(type == null ? "" : type, clock.instant())
          .orElseThrow(() -> Problem.invalid("type: must be one of " + callTypes()));
    } else {
      throw Problem.invalid("event: give \"event\" (an event) or \"type\" (for a sample event)");
    }
    try {
      return parser.parse(type, mapper.writeValueAsBytes(event), clock.instant()).events().get(0);
    } catch (InvalidRequest invalid) {
      throw Problem.invalid("event: " + invalid.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  CompletionStage<TestReport> send(String destinationId, ObjectNode event) {
    return sharding
        .entityRefFor(DestinationEntity.TYPE_KEY, destinationId)
        .<TestReport>ask(replyTo -> new DestinationCommand.SendTest(event, replyTo), timeout)
        .exceptionally(
            failure -> {
              throw AsyncFailure.timedOut(failure)
                  ? Problem.unavailable(
                      "destination " + destinationId + " did not finish the test in time; try again", failure)
                  : AsyncFailure.propagate(failure);
            })
        .thenApply(
            report -> {
              if (report.busy()) {
                throw Problem.busy(
                    "destination " + destinationId + " has as many test requests in flight as it may"
                        + " (relay.delivery.max-tests-in-flight); try again when they have finished");
              }
              return report;
            });
  }

  private static String callTypes() {
    return String.join(", ", new TreeSet<>(EventTypes.ALL));
  }
}
