package dev.relay.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.ActionDefinition;
import dev.relay.catalog.BatchReading;
import dev.relay.catalog.Catalog;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.Outcome;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.catalog.WebhookDestination;
import dev.relay.core.Problem;
import dev.relay.delivery.AddressPolicy;
import dev.relay.delivery.DeliverySettings;
import dev.relay.delivery.RetryPolicy;
import dev.relay.destination.DestinationCommand.Accept;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationReply.Accepted;
import dev.relay.mapping.MappingLimits;
import dev.relay.persistence.JournalFailureBackoff;
import dev.relay.testing.StandInDestination;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The destination protocol, with a hand-driven deliverer and clock. */
class DestinationEntityTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          EventSourcedBehaviorTestKit.config()
              .withFallback(
                  ConfigFactory.parseString(
                      // A plain local actor system: no remoting port to collide with a running node.
                      "pekko.actor.provider = local\n"
                          + "pekko.actor.serialization-bindings { \"dev.relay.core.CborSerializable\" = jackson-cbor }"))
              .withFallback(ConfigFactory.load()));

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Instant START = Instant.parse("2026-11-01T10:00:00Z");
  private static final Duration BASE = Duration.ofSeconds(1);
  private static final MappingLimits LIMITS = new MappingLimits(4096, 32, 65536);
  private static final Catalog CATALOG =
      new Catalog(List.of(new WebhookDestination(JSON), new PerEventResultsType()));

  /**
   * A batch API as Mixpanel's or Amplitude's: the answer names the indexes of the events it
   * refused ({@code {"failed": [1]}}); bodies over {@code maxBytes} are refused whole.
   */
  private static final class PerEventResultsType implements DestinationType {
    @Override public String type() { return "per-event"; }
    @Override public String name() { return "Per-event results"; }
    @Override public ObjectNode settingsSchema() { return json("{\"type\":\"object\"}"); }
    @Override public List<ActionDefinition> defaultActions() {
      return List.of(new ActionDefinition("Send", "send", "type = \"track\"", json("{\"@path\":\"$.\"}")));
    }
    @Override public int batchSize(JsonNode settings) { return settings.path("batchSize").asInt(1); }
    @Override public int maxRequestBytes(JsonNode settings, String actionType) { return settings.path("maxBytes").asInt(Integer.MAX_VALUE); }
    @Override public Duration timeout(JsonNode settings) { return Duration.ofSeconds(5); }
    @Override public OutgoingRequest buildRequest(JsonNode settings, String actionType, List<JsonNode> payloads) {
      return new OutgoingRequest("POST", "https://x.test/batch", Map.of(), JSON.createArrayNode().addAll(payloads).toString());
    }
    @Override public BatchReading readBatchResponse(int status, String body, int count) {
      if (status == 422) {
        return BatchReading.isolate();
      }
      if (status != 400) {
        return DestinationType.super.readBatchResponse(status, body, count);
      }
      Map<Integer, Outcome> failed = new java.util.HashMap<>();
      json(body).path("failed").forEach(i -> failed.put(i.asInt(), Outcome.FAILED));
      return BatchReading.except(Outcome.DELIVERED, failed);
    }
  }

  private final ScriptedDeliverer deliverer = new ScriptedDeliverer();
  private final TestClock clock = new TestClock(START);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private EventSourcedBehaviorTestKit<DestinationCommand, DestinationEvent, DestinationState> entity;
  private String destinationId;
  private static int counter;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void start() {
    entity = entityWithSnapshotsEvery(100);
  }

  private EventSourcedBehaviorTestKit<DestinationCommand, DestinationEvent, DestinationState> entityWithSnapshotsEvery(int events) {
    return entityWith(events, 100, 1_000_000);
  }

  private int probeAfter = 1000;
  /** Wraps the pending store the next entity gets (to hold one of its reads). */
  private UnaryOperator<PendingStore> pendingStore = store -> store;

  private EventSourcedBehaviorTestKit<DestinationCommand, DestinationEvent, DestinationState> entityWith(
      int snapshotEvery, int window, int maxPending) {
    int events = snapshotEvery;
    destinationId = "dst_test" + (++counter);
    DeliverySettings settings =
        new DeliverySettings(
            2, events, 1000, Duration.ofHours(24), 200, 10_000,
            new RetryPolicy(BASE, 3, Duration.ofHours(1), 0.0, Duration.ofMinutes(1)),
            65_536, 2, AddressPolicy.strict(), Duration.ofSeconds(10), window, maxPending,
            new DeliverySettings.Probing(probeAfter, Duration.ofSeconds(1), Duration.ofSeconds(4)));
    DestinationEntity.Setup setup =
        new DestinationEntity.Setup(
            CATALOG, deliverer, settings, new DestinationTags(4), clock, LIMITS,
            new JournalFailureBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2),
            new DestinationMetrics(meters, 100, clock),
            pendingStore.apply(new TestKitPendingStore(testKit.system())));
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), DestinationEntity.create(destinationId, setup, Optional.empty()));
  }

  // --- helpers -----------------------------------------------------------------------------

  private static ObjectNode json(String text) {
    try {
      return (ObjectNode) JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static ObjectNode track(String messageId, String event) {
    return json(
        "{\"type\":\"track\",\"event\":\"" + event + "\",\"userId\":\"u-1\",\"messageId\":\"" + messageId
            + "\",\"properties\":{\"revenue\":10}}");
  }

  private DestinationReply create(String settings) {
    return create("webhook", settings);
  }

  private DestinationReply create(String type, String settings) {
    CommandResultWithReply<DestinationCommand, DestinationEvent, DestinationState, DestinationReply> result =
        entity.runCommand(
            replyTo ->
                new DestinationCommand.Create("hook", type, json(settings), Optional.empty(), true, replyTo));
    return result.reply();
  }

  private CommandResultWithReply<DestinationCommand, DestinationEvent, DestinationState, StatusReply<Accepted>> accept(ObjectNode... events) {
    return entity.runCommand(replyTo -> new Accept(java.util.Arrays.stream(events).map(e -> new DestinationCommand.Incoming("src_1", e)).toList(), replyTo));
  }

  private DestinationReply run(Function<ActorRef<DestinationReply>, DestinationCommand> command) {
    return entity.<DestinationReply>runCommand(command::apply).reply();
  }

  private List<AttemptRecorded> attempts() {
    return PersistenceTestKit.create(testKit.system())
        .persistedInStorage("Destination|" + destinationId).stream()
        .filter(AttemptRecorded.class::isInstance)
        .map(AttemptRecorded.class::cast)
        .toList();
  }

  /** The first event of {@code type} in this destination's journal, once there is one. */
  private <T> T awaitJournaled(Class<T> type) {
    java.util.function.Supplier<Optional<T>> first = () ->
        PersistenceTestKit.create(testKit.system()).persistedInStorage("Destination|" + destinationId).stream()
            .filter(type::isInstance).map(type::cast).findFirst();
    StandInDestination.await(Duration.ofSeconds(15), "a " + type.getSimpleName(), () -> first.get().isPresent());
    return first.get().orElseThrow();
  }

  private AttemptRecorded awaitAttempt(int count) {
    // Polls with sleeps, not a spin: on two cores a spinning test thread slows the actors it waits for.
    StandInDestination.await(Duration.ofSeconds(15), count + " recorded attempts", () -> attempts().size() >= count);
    return attempts().get(count - 1);
  }

  /** The value of this destination's meter {@code name} with {@code tags}, or null if it has none. */
  private Double meter(String name, String... tags) {
    var search = meters.find(name).tag("destination", destinationId).tags(tags);
    Meter meter = search.meter();
    return meter == null ? null : meter.measure().iterator().next().getValue();
  }

  private void awaitMeter(double expected, String name, String... tags) {
    StandInDestination.await(
        Duration.ofSeconds(15), name + " " + List.of(tags) + " = " + expected,
        () -> Double.valueOf(expected).equals(meter(name, tags)));
  }

  // --- metrics -----------------------------------------------------------------------------

  @Test
  void metricsCountWhatIsJournaledOnceAndNotWhatRecoveryReplays() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"), track("m-2", "B"));
    ScriptedDeliverer.Sent first = deliverer.next();
    ScriptedDeliverer.Sent second = deliverer.next();
    first.answer(200);
    second.answer(503);
    awaitAttempt(2);

    awaitMeter(2, "relay.destination.actions.queued", "type", "webhook");
    awaitMeter(1, "relay.destination.actions.delivered");
    awaitMeter(1, "relay.destination.attempts", "outcome", "delivered", "status_class", "2xx");
    awaitMeter(1, "relay.destination.attempts", "outcome", "retry", "status_class", "5xx");
    awaitMeter(1, "relay.destination.actions.pending");
    awaitMeter(1, "relay.destination.actions.retrying");
    assertEquals(0.0, meter("relay.destination.actions.failed"));
    clock.advance(Duration.ofSeconds(90));
    assertEquals(90.0, meter("relay.destination.oldest.pending.age"), "queued at START, now 90 s later");

    // A stopped entity's series go with it; the restarted one's counters start from nothing, and
    // recovery, which replays every event, counts none of them again. The gauges are its state.
    entity.restart();
    awaitMeter(1, "relay.destination.actions.retrying");
    assertEquals(1.0, meter("relay.destination.actions.pending"));
    assertEquals(0.0, meter("relay.destination.actions.queued"));
    assertEquals(0.0, meter("relay.destination.actions.delivered"));
    assertEquals(null, meter("relay.destination.attempts", "outcome", "delivered", "status_class", "2xx"));
    accept(track("m-3", "C"));
    deliverer.next().answer(200);
    awaitMeter(1, "relay.destination.actions.delivered");
    assertEquals(1.0, meter("relay.destination.actions.queued"), "m-3 only: the replayed events are not counted");

    entity.<DestinationReply>runCommand(DestinationCommand.Delete::new);
    StandInDestination.await(
        Duration.ofSeconds(15), "the deleted destination's series removed",
        () -> meters.find("relay.destination.actions.queued").tag("destination", destinationId).meter() == null
            && meters.find("relay.destination.actions.pending").tag("destination", destinationId).meter() == null);
  }

  // --- configuration -----------------------------------------------------------------------

  @Test
  void createdWithTheTypesDefaultActionAndMaskedSecrets() {
    DestinationReply reply = create("{\"url\":\"https://x.test/\",\"headers\":{\"Authorization\":\"Bearer s3cret\"}}");
    DestinationView view = assertInstanceOf(DestinationReply.Ok.class, reply).destination();
    assertEquals("webhook", view.type());
    assertEquals(1, view.actions().size());
    assertEquals("Send", view.actions().get(0).name());
    assertEquals("********", view.settings().path("headers").path("Authorization").asText());
    assertEquals(
        "Bearer s3cret",
        entity.getState().config().settings().path("headers").path("Authorization").asText(),
        "the entity keeps the secret to deliver with");
  }

  @Test
  void invalidSettingsAreRefusedAndNothingIsJournaled() {
    CommandResultWithReply<DestinationCommand, DestinationEvent, DestinationState, DestinationReply> result =
        entity.runCommand(
            replyTo -> new DestinationCommand.Create("hook", "webhook", json("{\"method\":\"GET\"}"), Optional.empty(), true, replyTo));
    DestinationReply.Rejected rejected = assertInstanceOf(DestinationReply.Rejected.class, result.reply());
    assertEquals(Problem.Kind.INVALID, rejected.problem());
    assertTrue(rejected.message().contains("url"), rejected.message());
    assertTrue(result.hasNoEvents());
  }

  @Test
  void anUnknownTypeIsRefused() {
    DestinationReply reply =
        run(replyTo -> new DestinationCommand.Create("x", "carrier-pigeon", json("{}"), Optional.empty(), true, replyTo));
    assertEquals(Problem.Kind.INVALID, assertInstanceOf(DestinationReply.Rejected.class, reply).problem());
  }

  @Test
  void commandsToAnUnknownDestinationAnswerNotFound() {
    DestinationReply reply = run(DestinationCommand.Get::new);
    assertEquals(Problem.Kind.NOT_FOUND, assertInstanceOf(DestinationReply.Rejected.class, reply).problem());
  }

  // --- accepting work ----------------------------------------------------------------------

  @Test
  void acceptQueuesOneActionPerMatchAndRepliesOnceJournaled() {
    create("{\"url\":\"https://x.test/\"}");
    ObjectNode notMatching = json("{\"type\":\"unknown\",\"userId\":\"u\",\"messageId\":\"m-x\"}");
    var result = accept(track("m-1", "A"), track("m-2", "B"), notMatching);
    assertEquals(new Accepted(2, 0), result.reply().getValue());
    List<ActionQueued> queued = result.events().stream().map(ActionQueued.class::cast).toList();
    assertEquals(List.of("m-1", "m-2"), queued.stream().map(q -> q.event().path("messageId").asText()).toList());
    assertEquals("src_1", queued.get(0).sourceId());
  }

  @Test
  void aMessageIdAlreadyQueuedIsAcknowledgedButNotQueuedAgain() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    var again = accept(track("m-1", "A"), track("m-1", "A"), track("m-2", "B"));
    assertEquals(new Accepted(1, 2), again.reply().getValue());
    assertEquals(1, again.events().size());
  }

  @Test
  void aDisabledDestinationTakesNoNewWork() {
    create("{\"url\":\"https://x.test/\"}");
    run(DestinationCommand.Disable::new);
    var result = accept(track("m-1", "A"));
    assertEquals(new Accepted(0, 0), result.reply().getValue());
    assertTrue(result.hasNoEvents());
  }

  // --- delivering --------------------------------------------------------------------------

  @Test
  void aQueuedActionIsDeliveredWithTheCurrentMappingAndRecorded() {
    create("{\"url\":\"https://x.test/hook\",\"headers\":{\"Authorization\":\"Bearer s3cret\"}}");
    accept(track("m-1", "Order Completed"));
    ScriptedDeliverer.Sent sent = deliverer.next();
    assertEquals("https://x.test/hook", sent.request().url());
    assertEquals("Bearer s3cret", sent.request().headers().get("Authorization"), "sent with the credential");
    assertEquals("Order Completed", json(sent.request().body()).path("event").asText());
    sent.answer(200);

    AttemptRecorded recorded = awaitAttempt(1);
    assertEquals(Outcome.DELIVERED, recorded.items().get(0).outcome());
    assertEquals(1, recorded.items().get(0).attempt());
    assertEquals(Optional.of(200), recorded.responseStatus());
    assertEquals("[redacted]", recorded.request().headers().get("Authorization"), "recorded without it");
    assertEquals(0, entity.getState().pendingCount());
  }

  @Test
  void aServerErrorIsRetriedOnTheBackoffSchedule() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(500);
    AttemptRecorded first = awaitAttempt(1);
    assertEquals(Outcome.RETRY, first.items().get(0).outcome());
    assertEquals(Optional.of(START.plus(BASE)), first.items().get(0).nextAttemptAt());

    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.expectNothing(Duration.ofMillis(200));

    clock.advance(BASE);
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.next().answer(503);
    AttemptRecorded second = awaitAttempt(2);
    assertEquals(2, second.items().get(0).attempt());
    assertEquals(Optional.of(START.plus(BASE).plus(BASE.multipliedBy(2))), second.items().get(0).nextAttemptAt());
  }

  @Test
  void aDefinitiveRefusalFailsAtOnceWithoutRetry() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(400);
    AttemptRecorded recorded = awaitAttempt(1);
    assertEquals(Outcome.FAILED, recorded.items().get(0).outcome());
    assertEquals(Optional.empty(), recorded.items().get(0).nextAttemptAt());
    assertEquals(0, entity.getState().pendingCount());
    clock.advance(Duration.ofHours(1));
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.expectNothing(Duration.ofMillis(200));
  }

  @Test
  void theActionFailsAfterTheLastRetry() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    for (int attempt = 1; attempt <= 4; attempt++) {
      deliverer.next().refuseConnection();
      AttemptRecorded recorded = awaitAttempt(attempt);
      assertEquals(Optional.of("Connection refused"), recorded.error());
      Outcome expected = attempt <= 3 ? Outcome.RETRY : Outcome.FAILED;
      assertEquals(expected, recorded.items().get(0).outcome(), "attempt " + attempt);
      clock.advance(Duration.ofMinutes(10));
      entity.runCommand(new InternalCommand.DeliverDue());
    }
    deliverer.expectNothing(Duration.ofMillis(200));
    assertEquals(0, entity.getState().pendingCount());
  }

  @Test
  void aRefusedAddressFailsTheActionAtOnceWithTheReason() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    String reason = "refused to connect to 10.0.0.5: private address; see relay.delivery.allowed-networks";
    deliverer.next().refuseAddress(reason);
    AttemptRecorded recorded = awaitAttempt(1);
    assertEquals(Optional.of(reason), recorded.error());
    assertEquals(Outcome.FAILED, recorded.items().get(0).outcome(), "retrying cannot change the address");
    assertEquals(Optional.empty(), recorded.items().get(0).nextAttemptAt());
    assertEquals(0, entity.getState().pendingCount());
    clock.advance(Duration.ofHours(1));
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.expectNothing(Duration.ofMillis(200));
  }

  @Test
  void anIpLiteralThePolicyRefusesIsRefusedWhenSaved() {
    DestinationReply reply = create("{\"url\":\"http://10.0.0.5/h\"}");
    assertInstanceOf(DestinationReply.Rejected.class, reply);
    assertEquals(
        "url: refused to connect to 10.0.0.5: private address; see relay.delivery.allowed-networks",
        ((DestinationReply.Rejected) reply).message());
  }

  @Test
  void retryAfterIsHonoured() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(429, "30");
    AttemptRecorded recorded = awaitAttempt(1);
    assertEquals(Outcome.RETRY, recorded.items().get(0).outcome());
    assertEquals(Optional.of(START.plusSeconds(30)), recorded.items().get(0).nextAttemptAt());
  }

  @Test
  void aSettingsFixIsUsedByTheNextRetryOfAnEarlierAction() {
    create("{\"url\":\"https://broken.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(404);
    awaitAttempt(1);
    accept(track("m-2", "B"));
    deliverer.next().answer(503);
    awaitAttempt(2);

    DestinationReply patched = run(replyTo -> new DestinationCommand.UpdateSettings(json("{\"url\":\"https://fixed.test/\"}"), replyTo));
    assertEquals("https://fixed.test/", assertInstanceOf(DestinationReply.Ok.class, patched).destination().settings().path("url").asText());

    clock.advance(BASE);
    entity.runCommand(new InternalCommand.DeliverDue());
    ScriptedDeliverer.Sent retry = deliverer.next();
    assertEquals("https://fixed.test/", retry.request().url());
    assertEquals("m-2", json(retry.request().body()).path("messageId").asText());
  }

  @Test
  void aMappingChangeIsUsedByTheNextRetry() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(500);
    awaitAttempt(1);
    String actionId = entity.getState().config().actions().get(0).id();
    run(replyTo -> new DestinationCommand.UpdateAction(
        actionId, Optional.empty(), Optional.empty(), Optional.of(json("{\"@path\":\"$.properties\"}")), replyTo));
    clock.advance(BASE);
    entity.runCommand(new InternalCommand.DeliverDue());
    assertEquals(json("{\"revenue\":10}"), json(deliverer.next().request().body()));
  }

  @Test
  void aRetryWithTheBodyAsBeforeJournalsNoBodyAndAChangedBodyIsJournaledAgain() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    ScriptedDeliverer.Sent firstSent = deliverer.next();
    firstSent.answer(500);
    String sentFirst = firstSent.request().body();
    AttemptRecorded first = awaitAttempt(1);
    assertFalse(first.bodyAsBefore());
    assertEquals(sentFirst, first.request().body(), "the first attempt carries its body");

    clock.advance(BASE);
    entity.runCommand(new InternalCommand.DeliverDue());
    ScriptedDeliverer.Sent secondSent = deliverer.next();
    secondSent.answer(503);
    assertEquals(sentFirst, secondSent.request().body(), "the same request is sent again");
    AttemptRecorded second = awaitAttempt(2);
    assertTrue(second.bodyAsBefore());
    assertEquals("", second.request().body(), "a retry with the same body journals none");
    assertEquals("https://x.test/", second.request().url(), "only the body is left out");

    String actionId = entity.getState().config().actions().get(0).id();
    run(replyTo -> new DestinationCommand.UpdateAction(
        actionId, Optional.empty(), Optional.empty(), Optional.of(json("{\"@path\":\"$.properties\"}")), replyTo));
    clock.advance(BASE.multipliedBy(2));
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.next().answer(503);
    AttemptRecorded third = awaitAttempt(3);
    assertFalse(third.bodyAsBefore(), "the mapping changed the body");
    assertEquals(json("{\"revenue\":10}"), json(third.request().body()));

    // Recovered, the action still knows which body was journaled last (the pending table keeps it).
    entity.restart();
    clock.advance(BASE.multipliedBy(4));
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.next().answer(503);
    AttemptRecorded fourth = awaitAttempt(4);
    assertTrue(fourth.bodyAsBefore());
    assertEquals("", fourth.request().body());
  }

  @Test
  void aDisabledDestinationKeepsItsPendingWorkAndResumesOnEnable() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(500);
    awaitAttempt(1);
    run(DestinationCommand.Disable::new);
    clock.advance(Duration.ofMinutes(5));
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.expectNothing(Duration.ofMillis(200));
    assertEquals(1, entity.getState().pendingCount());

    run(DestinationCommand.Enable::new);
    ScriptedDeliverer.Sent resumed = deliverer.next();
    resumed.answer(200);
    assertEquals(Outcome.DELIVERED, awaitAttempt(2).items().get(0).outcome());
  }

  @Test
  void removingAnActionDiscardsItsPendingWork() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(500);
    awaitAttempt(1);
    var result =
        entity.<DestinationReply>runCommand(
            replyTo ->
                new DestinationCommand.ReplaceActions(
                    List.of(new ActionConfig(null, "Orders", "send", "event = \"Order Completed\"", json("{\"@path\":\"$.\"}"), true)),
                    replyTo));
    assertInstanceOf(DestinationEvent.ActionsReplaced.class, result.events().get(0));
    // Discarded next, a page at a time from the pending table.
    ActionDiscarded discarded = awaitJournaled(ActionDiscarded.class);
    assertEquals(1, discarded.itemIds().size());
    assertEquals("action removed or disabled", discarded.reason());
    assertEquals(0, entity.getState().pendingCount());
  }

  @Test
  void deletingDiscardsPendingWork() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(500);
    awaitAttempt(1);
    var result = entity.<DestinationReply>runCommand(DestinationCommand.Delete::new);
    assertInstanceOf(DestinationEvent.DestinationDeleted.class, result.events().get(0));
    ActionDiscarded discarded = awaitJournaled(ActionDiscarded.class);
    assertEquals(1, discarded.itemIds().size());
    assertEquals("destination deleted", discarded.reason());
    assertEquals(Problem.Kind.NOT_FOUND,
        assertInstanceOf(DestinationReply.Rejected.class, run(DestinationCommand.Get::new)).problem());
  }

  @Test
  void aReplayQueuesAFinishedActionAgainWithAFreshBudgetAndSkipsWhatItCannotReplay() {
    create("{\"url\":\"https://x.test/\"}");
    String failed = ((ActionQueued) accept(track("m-1", "A")).events().get(0)).itemId();
    deliverer.next().answer(400);
    awaitAttempt(1);
    ActionQueued retrying = (ActionQueued) accept(track("m-2", "B")).events().get(0);
    deliverer.next().answer(500);
    awaitAttempt(2);

    var result = entity.<DestinationReply>runCommand(replyTo -> new DestinationCommand.Replay(
        List.of(
            new DestinationCommand.ReplayOf(failed, retrying.actionId(), "src_1", track("m-1", "A")),
            new DestinationCommand.ReplayOf(failed, retrying.actionId(), "src_1", track("m-1", "A")),
            new DestinationCommand.ReplayOf(retrying.itemId(), retrying.actionId(), "src_1", track("m-2", "B")),
            new DestinationCommand.ReplayOf("itm_gone", "act_gone", "src_1", track("m-3", "C"))),
        replyTo));

    DestinationReply.Replayed replayed = assertInstanceOf(DestinationReply.Replayed.class, result.reply());
    assertEquals(Set.of(failed), replayed.replayedAs().keySet(), "once, though named twice");
    assertEquals(Set.of(retrying.itemId(), "itm_gone"), replayed.skipped().keySet());
    assertEquals(2, replayed.pending());
    DestinationEvent.ActionReplayed event = assertInstanceOf(DestinationEvent.ActionReplayed.class, result.events().get(0));
    assertEquals(1, result.events().size());
    assertEquals(failed, event.originalItemId());
    assertEquals(replayed.replayedAs().get(failed), event.itemId());
    assertEquals(0, entity.getState().pending(event.itemId()).orElseThrow().attempts(), "a fresh retry budget");

    deliverer.next().answer(200);
    AttemptRecorded delivered = awaitAttempt(3);
    assertEquals(event.itemId(), delivered.items().get(0).itemId());
    assertEquals(Outcome.DELIVERED, delivered.items().get(0).outcome());
    var asked = entity.<DestinationReply>runCommand(replyTo -> new DestinationCommand.Replay(List.of(), replyTo));
    assertEquals(List.of(), asked.events());
    assertEquals(1, assertInstanceOf(DestinationReply.Replayed.class, asked.reply()).pending(), "only the retrying one");
  }

  @Test
  void noMoreThanMaxInFlightRequestsAtOnce() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"), track("m-2", "B"), track("m-3", "C"));
    ScriptedDeliverer.Sent first = deliverer.next();
    ScriptedDeliverer.Sent second = deliverer.next();
    deliverer.expectNothing(Duration.ofMillis(200));
    first.answer(200);
    deliverer.next().answer(200);
    second.answer(200);
    awaitAttempt(3);
    assertEquals(0, entity.getState().pendingCount());
  }

  @Test
  void aRateLimitHoldsDueWorkInTheQueueWithoutCountingItAsAnAttempt() {
    create("{\"url\":\"https://x.test/\",\"rateLimit\":{\"requestsPerSecond\":1}}");
    accept(track("m-1", "A"), track("m-2", "B"));
    deliverer.next().answer(200);
    awaitAttempt(1);
    // A slot is free and m-2 is due, but the second's one request is spent.
    deliverer.expectNothing(Duration.ofMillis(300));
    assertEquals(1, attempts().size());
    assertEquals(1, entity.getState().pendingCount());
    DestinationState.PendingAction held = entity.getState().pendingActions().get(0);
    assertEquals(0, held.attempts(), "held back, not attempted");

    clock.advance(Duration.ofSeconds(1));
    ScriptedDeliverer.Sent next = deliverer.next(); // the timer for the next token fires
    assertEquals(held.messageId(), json(next.request().body()).path("messageId").asText());
  }

  @Test
  void dueActionsGoTogetherUpToTheBatchSize() {
    create("{\"url\":\"https://x.test/\",\"batchSize\":3}");
    run(DestinationCommand.Disable::new);
    run(DestinationCommand.Enable::new);
    // Queue while no slot is free, so the next attempt finds four due actions.
    accept(track("m-0", "Z"));
    ScriptedDeliverer.Sent single = deliverer.next();
    accept(track("m-1", "A"), track("m-2", "B"), track("m-3", "C"), track("m-4", "D"));
    ScriptedDeliverer.Sent batch = deliverer.next();
    assertEquals(3, json(batch.request().body()).path("batch").size());
    single.answer(200);
    batch.answer(200);
    ScriptedDeliverer.Sent rest = deliverer.next();
    assertEquals(1, json(rest.request().body()).path("batch").size());
    rest.answer(200);
    awaitAttempt(3);
    long delivered = attempts().stream().flatMap(a -> a.items().stream()).filter(i -> i.outcome() == Outcome.DELIVERED).count();
    assertEquals(5, delivered);
  }

  @Test
  void aBatchAnswered413IsRetriedAtOnceInHalvesAndLaterBatchesStayHalved() {
    create("{\"url\":\"https://x.test/\",\"batchSize\":4}");
    accept(track("m-1", "A"), track("m-2", "B"), track("m-3", "C"), track("m-4", "D"));
    ScriptedDeliverer.Sent whole = deliverer.next();
    assertEquals(4, json(whole.request().body()).path("batch").size());
    whole.answer(413);
    AttemptRecorded refused = awaitAttempt(1);
    assertTrue(refused.items().stream().allMatch(i -> i.outcome() == Outcome.RETRY && i.nextAttemptAt().equals(Optional.of(START))),
        "every item retried at once: " + refused.items());

    // No clock advance: the halves are due now.
    ScriptedDeliverer.Sent first = deliverer.next();
    ScriptedDeliverer.Sent second = deliverer.next();
    assertEquals(2, json(first.request().body()).path("batch").size());
    assertEquals(2, json(second.request().body()).path("batch").size());
    first.answer(200);
    second.answer(200);
    awaitAttempt(3);
    assertEquals(0, entity.getState().pendingCount());
    assertTrue(attempts().subList(1, 3).stream().flatMap(a -> a.items().stream())
        .allMatch(i -> i.outcome() == Outcome.DELIVERED && i.attempt() == 2));

    accept(track("m-5", "E"), track("m-6", "F"), track("m-7", "G"), track("m-8", "H"));
    assertEquals(2, json(deliverer.next().request().body()).path("batch").size(), "the split size is kept");
  }

  @Test
  void aSingleEventAnswered413Fails() {
    create("{\"url\":\"https://x.test/\",\"batchSize\":4}");
    accept(track("m-1", "A"));
    deliverer.next().answer(413);
    assertEquals(Outcome.FAILED, awaitAttempt(1).items().get(0).outcome());
    assertEquals(0, entity.getState().pendingCount());
  }

  @Test
  void aBatchAnswerNamingFailedEventsFailsOnlyThoseAndDeliversTheRest() {
    create("per-event", "{\"batchSize\":4}");
    accept(track("m-1", "A"), track("m-2", "B"), track("m-3", "C"), track("m-4", "D"));
    ScriptedDeliverer.Sent sent = deliverer.next();
    assertEquals(4, json("{\"b\":" + sent.request().body() + "}").path("b").size());
    sent.answerWithBody(400, "{\"failed\":[1,3]}");
    AttemptRecorded recorded = awaitAttempt(1);
    assertEquals(
        List.of(Outcome.DELIVERED, Outcome.FAILED, Outcome.DELIVERED, Outcome.FAILED),
        recorded.items().stream().map(DestinationEvent.ItemOutcome::outcome).toList());
    assertEquals(0, entity.getState().pendingCount());
    deliverer.expectNothing(Duration.ofMillis(200));
  }

  @Test
  void aBatchOverTheTypesByteLimitIsSplitBeforeSendingAndAnEventOverItFailsUnsent() {
    // Each tracked event maps to about 120 bytes: two fit in 300, four do not.
    create("per-event", "{\"batchSize\":4,\"maxBytes\":300}");
    accept(track("m-1", "A"), track("m-2", "B"), track("m-3", "C"), track("m-4", "D"));
    ScriptedDeliverer.Sent first = deliverer.next();
    ScriptedDeliverer.Sent second = deliverer.next();
    AttemptRecorded unsent = attempts().get(0);
    assertTrue(unsent.responseStatus().isEmpty(), "the whole batch was not sent");
    assertTrue(unsent.error().orElseThrow().contains("exceeds"), unsent.error().orElseThrow());
    assertEquals(2, json("{\"b\":" + first.request().body() + "}").path("b").size());
    first.answer(200);
    second.answer(200);
    awaitAttempt(3);
    assertEquals(0, entity.getState().pendingCount());

    ObjectNode big = track("m-9", "X");
    big.putObject("properties").put("padding", "x".repeat(400));
    accept(big);
    assertEquals(Outcome.FAILED, awaitAttempt(4).items().get(0).outcome());
    deliverer.expectNothing(Duration.ofMillis(200));
  }

  @Test
  void aBatchRefusedWholeIsNarrowedDownUntilTheRefusedEventFailsAloneAndTheOthersAreDelivered() {
    create("per-event", "{\"batchSize\":4}");
    accept(track("m-1", "A"), track("m-2", "BAD"), track("m-3", "C"), track("m-4", "D"));
    int requests = 0;
    while (entity.getState().pendingCount() > 0 || requests == 0) {
      ScriptedDeliverer.Sent sent = deliverer.next();
      requests++;
      // The vendor refuses any batch holding the bad event, without saying which it is.
      sent.answer(sent.request().body().contains("BAD") ? 422 : 200);
      awaitAttempt(requests);
    }
    List<DestinationEvent.ItemOutcome> outcomes = attempts().stream().flatMap(a -> a.items().stream()).toList();
    assertEquals(1, outcomes.stream().filter(o -> o.outcome() == Outcome.FAILED).count(), outcomes.toString());
    assertEquals(3, outcomes.stream().filter(o -> o.outcome() == Outcome.DELIVERED).count(), outcomes.toString());
    assertEquals(5, requests, "4, then 2 + 2, then 1 + 1");

    accept(track("m-5", "E"), track("m-6", "F"), track("m-7", "G"), track("m-8", "H"));
    assertEquals(4, json("{\"b\":" + deliverer.next().request().body() + "}").path("b").size(), "later batches are whole again");
  }

  // --- the API call tester ----------------------------------------------------------------

  @Test
  void aTestCallIsSentOnceAndJournaledAsTestTraffic() throws Exception {
    create("{\"url\":\"https://x.test/\",\"headers\":{\"Authorization\":\"Bearer s3cret\"}}");
    var reply = testKit.<TestReport>createTestProbe();
    entity.runCommand(new DestinationCommand.SendTest(track("m-test", "Tested"), reply.ref()));
    ScriptedDeliverer.Sent sent = deliverer.next();
    sent.answer(201);
    TestReport.Result result = reply.receiveMessage(Duration.ofSeconds(5)).results().get(0);
    assertEquals(Outcome.DELIVERED, result.outcome());
    assertEquals(Optional.of(201), result.status());
    assertEquals("[redacted]", result.request().headers().get("Authorization"));
    assertEquals("Tested", json(result.request().body()).path("event").asText());

    List<Object> journal = PersistenceTestKit.create(testKit.system()).persistedInStorage("Destination|" + destinationId);
    ActionQueued queued = journal.stream().filter(ActionQueued.class::isInstance).map(ActionQueued.class::cast).findFirst().orElseThrow();
    assertTrue(queued.test());
    assertEquals(result.itemId(), awaitAttempt(1).items().get(0).itemId());
    assertEquals(0, entity.getState().pendingCount(), "a test call is never queued");
    assertFalse(entity.getState().seen("m-test"), "nor remembered for de-duplication");
  }

  @Test
  void aFailingTestCallIsReportedFailedAndNeverRetried() {
    create("{\"url\":\"https://x.test/\"}");
    var reply = testKit.<TestReport>createTestProbe();
    entity.runCommand(new DestinationCommand.SendTest(track("m-test", "Tested"), reply.ref()));
    deliverer.next().answer(503);
    TestReport.Result result = reply.receiveMessage(Duration.ofSeconds(5)).results().get(0);
    assertEquals(Outcome.FAILED, result.outcome());
    assertEquals(Outcome.FAILED, awaitAttempt(1).items().get(0).outcome());
    clock.advance(Duration.ofHours(1));
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.expectNothing(Duration.ofMillis(200));
  }

  @Test
  void testRequestsBeyondTheBoundAreRefusedBusyWithoutSendingOrJournaling() {
    create("{\"url\":\"https://x.test/\"}"); // max-tests-in-flight is 2 here
    var first = testKit.<TestReport>createTestProbe();
    var second = testKit.<TestReport>createTestProbe();
    var third = testKit.<TestReport>createTestProbe();
    entity.runCommand(new DestinationCommand.SendTest(track("m-t1", "Tested"), first.ref()));
    entity.runCommand(new DestinationCommand.SendTest(track("m-t2", "Tested"), second.ref()));
    ScriptedDeliverer.Sent one = deliverer.next();
    ScriptedDeliverer.Sent two = deliverer.next();
    long queuedBefore = journaled(ActionQueued.class);

    entity.runCommand(new DestinationCommand.SendTest(track("m-t3", "Tested"), third.ref()));
    TestReport refused = third.receiveMessage(Duration.ofSeconds(5));
    assertTrue(refused.busy());
    assertTrue(refused.results().isEmpty());
    deliverer.expectNothing(Duration.ofMillis(200));
    assertEquals(queuedBefore, journaled(ActionQueued.class), "nothing journaled for a refused test");

    one.answer(200);
    assertFalse(first.receiveMessage(Duration.ofSeconds(5)).busy());
    entity.runCommand(new DestinationCommand.SendTest(track("m-t4", "Tested"), third.ref()));
    deliverer.next().answer(200);
    assertEquals(Outcome.DELIVERED, third.receiveMessage(Duration.ofSeconds(5)).results().get(0).outcome(), "a freed slot is usable again");
    two.answer(200);
    assertFalse(second.receiveMessage(Duration.ofSeconds(5)).busy());
  }

  @Test
  void aTestWithMoreActionsThanTheBoundRunsAloneButNotBesideAnother() {
    create("{\"url\":\"https://x.test/\"}");
    List<ActionConfig> actions = new java.util.ArrayList<>();
    for (String name : List.of("Send", "Again", "Third")) {
      actions.add(new ActionConfig(null, name, "send", "type = \"track\"", json("{\"@path\":\"$.\"}"), true));
    }
    run(replyTo -> new DestinationCommand.ReplaceActions(actions, replyTo));
    var wide = testKit.<TestReport>createTestProbe();
    var other = testKit.<TestReport>createTestProbe();
    entity.runCommand(new DestinationCommand.SendTest(track("m-w", "Tested"), wide.ref()));
    List<ScriptedDeliverer.Sent> three = List.of(deliverer.next(), deliverer.next(), deliverer.next());
    entity.runCommand(new DestinationCommand.SendTest(track("m-o", "Tested"), other.ref()));
    assertTrue(other.receiveMessage(Duration.ofSeconds(5)).busy());
    three.forEach(sent -> sent.answer(200));
    assertEquals(3, wide.receiveMessage(Duration.ofSeconds(5)).results().size());
  }

  private long journaled(Class<?> type) {
    return PersistenceTestKit.create(testKit.system()).persistedInStorage("Destination|" + destinationId).stream()
        .filter(type::isInstance).count();
  }

  @Test
  void aTestEventNoActionMatchesSendsNothing() {
    create("{\"url\":\"https://x.test/\"}");
    var reply = testKit.<TestReport>createTestProbe();
    entity.runCommand(new DestinationCommand.SendTest(json("{\"type\":\"other\",\"userId\":\"u\"}"), reply.ref()));
    assertTrue(reply.receiveMessage(Duration.ofSeconds(5)).results().isEmpty());
    deliverer.expectNothing(Duration.ofMillis(100));
  }

  // --- the backlog: pending actions in the table, a window of them in memory ------------------

  @Test
  void onlyAWindowOfPendingActionsIsInMemoryAndItRefillsInDueOrder() {
    entity = entityWith(100, 4, 1_000_000);
    create("{\"url\":\"https://x.test/\"}");
    ObjectNode[] events = new ObjectNode[12];
    for (int i = 0; i < events.length; i++) {
      events[i] = track(String.format("m-%02d", i), "A");
      accept(events[i]);
      clock.advance(Duration.ofMillis(1)); // due order is queue order; ties go by item id
    }
    assertEquals(12, entity.getState().pendingCount());
    // The window of 4, besides what is in flight: at most 2 requests of one action each.
    int inMemory = 4 + 2;
    assertTrue(entity.getState().pendingActions().size() <= inMemory, entity.getState().pendingActions().toString());

    List<String> sent = new ArrayList<>();
    for (int i = 0; i < events.length; i++) {
      ScriptedDeliverer.Sent request = deliverer.next();
      sent.add(json(request.request().body()).path("messageId").asText());
      request.answer(200);
      awaitAttempt(i + 1);
      assertTrue(entity.getState().pendingActions().size() <= inMemory, "at most the window and what is in flight in memory");
    }
    // Two in flight at once, answered one by one: each is sent in the order it was queued.
    assertEquals(java.util.Arrays.stream(events).map(e -> e.path("messageId").asText()).toList(), sent);
    assertEquals(0, entity.getState().pendingCount());
  }

  @Test
  void aRetryBeyondTheWindowWaitsInTheTableAndComesBackWhenDue() {
    entity = entityWith(100, 4, 1_000_000);
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-first", "A"));
    deliverer.next().answer(503); // retried in BASE
    awaitAttempt(1);
    ObjectNode[] later = new ObjectNode[6];
    for (int i = 0; i < later.length; i++) {
      later[i] = track("m-" + i, "A");
    }
    accept(later);
    for (int i = 0; i < later.length; i++) {
      deliverer.next().answer(200);
      awaitAttempt(i + 2);
    }
    assertEquals(1, entity.getState().pendingCount(), "only the retry is left");
    clock.advance(BASE);
    entity.runCommand(new InternalCommand.DeliverDue());
    ScriptedDeliverer.Sent retry = deliverer.next();
    assertEquals("m-first", json(retry.request().body()).path("messageId").asText());
    retry.answer(200);
    assertEquals(Outcome.DELIVERED, awaitAttempt(8).items().get(0).outcome());
    assertEquals(2, awaitAttempt(8).items().get(0).attempt());
  }

  @Test
  void recoveryLoadsOnlyTheWindowAndDeliversAtOnce() {
    entity = entityWith(100, 4, 1_000_000);
    create("{\"url\":\"https://x.test/\"}");
    ObjectNode[] events = new ObjectNode[20];
    for (int i = 0; i < events.length; i++) {
      events[i] = track("m-" + i, "A");
      accept(events[i]);
      clock.advance(Duration.ofMillis(1));
    }
    deliverer.next(); // two in flight, never answered
    deliverer.next();
    entity.restart();
    assertEquals(20, entity.getState().pendingCount());
    assertTrue(entity.getState().pendingActions().size() <= 4, entity.getState().pendingActions().toString());
    assertEquals("m-0", json(deliverer.next().request().body()).path("messageId").asText(), "the oldest first, again");
  }

  @Test
  void recoveryDeliversItsFirstWindowBeforeTheBacklogIsCountedAndHoldsNewWorkUntilTheCount() {
    CompletableFuture<Void> countMayAnswer = new CompletableFuture<>();
    pendingStore = store -> new HeldCount(store, countMayAnswer);
    entity = entityWith(100, 4, 1_000_000);
    create("{\"url\":\"https://x.test/\"}");
    for (int i = 0; i < 20; i++) {
      accept(track("m-" + i, "A"));
      clock.advance(Duration.ofMillis(1));
    }
    deliverer.next(); // two in flight, never answered
    deliverer.next();
    entity.restart();
    // Counting scans the whole backlog (seconds at millions): delivery does not wait for it.
    assertEquals("m-0", json(deliverer.next().request().body()).path("messageId").asText(), "delivering, still uncounted");
    TestProbe<StatusReply<Accepted>> accepted = testKit.createTestProbe();
    entity.runCommand(new Accept(List.of(new DestinationCommand.Incoming("src_1", track("m-new", "A"))), accepted.ref()));
    accepted.expectNoMessage(Duration.ofMillis(300)); // its cap is checked against the count
    countMayAnswer.complete(null);
    assertTrue(accepted.receiveMessage().isSuccess());
    assertEquals(21, entity.getState().pendingCount());
  }

  /** A pending store whose counts answer only once {@code gate} completes. */
  private record HeldCount(PendingStore store, CompletableFuture<Void> gate) implements PendingStore {
    @Override
    public CompletionStage<Page> load(String destinationId, int limit, boolean counted) {
      return store.load(destinationId, limit, counted);
    }

    @Override
    public CompletionStage<Counts> count(String destinationId) {
      return store.count(destinationId).thenCombine(gate, (counts, open) -> counts);
    }

    @Override
    public CompletionStage<List<String>> pendingOf(String destinationId, Collection<String> actionIds, boolean except, int limit) {
      return store.pendingOf(destinationId, actionIds, except, limit);
    }

    @Override
    public CompletionStage<Set<String>> pendingAmong(String destinationId, Collection<String> itemIds) {
      return store.pendingAmong(destinationId, itemIds);
    }
  }

  @Test
  void actionsQueuedLaterHaveLaterSortingItemIds() {
    create("{\"url\":\"https://x.test/\"}");
    List<String> itemIds = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      accept(track("m-" + i, "A")).events().stream()
          .filter(ActionQueued.class::isInstance).forEach(e -> itemIds.add(((ActionQueued) e).itemId()));
    }
    // Their rows (relay_pending, the action log) are then added at the end of their indexes.
    assertEquals(50, itemIds.size());
    assertEquals(itemIds.stream().sorted().toList(), itemIds);
  }

  @Test
  void beyondMaxPendingNewActionsAreJournaledAsDiscardedBacklogFull() {
    entity = entityWith(100, 100, 3);
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"), track("m-2", "A"));
    var result = accept(track("m-3", "A"), track("m-4", "A"), track("m-5", "A"));
    assertTrue(result.reply().isSuccess(), "the source is never refused for it");
    ActionDiscarded discarded = assertInstanceOf(ActionDiscarded.class, result.events().get(3));
    assertEquals("backlog full", discarded.reason());
    List<String> queuedIds = result.events().stream()
        .filter(ActionQueued.class::isInstance).map(e -> ((ActionQueued) e).itemId()).toList();
    assertEquals(queuedIds.subList(1, 3), discarded.itemIds(), "what exceeds the cap, the newest");
    assertEquals(3, entity.getState().pendingCount());
    awaitMeter(2, "relay.destination.actions.discarded");
  }

  @Test
  void anOlderVersionsPendingActionsAreCarriedIntoTheTableAndDelivered() {
    ObjectNode event = track("m-old", "A");
    ActionConfig action = new ActionConfig("act_1", "Send", "send", "type = \"track\"", json("{\"@path\":\"$.\"}"), true);
    awaitEmptyRecovery();
    PersistenceTestKit.create(testKit.system()).persistForRecovery(
        "Destination|" + destinationId,
        List.of(
            new DestinationEvent.DestinationCreated(
                destinationId, "old", "webhook", json("{\"url\":\"https://x.test/\"}"), List.of(action), true, START),
            new ActionQueued("itm_old", "act_1", "Send", "src_1", event, START, false)));
    entity.restart();
    DestinationEvent.PendingCarriedOver carried = awaitJournaled(DestinationEvent.PendingCarriedOver.class);
    assertTrue(carried.last());
    assertEquals(List.of("itm_old"), carried.actions().stream().map(DestinationState.PendingAction::itemId).toList());
    ScriptedDeliverer.Sent sent = deliverer.next();
    assertEquals("m-old", json(sent.request().body()).path("messageId").asText());
    sent.answer(200);
    assertEquals(Outcome.DELIVERED, awaitAttempt(1).items().get(0).outcome());
    assertEquals(0, entity.getState().pendingCount());
  }

  @Test
  void anOlderVersionsSnapshotWithPendingActionsAndWholeMessageIdsIsCarriedOverAndStillDeduplicates() {
    ObjectNode event = track("m-old", "A");
    ActionConfig action = new ActionConfig("act_1", "Send", "send", "type = \"track\"", json("{\"@path\":\"$.\"}"), true);
    DestinationEvent.DestinationCreated created =
        new DestinationEvent.DestinationCreated(destinationId, "old", "webhook", json("{\"url\":\"https://x.test/\"}"), List.of(action), true, START);
    ActionQueued queued = new ActionQueued("itm_old", "act_1", "Send", "src_1", event, START, false);
    String pid = "Destination|" + destinationId;
    awaitEmptyRecovery();
    PersistenceTestKit.create(testKit.system()).persistForRecovery(pid, List.of(created, queued));
    DestinationState.Snapshot old =
        new DestinationState.Snapshot(
            DestinationConfig.of(created), false,
            List.of(new DestinationState.PendingAction("itm_old", "act_1", "m-old", event, 0, START, START, null)),
            List.of(new DestinationState.SeenMessage("m-old", START)), false);
    org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit.create(testKit.system())
        .persistForRecovery(pid, List.of(org.apache.pekko.japi.Pair.create(
            new org.apache.pekko.persistence.testkit.SnapshotMeta(2, START.toEpochMilli()), (Object) old)));
    entity.restart();
    assertEquals(List.of("itm_old"),
        awaitJournaled(DestinationEvent.PendingCarriedOver.class).actions().stream().map(DestinationState.PendingAction::itemId).toList());
    ScriptedDeliverer.Sent sent = deliverer.next();
    assertEquals("m-old", json(sent.request().body()).path("messageId").asText());
    sent.answer(200);
    awaitAttempt(1);
    assertEquals(1, accept(track("m-old", "A")).reply().getValue().duplicates(), "its messageId still remembered");
  }

  /**
   * Waits until the entity started for the test has recovered its empty journal: journal written for
   * recovery before that would be recovered by it too, and the test would talk to two incarnations.
   */
  private void awaitEmptyRecovery() {
    assertEquals(0, entity.getState().pendingCount());
  }

  // --- a destination down: probed, not hammered ----------------------------------------------

  @Test
  void aDestinationDownIsProbedOneRequestAtATimeAndFullRateResumesWhenAProbeSucceeds() {
    probeAfter = 2;
    entity = entityWith(100, 100, 1_000_000);
    create("{\"url\":\"https://x.test/\"}");
    for (int i = 0; i < 8; i++) {
      accept(track("m-" + i, "A"));
      clock.advance(Duration.ofMillis(1));
    }
    deliverer.next().answer(503);
    awaitAttempt(1);
    ScriptedDeliverer.Sent third = deliverer.next(); // one failure: the slot is used again
    deliverer.next().answer(503); // two in a row: down
    awaitAttempt(2);
    deliverer.expectNothing(Duration.ofMillis(300)); // five actions due, none sent
    third.answer(503); // started before: answered as usual
    awaitAttempt(3);
    deliverer.expectNothing(Duration.ofMillis(300));

    clock.advance(Duration.ofSeconds(1)); // the first probe's pause
    entity.runCommand(new InternalCommand.DeliverDue());
    ScriptedDeliverer.Sent probe = deliverer.next();
    deliverer.expectNothing(Duration.ofMillis(300)); // one at a time
    probe.answer(503);
    awaitAttempt(4);
    clock.advance(Duration.ofSeconds(1));
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.expectNothing(Duration.ofMillis(300)); // the pause doubled: 2 s now

    clock.advance(Duration.ofSeconds(1));
    entity.runCommand(new InternalCommand.DeliverDue());
    deliverer.next().answer(200); // up again
    awaitAttempt(5);
    List<ScriptedDeliverer.Sent> rest = new ArrayList<>();
    for (int i = 0; i < 7; i++) { // the other seven, two at a time again
      ScriptedDeliverer.Sent sent = deliverer.next();
      rest.add(sent);
      sent.answer(200);
    }
    awaitAttempt(12);
    assertEquals(0, entity.getState().pendingCount());
    java.util.Map<String, Integer> attemptsOf = new java.util.HashMap<>();
    attempts().forEach(a -> a.items().forEach(i -> attemptsOf.merge(i.itemId(), 1, Integer::sum)));
    assertEquals(4, attemptsOf.values().stream().filter(n -> n == 1).count(),
        "the four held back from the start were attempted once, when the destination was back: no retry used");
  }

  @Test
  void actionsHeldBackWhileTheDestinationIsDownAreDiscardedOnceTheirRetryWindowIsPast() {
    probeAfter = 1;
    entity = entityWith(100, 100, 1_000_000);
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"), track("m-2", "A"));
    deliverer.next().answer(503);
    deliverer.next().answer(503);
    awaitAttempt(2);
    clock.advance(Duration.ofHours(1).plusSeconds(1)); // past the test policy's one-hour window
    entity.runCommand(new InternalCommand.DeliverDue());
    ActionDiscarded discarded = awaitJournaled(ActionDiscarded.class);
    assertEquals(2, discarded.itemIds().size());
    assertTrue(discarded.reason().contains("retry window passed while the destination was down"), discarded.reason());
    assertEquals(0, entity.getState().pendingCount());
  }

  // --- recovery ----------------------------------------------------------------------------

  @Test
  void afterARestartAnAttemptInFlightIsMadeAgain() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    ScriptedDeliverer.Sent lost = deliverer.next();
    entity.restart();
    ScriptedDeliverer.Sent again = deliverer.next();
    assertEquals(lost.request().body(), again.request().body());
    again.answer(200);
    assertEquals(Outcome.DELIVERED, awaitAttempt(1).items().get(0).outcome());
    lost.answer(200); // the old incarnation's answer goes nowhere
    assertEquals(0, entity.getState().pendingCount());
  }

  @Test
  void afterARestartTheRetryTimerIsArmedAgain() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(500);
    awaitAttempt(1);
    entity.restart();
    deliverer.expectNothing(Duration.ofMillis(200));
    clock.advance(BASE);
    // The timer the recovered entity armed fires (in about BASE of real time) and finds it due.
    ScriptedDeliverer.Sent retry = deliverer.next();
    assertEquals("m-1", json(retry.request().body()).path("messageId").asText());
    assertFalse(entity.getState().pendingActions().isEmpty());
  }

  @Test
  void anAnswerToARequestStartedBeforeAnInPlaceRestartIsIgnored() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    ScriptedDeliverer.Sent before = deliverer.next(); // in flight across the restart

    // A failed journal write restarts the entity in place, after the journal-failure backoff.
    PersistenceTestKit.create(testKit.system())
        .failNextPersisted("Destination|" + destinationId, new IllegalStateException("database away"));
    TestProbe<StatusReply<DestinationReply.Accepted>> unanswered = testKit.createTestProbe();
    entity.runCommand(new Accept(List.of(new DestinationCommand.Incoming("src_1", track("m-2", "B"))), unanswered.ref()));
    // Recovered, it makes the attempt it had in flight again.
    ScriptedDeliverer.Sent again = deliverer.next();
    assertEquals("m-1", json(again.request().body()).path("messageId").asText());

    before.answer(200); // the old request's answer: from a life of the entity that is over
    again.answer(500);
    AttemptRecorded recorded = awaitAttempt(1);
    assertEquals(Outcome.RETRY, recorded.items().get(0).outcome(), "only the new request's answer is recorded");
    deliverer.expectNothing(Duration.ofMillis(300));
    assertEquals(1, attempts().size());
    assertEquals(1, entity.getState().pendingCount());
  }

  @Test
  void aSnapshotIsAnImmutableCopyAndRecoveryStartsFromIt() {
    entity = entityWithSnapshotsEvery(3);
    create("{\"url\":\"https://x.test/\"}"); // two events: created, and its pending table begun
    accept(track("m-1", "A")); // the third event: a snapshot follows, with the action pending
    deliverer.next(); // in flight, never answered
    var snapshots = org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit.create(testKit.system());
    List<?> taken = snapshots.persistedInStorage("Destination|" + destinationId).stream().map(p -> p.second()).toList();
    assertFalse(taken.isEmpty(), "snapshots every 3 events");
    DestinationState.Snapshot snapshot = assertInstanceOf(DestinationState.Snapshot.class, taken.get(taken.size() - 1));
    // Pending actions are in the pending table, never in a snapshot.
    assertTrue(snapshot.pendingInTable());
    assertEquals(List.of(), snapshot.pending());
    assertEquals(List.of(DestinationState.digest("m-1")), snapshot.seenDigests(), "the messageId, as its digest");
    assertEquals(List.of(), snapshot.seen());

    entity.restart();
    assertEquals(1, entity.getState().pendingCount());
    assertTrue(entity.getState().seen("m-1"));
    assertEquals("m-1", json(deliverer.next().request().body()).path("messageId").asText(), "re-attempted after recovery");
  }

  @Test
  void pendingWorkAndSeenMessagesAreRecoveredAfterARestart() {
    create("{\"url\":\"https://x.test/\"}");
    accept(track("m-1", "A"));
    deliverer.next().answer(500);
    awaitAttempt(1);
    entity.restart();
    DestinationState state = entity.getState();
    assertEquals(1, state.pendingCount());
    assertEquals(1, state.pendingActions().get(0).attempts());
    assertTrue(state.seen("m-1"));
  }

  @Test
  void anOverDeepActionInTheJournalIsUnusableAfterRecoveryWhileTheOthersStillDeliver() {
    // Journaled before limits existed: the review's 10,000 parentheses, one level too many of
    // each kind, and one good action.
    String parenthesised = "type = \"track\"";
    ObjectNode mapping = json("{\"@path\":\"$.\"}");
    for (int i = 0; i < 33; i++) {
      mapping = JSON.createObjectNode().set("a", mapping);
    }
    List<ActionConfig> actions = List.of(
        new ActionConfig("act_review", "review", "send", "(".repeat(10_000) + parenthesised + ")".repeat(10_000), json("{}"), true),
        new ActionConfig("act_parens", "parens", "send", "(".repeat(33) + parenthesised + ")".repeat(33), json("{}"), true),
        new ActionConfig("act_mapping", "mapping", "send", parenthesised, mapping, true),
        new ActionConfig("act_good", "good", "send", parenthesised, json("{\"@path\":\"$.messageId\"}"), true));
    PersistenceTestKit.create(testKit.system()).persistForRecovery(
        "Destination|" + destinationId,
        List.of(new DestinationEvent.DestinationCreated(
            destinationId, "old", "webhook", json("{\"url\":\"https://x.test/\"}"), actions, true, START)));

    ch.qos.logback.classic.Logger log =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(DestinationEntity.class);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> warnings =
        new ch.qos.logback.core.read.ListAppender<>();
    warnings.start();
    log.addAppender(warnings);
    try {
      entity.restart();
      assertEquals(4, entity.getState().config().actions().size(), "recovered with every action");
      StatusReply<Accepted> accepted = accept(track("m-1", "A")).reply();
      assertEquals(1, accepted.getValue().queued(), "only the good action matches");
      ScriptedDeliverer.Sent sent = deliverer.next();
      assertEquals("\"m-1\"", sent.request().body());
      sent.answer(200);
      assertEquals(Outcome.DELIVERED, awaitAttempt(1).items().get(0).outcome());
      assertEquals("act_good", awaitAttempt(1).actionId());
    } finally {
      log.detachAppender(warnings);
    }
    List<String> warned = warnings.list.stream()
        .filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
        .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
        .toList();
    for (String unusable : List.of("act_review (review)", "act_parens (parens)", "act_mapping (mapping)")) {
      assertTrue(warned.stream().anyMatch(w -> w.contains(unusable) && w.contains("unusable")), unusable + " in " + warned);
    }
    assertTrue(warned.stream().anyMatch(w -> w.contains("limit relay.mapping.max-nesting-depth")), warned.toString());
    assertFalse(warned.stream().anyMatch(w -> w.contains("act_good")), warned.toString());
  }
}
