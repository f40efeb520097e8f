package dev.relay.destination;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.CborSerializable;
import dev.relay.Ids;
import dev.relay.RelaySettings;
import dev.relay.catalog.Catalog;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.catalog.Settings;
import dev.relay.delivery.AddressRefused;
import dev.relay.delivery.Deliverer;
import dev.relay.delivery.DeliveryResponse;
import dev.relay.delivery.Outcome;
import dev.relay.delivery.Redaction;
import dev.relay.delivery.RetryAfter;
import dev.relay.logging.LogFields;
import dev.relay.mapping.MappingLimits;
import dev.relay.persistence.JournalFailureBackoff;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One destination: its configuration, its queue of pending actions, their delivery and retries. Every
 * change and every step of every action is an event in its journal, which is the audit trail.
 *
 * <p>Delivery: actions whose time has come are attempted, up to {@code max-in-flight} requests at
 * once, each mapped with the <em>current</em> settings and mapping (so a fix applies to the next retry
 * of older actions). The outcome of each attempt is journaled; a retry is scheduled by {@link
 * dev.relay.delivery.RetryPolicy}. One timer wakes the entity for the earliest due action. Which
 * attempts are in flight is known only in memory: after a crash, restart or rebalance, they are
 * attempted again (at-least-once).
 */
public final class DestinationEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        DestinationEntity.Command, DestinationEntity.Event, DestinationEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY =
      EntityTypeKey.create(Command.class, "Destination");

  /** Tag of the events of every destination's creation and deletion: the list of destinations. */
  public static final String DIRECTORY_TAG = "destinations";

  // ---------------------------------------------------------------------------------------------
  // Commands

  public sealed interface Command extends CborSerializable {}

  /** Creates the destination; without {@code actions} the type's default actions are used. */
  public record Create(
      String name,
      String type,
      ObjectNode settings,
      Optional<List<ActionConfig>> actions,
      boolean enabled,
      ActorRef<Reply> replyTo)
      implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  /** Applies a JSON merge patch to the settings. */
  public record UpdateSettings(ObjectNode patch, ActorRef<Reply> replyTo) implements Command {}

  public record ReplaceActions(List<ActionConfig> actions, ActorRef<Reply> replyTo)
      implements Command {}

  public record UpdateAction(
      String actionId,
      Optional<Boolean> enabled,
      Optional<String> trigger,
      Optional<JsonNode> mapping,
      ActorRef<Reply> replyTo)
      implements Command {}

  public record Enable(ActorRef<Reply> replyTo) implements Command {}

  public record Disable(ActorRef<Reply> replyTo) implements Command {}

  public record ConnectSource(String sourceId, ActorRef<Reply> replyTo) implements Command {}

  public record DisconnectSource(String sourceId, ActorRef<Reply> replyTo) implements Command {}

  /** Deletes the destination; its pending actions are discarded. */
  public record Delete(ActorRef<Reply> replyTo) implements Command {}

  /**
   * Source events to act on. Replied to once the matching actions are journaled (or none matched),
   * which is what ingest's acknowledgement waits for.
   */
  public record Accept(List<Incoming> events, ActorRef<StatusReply<Accepted>> replyTo)
      implements Command {}

  /** A source event and the source it came from. */
  public record Incoming(String sourceId, ObjectNode event) implements CborSerializable {}

  /** The retry timer: attempt what is due. */
  public record DeliverDue() implements Command {}

  /** An attempt came back (from the destination or with a network error). */
  public record AttemptFinished(String actionId, List<ItemAttempt> items, Exchange exchange, int generation)
      implements Command {}

  /**
   * Sends an event to each enabled action whose trigger matches, once, for real, and answers with
   * what was sent and received. Journaled as test traffic; never retried, never de-duplicated.
   */
  public record SendTest(ObjectNode event, ActorRef<TestReport> replyTo) implements Command {}

  /** The test calls came back. */
  public record TestsFinished(List<TestCall> calls, ActorRef<TestReport> replyTo, int generation) implements Command {}

  public record TestCall(String itemId, String actionId, String actionName, Exchange exchange)
      implements CborSerializable {}

  /** What the test calls sent and got; {@code busy} when refused: too many test requests in flight. */
  public record TestReport(List<TestResult> results, boolean busy) implements CborSerializable {
    public TestReport(List<TestResult> results) {
      this(results, false);
    }
  }

  public record TestResult(
      String actionId,
      String actionName,
      String itemId,
      OutgoingRequest request,
      Optional<Integer> status,
      Optional<String> body,
      Outcome outcome,
      long durationMs,
      Optional<String> error)
      implements CborSerializable {}

  /**
   * One request and what came of it: the request as recorded (credentials redacted), and the answer
   * or the error; {@code addressRefused} when the error is that the destination's address may not be
   * connected to, which retrying cannot fix.
   */
  public record Exchange(
      Instant startedAt,
      long durationMs,
      OutgoingRequest request,
      Optional<DeliveryResponse> response,
      Optional<String> error,
      boolean addressRefused)
      implements CborSerializable {}

  /** Journal the attempts finished since the last time, in one write. */
  public record RecordFinishedAttempts() implements Command {}

  /** Sharding's stop message, after passivation. */
  public record Stop() implements Command {}

  public record ItemAttempt(String itemId, int attempt) implements CborSerializable {}

  // ---------------------------------------------------------------------------------------------
  // Replies

  public sealed interface Reply extends CborSerializable {}

  public record Ok(DestinationView destination) implements Reply {}

  public record Rejected(Problem problem, String message) implements Reply {}

  public enum Problem {
    NOT_FOUND,
    INVALID,
    CONFLICT
  }

  public record Accepted(int queued, int duplicates) implements CborSerializable {}

  // ---------------------------------------------------------------------------------------------
  // Events: the audit trail

  public sealed interface Event extends CborSerializable {}

  public record DestinationCreated(
      String id,
      String name,
      String type,
      ObjectNode settings,
      List<ActionConfig> actions,
      boolean enabled,
      Instant at)
      implements Event {}

  /** The settings after the change, in full. */
  public record SettingsUpdated(ObjectNode settings, Instant at) implements Event {}

  public record ActionsReplaced(List<ActionConfig> actions, Instant at) implements Event {}

  public record ActionUpdated(ActionConfig action, Instant at) implements Event {}

  public record DestinationEnabled(Instant at) implements Event {}

  public record DestinationDisabled(Instant at) implements Event {}

  public record SourceConnected(String sourceId, Instant at) implements Event {}

  public record SourceDisconnected(String sourceId, Instant at) implements Event {}

  public record DestinationDeleted(Instant at) implements Event {}

  /** An event matched an action's trigger: the action is to be delivered. */
  public record ActionQueued(
      String itemId,
      String actionId,
      String actionName,
      String sourceId,
      ObjectNode event,
      Instant queuedAt,
      boolean test)
      implements Event {}

  /**
   * One request to the destination and its result: the request as sent (credentials redacted), the
   * answer or the network error, and for each action it carried, the outcome.
   */
  public record AttemptRecorded(
      String actionId,
      Instant startedAt,
      long durationMs,
      OutgoingRequest request,
      Optional<Integer> responseStatus,
      Optional<String> responseBody,
      Optional<String> error,
      List<ItemOutcome> items)
      implements Event {}

  /** What an attempt meant for one action; {@code nextAttemptAt} is set when it is retried. */
  public record ItemOutcome(
      String itemId, int attempt, Outcome outcome, Optional<Instant> nextAttemptAt)
      implements CborSerializable {}

  /** Pending actions given up without delivery, e.g. because their action or destination went. */
  public record ActionDiscarded(List<String> itemIds, String reason, Instant at) implements Event {}

  // ---------------------------------------------------------------------------------------------
  // State

  /** An action waiting for (another) attempt. */
  public record PendingAction(
      String itemId,
      String actionId,
      String messageId,
      ObjectNode event,
      int attempts,
      Instant queuedAt,
      Instant nextAttemptAt)
      implements CborSerializable {

    PendingAction retriedAt(int attempts, Instant next) {
      return new PendingAction(itemId, actionId, messageId, event, attempts, queuedAt, next);
    }
  }

  /** A recently queued messageId, for de-duplication. */
  public record SeenMessage(String messageId, Instant at) implements CborSerializable {}

  /**
   * The state as a snapshot keeps it: an immutable copy, taken in the entity's own thread, because
   * the snapshot store serializes it later on another (see {@link #snapshotAdapter()}).
   */
  public record Snapshot(
      DestinationConfig config, boolean deleted, List<PendingAction> pending, List<SeenMessage> seen)
      implements CborSerializable {}

  /**
   * The destination's state. Mutable for speed (a destination may hold many pending actions); only
   * the event handler changes it. The due-order index is derived and not serialized.
   */
  public static final class State implements CborSerializable {
    private DestinationConfig config;
    private boolean deleted;
    private final LinkedHashMap<String, PendingAction> pending = new LinkedHashMap<>();
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();
    @JsonIgnore private final TreeSet<Due> dueOrder = new TreeSet<>();

    record Due(Instant at, String itemId) implements Comparable<Due> {
      @Override
      public int compareTo(Due other) {
        int byTime = at.compareTo(other.at);
        return byTime != 0 ? byTime : itemId.compareTo(other.itemId);
      }
    }

    public State() {}

    @JsonCreator
    State(
        @JsonProperty("config") DestinationConfig config,
        @JsonProperty("deleted") boolean deleted,
        @JsonProperty("pending") List<PendingAction> pending,
        @JsonProperty("seen") List<SeenMessage> seen) {
      this.config = config;
      this.deleted = deleted;
      pending.forEach(this::putPending);
      seen.forEach(s -> this.seen.put(s.messageId(), s.at()));
    }

    @JsonProperty("config")
    public DestinationConfig config() {
      return config;
    }

    @JsonProperty("deleted")
    public boolean deleted() {
      return deleted;
    }

    @JsonProperty("pending")
    public List<PendingAction> pendingActions() {
      return List.copyOf(pending.values());
    }

    @JsonProperty("seen")
    List<SeenMessage> seenMessages() {
      return seen.entrySet().stream().map(e -> new SeenMessage(e.getKey(), e.getValue())).toList();
    }

    /** True once created and until deleted. */
    public boolean exists() {
      return config != null && !deleted;
    }

    public Optional<PendingAction> pending(String itemId) {
      return Optional.ofNullable(pending.get(itemId));
    }

    public int pendingCount() {
      return pending.size();
    }

    boolean seen(String messageId) {
      return seen.containsKey(messageId);
    }

    Iterable<Due> dueOrder() {
      return dueOrder;
    }

    private void putPending(PendingAction action) {
      PendingAction previous = pending.put(action.itemId(), action);
      if (previous != null) {
        dueOrder.remove(new Due(previous.nextAttemptAt(), previous.itemId()));
      }
      dueOrder.add(new Due(action.nextAttemptAt(), action.itemId()));
    }

    private void removePending(String itemId) {
      PendingAction removed = pending.remove(itemId);
      if (removed != null) {
        dueOrder.remove(new Due(removed.nextAttemptAt(), removed.itemId()));
      }
    }

    private void remember(String messageId, Instant at, int maxSize, Duration window) {
      seen.put(messageId, at);
      Iterator<Map.Entry<String, Instant>> oldest = seen.entrySet().iterator();
      Instant horizon = at.minus(window);
      while (oldest.hasNext()) {
        Map.Entry<String, Instant> entry = oldest.next();
        if (seen.size() > maxSize || entry.getValue().isBefore(horizon)) {
          oldest.remove();
        } else {
          break;
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Wiring

  /** What a destination entity needs from its node. */
  public record Setup(
      Catalog catalog,
      Deliverer deliverer,
      RelaySettings.Delivery settings,
      int readSideTags,
      Clock clock,
      MappingLimits mappingLimits) {}

  public static void init(ActorSystem<?> system, Setup setup) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    TYPE_KEY,
                    context ->
                        create(
                            context.getEntityId(),
                            setup,
                            Optional.of(context.getShard())))
                .withStopMessage(new Stop())
                .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
  }

  public static Behavior<Command> create(
      String destinationId,
      Setup setup,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new DestinationEntity(destinationId, setup, context, timers, shard)));
  }

  /** The journal tag of a destination's events: which read-side projection instance handles it. */
  public static String readSideTag(String destinationId, int tags) {
    return "dest-" + Math.floorMod(destinationId.hashCode(), tags);
  }

  private static final String RETRY_TIMER = "retry";

  private final String destinationId;
  private final Setup setup;
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final String tag;

  /** Items of requests in flight; runtime only, so after a restart they are attempted again. */
  private final Set<String> inFlight = new HashSet<>();

  private int requestsInFlight;
  /** Requests of the API call tester in flight, bounded by max-tests-in-flight. */
  private int testRequestsInFlight;
  private final List<AttemptFinished> finished = new ArrayList<>();
  /**
   * Which life of the entity the runtime fields above belong to. A failed journal write restarts the
   * entity in place (onPersistFailure): this object, and so these fields, survive, so recovery
   * empties them and answers from requests started before are ignored.
   */
  private int generation;
  private CompiledActions compiled;
  private JsonNode secretsOf;
  private List<String> secrets;

  private DestinationEntity(
      String destinationId,
      Setup setup,
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    // A failed journal write or recovery (database away) restarts the entity after a pause; it
    // recovers from the journal and makes the attempts it had in flight again.
    super(PersistenceId.of(TYPE_KEY.name(), destinationId), JournalFailureBackoff.of(context.getSystem()));
    this.destinationId = destinationId;
    this.setup = setup;
    this.context = context;
    this.timers = timers;
    this.shard = shard;
    this.tag = readSideTag(destinationId, setup.readSideTags());
  }

  @Override
  public State emptyState() {
    return new State();
  }

  @Override
  public Set<String> tagsFor(Event event) {
    if (event instanceof DestinationCreated || event instanceof DestinationDeleted) {
      return Set.of(tag, DIRECTORY_TAG);
    }
    return Set.of(tag);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots bound recovery time; events are never deleted, they are the audit trail.
    return RetentionCriteria.snapshotEvery(setup.settings().snapshotEvery(), 2);
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    // The state is mutable: hand the snapshot store a copy it may serialize whenever it likes.
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return new Snapshot(state.config, state.deleted, state.pendingActions(), state.seenMessages());
      }

      @Override
      public State fromJournal(Object from) {
        Snapshot snapshot = (Snapshot) from;
        return new State(snapshot.config(), snapshot.deleted(), snapshot.pending(), snapshot.seen());
      }
    };
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          generation++;
          inFlight.clear();
          requestsInFlight = 0;
          testRequestsInFlight = 0;
          finished.clear();
          if (state.exists()) {
            compiledActions(state); // now, so that an unusable action is reported at recovery
          }
          deliverDue(state);
        })
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // Command handlers

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder =
        newCommandHandlerWithReplyBuilder();

    builder
        .forState(state -> !state.exists())
        .onCommand(Create.class, this::onCreate)
        .onCommand(Accept.class, (state, accept) -> notFoundAccept(accept))
        .onCommand(SendTest.class, (state, c) -> {
          passivate();
          return Effect().reply(c.replyTo(), new TestReport(List.of()));
        })
        .onCommand(Get.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(UpdateSettings.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(ReplaceActions.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(UpdateAction.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(Enable.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(Disable.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(ConnectSource.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(DisconnectSource.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(Delete.class, (state, c) -> notFound(c.replyTo()));

    builder
        .forState(State::exists)
        .onCommand(Create.class, (state, c) -> reject(c.replyTo(), Problem.CONFLICT, "destination " + destinationId + " exists"))
        .onCommand(Get.class, (state, c) -> Effect().reply(c.replyTo(), ok(state)))
        .onCommand(UpdateSettings.class, this::onUpdateSettings)
        .onCommand(ReplaceActions.class, this::onReplaceActions)
        .onCommand(UpdateAction.class, this::onUpdateAction)
        .onCommand(Enable.class, this::onEnable)
        .onCommand(Disable.class, this::onDisable)
        .onCommand(ConnectSource.class, this::onConnectSource)
        .onCommand(DisconnectSource.class, this::onDisconnectSource)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Accept.class, this::onAccept)
        .onCommand(SendTest.class, this::onSendTest);

    builder
        .forAnyState()
        .onCommand(DeliverDue.class, (state, c) -> Effect().none().thenRun(this::deliverDue).thenNoReply())
        .onCommand(AttemptFinished.class, this::onAttemptFinished)
        .onCommand(TestsFinished.class, this::onTestsFinished)
        .onCommand(RecordFinishedAttempts.class, this::onRecordFinishedAttempts)
        .onCommand(Stop.class, (state, c) -> Effect().stop().thenNoReply());

    return builder.build();
  }

  private ReplyEffect<Event, State> onCreate(State state, Create create) {
    if (state.deleted()) {
      return reject(create.replyTo(), Problem.CONFLICT, "destination " + destinationId + " was deleted");
    }
    Optional<DestinationType> type = setup.catalog().find(create.type());
    if (type.isEmpty()) {
      return reject(create.replyTo(), Problem.INVALID, "unknown destination type '" + create.type() + "'");
    }
    if (create.name() == null || create.name().isBlank()) {
      return reject(create.replyTo(), Problem.INVALID, "name: required");
    }
    ObjectNode settings = create.settings() != null ? create.settings() : JsonNodeFactory.instance.objectNode();
    Optional<String> problem = DestinationRules.settingsProblem(setup.catalog(), type.get(), settings, setup.settings().addressPolicy());
    List<ActionConfig> actions =
        create.actions().map(DestinationRules::withIds).orElseGet(() -> DestinationRules.defaultActions(type.get()));
    problem = problem.or(() -> DestinationRules.actionsProblem(type.get(), actions, setup.mappingLimits()));
    if (problem.isPresent()) {
      return reject(create.replyTo(), Problem.INVALID, problem.get());
    }
    return Effect()
        .persist(
            new DestinationCreated(
                destinationId, create.name(), create.type(), settings, actions, create.enabled(), now()))
        .thenRun(created -> LogFields.with(LogFields.DESTINATION_ID, destinationId, () ->
            context.getLog().info("Destination {} created: {} ({})", destinationId, create.name(), create.type())))
        .thenReply(create.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onUpdateSettings(State state, UpdateSettings update) {
    DestinationType type = typeOf(state);
    ObjectNode settings = Settings.patched(type.settingsSchema(), state.config().settings(), update.patch());
    Optional<String> problem = DestinationRules.settingsProblem(setup.catalog(), type, settings, setup.settings().addressPolicy());
    if (problem.isPresent()) {
      return reject(update.replyTo(), Problem.INVALID, problem.get());
    }
    return Effect()
        .persist(new SettingsUpdated(settings, now()))
        .thenReply(update.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onReplaceActions(State state, ReplaceActions replace) {
    List<ActionConfig> actions = DestinationRules.withIds(replace.actions());
    Optional<String> problem = DestinationRules.actionsProblem(typeOf(state), actions, setup.mappingLimits());
    if (problem.isPresent()) {
      return reject(replace.replyTo(), Problem.INVALID, problem.get());
    }
    List<Event> events = new ArrayList<>();
    Instant now = now();
    events.add(new ActionsReplaced(actions, now));
    discardPendingOfInactiveActions(state, actions, now).ifPresent(events::add);
    return Effect().persist(events).thenRun(this::deliverDue).thenReply(replace.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onUpdateAction(State state, UpdateAction update) {
    Optional<ActionConfig> existing = state.config().action(update.actionId());
    if (existing.isEmpty()) {
      return reject(update.replyTo(), Problem.NOT_FOUND, "no action " + update.actionId() + " in destination " + destinationId);
    }
    ActionConfig action = existing.get();
    action = update.enabled().map(action::withEnabled).orElse(action);
    action = update.trigger().map(action::withTrigger).orElse(action);
    action = update.mapping().map(action::withMapping).orElse(action);
    Optional<String> problem =
        DestinationRules.actionProblem(DestinationRules.actionTypes(typeOf(state)), action, setup.mappingLimits());
    if (problem.isPresent()) {
      return reject(update.replyTo(), Problem.INVALID, problem.get());
    }
    List<Event> events = new ArrayList<>();
    Instant now = now();
    events.add(new ActionUpdated(action, now));
    discardPendingOfInactiveActions(state, state.config().withAction(action).actions(), now)
        .ifPresent(events::add);
    return Effect().persist(events).thenRun(this::deliverDue).thenReply(update.replyTo(), this::ok);
  }

  /**
   * Pending work of an action that is removed or disabled is discarded: nothing would ever deliver
   * it. (A disabled destination, by contrast, keeps its pending work for when it is enabled again.)
   */
  private Optional<Event> discardPendingOfInactiveActions(
      State state, List<ActionConfig> actions, Instant now) {
    Set<String> active = new HashSet<>();
    actions.stream().filter(ActionConfig::enabled).forEach(a -> active.add(a.id()));
    List<String> orphans =
        state.pending.values().stream()
            .filter(p -> !active.contains(p.actionId()))
            .map(PendingAction::itemId)
            .toList();
    return orphans.isEmpty()
        ? Optional.empty()
        : Optional.of(new ActionDiscarded(orphans, "action removed or disabled", now));
  }

  private ReplyEffect<Event, State> onEnable(State state, Enable enable) {
    if (state.config().enabled()) {
      return Effect().reply(enable.replyTo(), ok(state));
    }
    return Effect()
        .persist(new DestinationEnabled(now()))
        .thenRun(this::deliverDue)
        .thenReply(enable.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onDisable(State state, Disable disable) {
    if (!state.config().enabled()) {
      return Effect().reply(disable.replyTo(), ok(state));
    }
    return Effect()
        .persist(new DestinationDisabled(now()))
        .thenRun(this::deliverDue)
        .thenReply(disable.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onConnectSource(State state, ConnectSource connect) {
    if (state.config().sources().contains(connect.sourceId())) {
      return Effect().reply(connect.replyTo(), ok(state));
    }
    return Effect()
        .persist(new SourceConnected(connect.sourceId(), now()))
        .thenReply(connect.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onDisconnectSource(State state, DisconnectSource disconnect) {
    if (!state.config().sources().contains(disconnect.sourceId())) {
      return Effect().reply(disconnect.replyTo(), ok(state));
    }
    return Effect()
        .persist(new SourceDisconnected(disconnect.sourceId(), now()))
        .thenReply(disconnect.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onDelete(State state, Delete delete) {
    DestinationView last = view(state);
    List<Event> events = new ArrayList<>();
    Instant now = now();
    if (state.pendingCount() > 0) {
      events.add(new ActionDiscarded(List.copyOf(state.pending.keySet()), "destination deleted", now));
    }
    events.add(new DestinationDeleted(now));
    return Effect()
        .persist(events)
        .thenRun(s -> passivate())
        .thenReply(delete.replyTo(), s -> new Ok(last));
  }

  private ReplyEffect<Event, State> onAccept(State state, Accept accept) {
    if (!state.config().enabled()) {
      return Effect().reply(accept.replyTo(), StatusReply.success(new Accepted(0, 0)));
    }
    CompiledActions actions = compiledActions(state);
    Instant now = now();
    List<Event> queued = new ArrayList<>();
    Set<String> inThisBatch = new HashSet<>();
    int duplicates = 0;
    for (Incoming incoming : accept.events()) {
      ObjectNode event = incoming.event();
      String messageId = event.path("messageId").asText();
      if (state.seen(messageId) || !inThisBatch.add(messageId)) {
        duplicates++;
        continue;
      }
      for (CompiledActions.Compiled action : actions.all()) {
        if (action.config().enabled() && action.trigger().matches(event)) {
          queued.add(
              new ActionQueued(
                  Ids.newId("itm"),
                  action.config().id(),
                  action.config().name(),
                  incoming.sourceId(),
                  event,
                  now,
                  false));
        }
      }
    }
    Accepted accepted = new Accepted(queued.size(), duplicates);
    if (queued.isEmpty()) {
      return Effect().reply(accept.replyTo(), StatusReply.success(accepted));
    }
    return Effect()
        .persist(queued)
        .thenRun(this::deliverDue)
        .thenReply(accept.replyTo(), s -> StatusReply.success(accepted));
  }

  private ReplyEffect<Event, State> onSendTest(State state, SendTest test) {
    Instant now = now();
    List<ActionQueued> queued = new ArrayList<>();
    for (CompiledActions.Compiled action : compiledActions(state).all()) {
      if (action.config().enabled() && action.trigger().matches(test.event())) {
        queued.add(
            new ActionQueued(Ids.newId("itm"), action.config().id(), action.config().name(), "test", test.event(), now, true));
      }
    }
    if (queued.isEmpty()) {
      return Effect().reply(test.replyTo(), new TestReport(List.of()));
    }
    // Refused whole rather than queued; one test may always run, whatever its number of actions.
    if (testRequestsInFlight > 0 && testRequestsInFlight + queued.size() > setup.settings().maxTestsInFlight()) {
      return Effect().reply(test.replyTo(), new TestReport(List.of(), true));
    }
    testRequestsInFlight += queued.size();
    return Effect()
        .persist(List.copyOf(queued))
        .thenRun(
            s -> {
              DestinationType type = typeOf(s);
              List<CompletableFuture<TestCall>> calls =
                  queued.stream()
                      .map(q -> exchange(s, type, q.actionId(), List.of(q.event()))
                          .thenApply(e -> new TestCall(q.itemId(), q.actionId(), q.actionName(), e))
                          .toCompletableFuture())
                      .toList();
              context.pipeToSelf(
                  CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new))
                      .thenApply(done -> calls.stream().map(CompletableFuture::join).toList()),
                  (results, never) -> new TestsFinished(results, test.replyTo(), generation));
            })
        .thenNoReply();
  }

  /** Test calls end delivered or failed, never retried. */
  private ReplyEffect<Event, State> onTestsFinished(State state, TestsFinished finished) {
    if (finished.generation() == generation) {
      testRequestsInFlight -= finished.calls().size();
    }
    List<Event> records = new ArrayList<>();
    List<TestResult> results = new ArrayList<>();
    for (TestCall call : finished.calls()) {
      Exchange exchange = call.exchange();
      Outcome outcome = verdict(state, exchange) == Outcome.DELIVERED ? Outcome.DELIVERED : Outcome.FAILED;
      records.add(recorded(call.actionId(), exchange, List.of(new ItemOutcome(call.itemId(), 1, outcome, Optional.empty()))));
      results.add(
          new TestResult(
              call.actionId(), call.actionName(), call.itemId(), exchange.request(),
              exchange.response().map(DeliveryResponse::status),
              exchange.response().map(DeliveryResponse::bodyExcerpt),
              outcome, exchange.durationMs(), exchange.error()));
    }
    return Effect().persist(records).thenReply(finished.replyTo(), s -> new TestReport(results));
  }

  private ReplyEffect<Event, State> notFoundAccept(Accept accept) {
    // The ingest cache may name a destination deleted a moment ago: nothing to do, and nothing lost.
    passivate();
    return Effect().reply(accept.replyTo(), StatusReply.success(new Accepted(0, 0)));
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery

  /**
   * Starts attempts for what is due, as far as max-in-flight allows, and sets the timer for the next
   * action that will be due. Called after every change that can make something deliverable.
   */
  private void deliverDue(State state) {
    if (!state.exists() || !state.config().enabled()) {
      timers.cancel(RETRY_TIMER);
      return;
    }
    DestinationType type = typeOf(state);
    JsonNode settings = state.config().settings();
    int batchSize = Math.max(1, type.batchSize(settings));
    int capacity = setup.settings().maxInFlight() - requestsInFlight;
    Instant now = now();

    Map<String, List<PendingAction>> dueByAction = new LinkedHashMap<>();
    int wanted = capacity * batchSize;
    int collected = 0;
    Instant nextDue = null;
    for (State.Due due : state.dueOrder()) {
      if (inFlight.contains(due.itemId())) {
        continue;
      }
      if (due.at().isAfter(now)) {
        nextDue = due.at();
        break;
      }
      if (collected >= wanted) {
        break;
      }
      PendingAction action = state.pending.get(due.itemId());
      dueByAction.computeIfAbsent(action.actionId(), id -> new ArrayList<>()).add(action);
      collected++;
    }

    for (Map.Entry<String, List<PendingAction>> group : dueByAction.entrySet()) {
      List<PendingAction> items = group.getValue();
      for (int from = 0; from < items.size() && requestsInFlight < setup.settings().maxInFlight(); from += batchSize) {
        attempt(state, type, group.getKey(), items.subList(from, Math.min(items.size(), from + batchSize)));
      }
    }

    if (nextDue != null && requestsInFlight < setup.settings().maxInFlight()) {
      timers.startSingleTimer(RETRY_TIMER, new DeliverDue(), Duration.between(now, nextDue));
    } else if (nextDue == null) {
      timers.cancel(RETRY_TIMER);
    }
    // When every slot is taken, the next finished attempt calls deliverDue again.
  }

  /** Maps the actions with the current configuration and sends them as one request. */
  private void attempt(State state, DestinationType type, String actionId, List<PendingAction> items) {
    List<ItemAttempt> attempts =
        items.stream().map(p -> new ItemAttempt(p.itemId(), p.attempts() + 1)).toList();
    attempts.forEach(a -> inFlight.add(a.itemId()));
    requestsInFlight++;
    List<ObjectNode> events = items.stream().map(PendingAction::event).toList();
    context.pipeToSelf(
        exchange(state, type, actionId, events),
        (exchange, never) -> new AttemptFinished(actionId, attempts, exchange, generation));
  }

  /**
   * Maps {@code events} with the action's current mapping, builds the request with the current
   * settings and sends it. Never fails: a problem building or sending it is the exchange's error (a
   * mapping or settings problem is fixable by the operator, so it is retried like any failure).
   */
  private CompletionStage<Exchange> exchange(
      State state, DestinationType type, String actionId, List<ObjectNode> events) {
    Instant startedAt = now();
    long started = System.nanoTime();
    JsonNode settings = state.config().settings();
    OutgoingRequest request;
    try {
      CompiledActions actions = compiledActions(state);
      CompiledActions.Compiled action = actions.get(actionId).orElseThrow(
          () -> new IllegalStateException("action " + actionId + " is unusable: " + actions.unusable().get(actionId)));
      List<JsonNode> payloads = events.stream().map(e -> payload(action.mapping().apply(e))).toList();
      request = type.buildRequest(settings, action.config().type(), payloads);
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(
          new Exchange(startedAt, 0, new OutgoingRequest("", "", Map.of(), ""), Optional.empty(),
              Optional.of("could not build the request: " + e.getMessage()), false));
    }
    OutgoingRequest recorded = Redaction.redact(request, secrets(type, settings), setup.settings().recordedRequestBytes());
    return setup.deliverer()
        .send(request, type.timeout(settings))
        .handle(
            (response, failure) ->
                new Exchange(
                    startedAt,
                    (System.nanoTime() - started) / 1_000_000,
                    recorded,
                    Optional.ofNullable(response),
                    failure == null ? Optional.empty() : Optional.of(describe(failure)),
                    failure != null && AddressRefused.in(failure).isPresent()));
  }

  private static JsonNode payload(JsonNode mapped) {
    return mapped.isMissingNode() ? JsonNodeFactory.instance.objectNode() : mapped;
  }

  private static String describe(Throwable failure) {
    // The deliverer's own failure, not the CompletionException a composed future wraps it in.
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    while (cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    String message = cause.getMessage();
    return message != null ? message : cause.getClass().getSimpleName();
  }

  private ReplyEffect<Event, State> onAttemptFinished(State state, AttemptFinished attempt) {
    if (attempt.generation() != generation) {
      // Started before the entity restarted (a failed journal write): its items are attempted again.
      return Effect().noReply();
    }
    finished.add(attempt);
    if (finished.size() == 1) {
      // Attempts finishing while a write is under way are journaled together in the next one.
      context.getSelf().tell(new RecordFinishedAttempts());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onRecordFinishedAttempts(State state, RecordFinishedAttempts record) {
    if (finished.isEmpty()) {
      return Effect().noReply();
    }
    Instant now = now();
    List<AttemptFinished> batch = List.copyOf(finished);
    finished.clear();
    List<Event> events = new ArrayList<>(batch.size());
    for (AttemptFinished attempt : batch) {
      events.add(recordOf(state, attempt, now));
    }
    return Effect()
        .persist(events)
        .thenRun(
            s -> {
              for (AttemptFinished attempt : batch) {
                attempt.items().forEach(i -> inFlight.remove(i.itemId()));
                requestsInFlight--;
              }
              deliverDue(s);
            })
        .thenNoReply();
  }

  /** The outcome of an attempt for each action it carried, retries scheduled by the policy. */
  private AttemptRecorded recordOf(State state, AttemptFinished attempt, Instant now) {
    Exchange exchange = attempt.exchange();
    Optional<DeliveryResponse> response = exchange.response();
    Outcome verdict = verdict(state, exchange);
    Optional<Duration> retryAfter = response.flatMap(r -> r.retryAfter()).flatMap(h -> RetryAfter.parse(h, now));
    List<ItemOutcome> outcomes = new ArrayList<>(attempt.items().size());
    for (ItemAttempt item : attempt.items()) {
      Optional<PendingAction> pending = state.pending(item.itemId());
      Outcome outcome = verdict;
      Optional<Instant> next = Optional.empty();
      if (verdict == Outcome.RETRY) {
        next =
            pending.flatMap(
                    p ->
                        setup.settings().retryPolicy()
                            .nextAttempt(item.attempt(), p.queuedAt(), now, retryAfter, ThreadLocalRandom.current().nextDouble()));
        outcome = next.isPresent() ? Outcome.RETRY : Outcome.FAILED;
      }
      outcomes.add(new ItemOutcome(item.itemId(), item.attempt(), outcome, next));
    }
    return recorded(attempt.actionId(), exchange, outcomes);
  }

  private static AttemptRecorded recorded(String actionId, Exchange exchange, List<ItemOutcome> outcomes) {
    return new AttemptRecorded(
        actionId,
        exchange.startedAt(),
        exchange.durationMs(),
        exchange.request(),
        exchange.response().map(DeliveryResponse::status),
        exchange.response().map(DeliveryResponse::bodyExcerpt),
        exchange.error(),
        outcomes);
  }

  /**
   * What a response means, by the destination type's reading of it; no answer means retry, but for
   * a refused address, which no retry changes.
   */
  private Outcome verdict(State state, Exchange exchange) {
    if (exchange.addressRefused()) {
      return Outcome.FAILED;
    }
    return exchange.response()
        .map(r -> typeOf(state).readResponse(r.status(), r.bodyExcerpt()))
        .orElse(Outcome.RETRY);
  }

  // ---------------------------------------------------------------------------------------------
  // Event handler

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(DestinationCreated.class, (state, e) -> {
          // A new object: Pekko keeps the empty state it was given once and starts every recovery
          // after a restart from it, so that one must never be changed.
          State created = new State();
          created.config = new DestinationConfig(e.id(), e.name(), e.type(), e.enabled(), e.settings(), List.copyOf(e.actions()), List.of());
          return created;
        })
        .onEvent(SettingsUpdated.class, (state, e) -> {
          state.config = state.config.withSettings(e.settings());
          return state;
        })
        .onEvent(ActionsReplaced.class, (state, e) -> {
          state.config = state.config.withActions(e.actions());
          return state;
        })
        .onEvent(ActionUpdated.class, (state, e) -> {
          state.config = state.config.withAction(e.action());
          return state;
        })
        .onEvent(DestinationEnabled.class, (state, e) -> {
          state.config = state.config.withEnabled(true);
          return state;
        })
        .onEvent(DestinationDisabled.class, (state, e) -> {
          state.config = state.config.withEnabled(false);
          return state;
        })
        .onEvent(SourceConnected.class, (state, e) -> {
          state.config = state.config.withSource(e.sourceId(), true);
          return state;
        })
        .onEvent(SourceDisconnected.class, (state, e) -> {
          state.config = state.config.withSource(e.sourceId(), false);
          return state;
        })
        .onEvent(DestinationDeleted.class, (state, e) -> {
          state.deleted = true;
          return state;
        })
        .onEvent(ActionQueued.class, (state, e) -> {
          if (e.test()) {
            return state; // test calls are made at once and never queued
          }
          String messageId = e.event().path("messageId").asText();
          state.putPending(new PendingAction(e.itemId(), e.actionId(), messageId, e.event(), 0, e.queuedAt(), e.queuedAt()));
          state.remember(messageId, e.queuedAt(), setup.settings().dedupWindowSize(), setup.settings().dedupWindow());
          return state;
        })
        .onEvent(AttemptRecorded.class, (state, e) -> {
          for (ItemOutcome item : e.items()) {
            Optional<PendingAction> pending = state.pending(item.itemId());
            if (pending.isEmpty()) {
              continue; // discarded while the attempt was in flight
            }
            if (item.outcome() == Outcome.RETRY && item.nextAttemptAt().isPresent()) {
              state.putPending(pending.get().retriedAt(item.attempt(), item.nextAttemptAt().get()));
            } else {
              state.removePending(item.itemId());
            }
          }
          return state;
        })
        .onEvent(ActionDiscarded.class, (state, e) -> {
          e.itemIds().forEach(state::removePending);
          return state;
        })
        .build();
  }

  // ---------------------------------------------------------------------------------------------

  /** The secret values of the current settings, found once per change of the settings. */
  private List<String> secrets(DestinationType type, JsonNode settings) {
    if (secretsOf != settings) {
      secrets = Settings.secretValues(type.settingsSchema(), settings);
      secretsOf = settings;
    }
    return secrets;
  }

  private CompiledActions compiledActions(State state) {
    if (compiled == null || !compiled.compiledFrom(state.config().actions())) {
      compiled = new CompiledActions(state.config().actions(), setup.mappingLimits());
      compiled.unusable().forEach((actionId, why) -> context.getLog().warn(
          "Destination {}: action {} ({}) is unusable and never matches until it is replaced: {}",
          destinationId, actionId, state.config().action(actionId).map(ActionConfig::name).orElse(""), why));
    }
    return compiled;
  }

  private DestinationType typeOf(State state) {
    return setup.catalog().find(state.config().type()).orElseThrow(
        () -> new IllegalStateException("destination type " + state.config().type() + " is not in this build"));
  }

  private Reply ok(State state) {
    return new Ok(view(state));
  }

  private DestinationView view(State state) {
    DestinationConfig config = state.config();
    DestinationType type = typeOf(state);
    return new DestinationView(
        config.id(),
        config.name(),
        config.type(),
        config.enabled(),
        Settings.masked(type.settingsSchema(), config.settings()),
        config.actions(),
        config.sources());
  }

  private ReplyEffect<Event, State> notFound(ActorRef<Reply> replyTo) {
    passivate();
    return reject(replyTo, Problem.NOT_FOUND, "no destination " + destinationId);
  }

  private ReplyEffect<Event, State> reject(ActorRef<Reply> replyTo, Problem problem, String message) {
    return Effect().reply(replyTo, new Rejected(problem, message));
  }

  /** Asks sharding to stop this entity and forget it, so unknown ids are not remembered. */
  private void passivate() {
    shard.ifPresent(s -> s.tell(new ClusterSharding.Passivate<>(context.getSelf())));
  }

  private Instant now() {
    return setup.clock().instant();
  }
}
