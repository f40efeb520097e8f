package dev.relay.destination;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.Catalog;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.Settings;
import dev.relay.core.Problem;
import dev.relay.delivery.Deliverer;
import dev.relay.delivery.DeliveryPipeline;
import dev.relay.delivery.DeliverySettings;
import dev.relay.destination.DestinationCommand.Accept;
import dev.relay.destination.DestinationCommand.Create;
import dev.relay.destination.DestinationCommand.Delete;
import dev.relay.destination.DestinationCommand.Disable;
import dev.relay.destination.DestinationCommand.Enable;
import dev.relay.destination.DestinationCommand.Get;
import dev.relay.destination.DestinationCommand.ReplaceActions;
import dev.relay.destination.DestinationCommand.Replay;
import dev.relay.destination.DestinationCommand.SendTest;
import dev.relay.destination.DestinationCommand.UpdateAction;
import dev.relay.destination.DestinationCommand.UpdateSettings;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.ActionUpdated;
import dev.relay.destination.DestinationEvent.ActionsReplaced;
import dev.relay.destination.DestinationEvent.DestinationCreated;
import dev.relay.destination.DestinationEvent.DestinationDeleted;
import dev.relay.destination.DestinationEvent.DestinationDisabled;
import dev.relay.destination.DestinationEvent.DestinationEnabled;
import dev.relay.destination.DestinationEvent.PendingCarriedOver;
import dev.relay.destination.DestinationEvent.SettingsUpdated;
import dev.relay.logging.LogFields;
import dev.relay.mapping.MappingLimits;
import dev.relay.persistence.JournalFailureBackoff;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
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
        DestinationCommand, DestinationEvent, DestinationState> {

  public static final EntityTypeKey<DestinationCommand> TYPE_KEY =
      EntityTypeKey.create(DestinationCommand.class, "Destination");

  // ---------------------------------------------------------------------------------------------
  // Wiring

  /** What a destination entity needs from its node. */
  public record Setup(
      Catalog catalog,
      Deliverer deliverer,
      DeliverySettings settings,
      DestinationTags tags,
      Clock clock,
      MappingLimits mappingLimits,
      JournalFailureBackoff onPersistFailure,
      DestinationMetrics metrics,
      PendingStore pending) {}

  public static void init(ActorSystem<?> system, Setup setup) {
    ClusterSharding.get(system)
        .init(
            Entity.of(TYPE_KEY, context -> create(context.getEntityId(), setup, Optional.of(context.getShard())))
                .withStopMessage(new InternalCommand.Stop())
                .withSettings(ClusterShardingSettings.create(system).withRememberEntities(true)));
  }

  public static Behavior<DestinationCommand> create(
      String destinationId,
      Setup setup,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new DestinationEntity(destinationId, setup, context, timers, shard)));
  }

  private final String destinationId;
  private final Setup setup;
  private final ActorContext<DestinationCommand> context;
  private final Optional<ActorRef<ClusterSharding.ShardCommand>> shard;
  private final String tag;
  private final Dispatcher dispatcher;
  private final PendingReads pendingReads;
  private final DestinationState.Limits limits;
  private final DestinationMetrics.Recorder metrics;

  private CompiledActions compiled;
  /** When this entity started (System.nanoTime), for its first recovery's timings. */
  private long startedAt = System.nanoTime();

  private DestinationEntity(
      String destinationId,
      Setup setup,
      ActorContext<DestinationCommand> context,
      TimerScheduler<DestinationCommand> timers,
      Optional<ActorRef<ClusterSharding.ShardCommand>> shard) {
    // A failed journal write or recovery (database away) restarts the entity after a pause; it
    // recovers from the journal and makes the attempts it had in flight again.
    super(PersistenceId.of(TYPE_KEY.name(), destinationId), setup.onPersistFailure().strategy());
    this.destinationId = destinationId;
    this.setup = setup;
    this.context = context;
    this.shard = shard;
    this.metrics = setup.metrics().recorder(destinationId);
    this.tag = setup.tags().of(destinationId);
    this.dispatcher =
        new Dispatcher(
            destinationId, context, timers, setup.settings(),
            new DeliveryPipeline(setup.deliverer().forDestination(destinationId), setup.settings().recordedRequestBytes(), setup.clock()),
            setup.clock(), this::compiledActions, this::typeOf, this::refill);
    this.limits =
        new DestinationState.Limits(
            setup.settings().dedupWindowSize(), setup.settings().dedupWindow(), setup.settings().backlogWindow());
    this.pendingReads =
        new PendingReads(
            destinationId, context, timers, setup.pending(), limits.window(), setup.clock(), dispatcher, metrics,
            Effect(), this::persist, this::compiledActions, this::passivate);
  }

  @Override
  public DestinationState emptyState() {
    return new DestinationState(limits);
  }

  @Override
  public Set<String> tagsFor(DestinationEvent event) {
    if (event instanceof DestinationCreated || event instanceof DestinationDeleted) {
      return Set.of(tag, DestinationTags.DIRECTORY);
    }
    return Set.of(tag);
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    // Snapshots bound recovery time. Events are the audit trail: the entity deletes none; the retention
    // sweep (dev.relay.retention) deletes action records past the horizon, at or below the latest snapshot.
    return RetentionCriteria.snapshotEvery(setup.settings().snapshotEvery(), 2);
  }

  @Override
  public SnapshotAdapter<DestinationState> snapshotAdapter() {
    // The state is mutable: hand the snapshot store a copy it may serialize whenever it likes.
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(DestinationState state) {
        return state.snapshot();
      }

      @Override
      public DestinationState fromJournal(Object from) {
        return DestinationState.of((DestinationState.Snapshot) from, limits);
      }
    };
  }

  @Override
  public SignalHandler<DestinationState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          dispatcher.restarted();
          if (state.exists()) {
            compiledActions(state); // now, so that an unusable action is reported at recovery
          }
          pendingReads.recovered(state, startedAt);
          startedAt = 0; // a restart after a failed write recovers again, from a start not measured
        })
        .onSignal(PostStop.instance(), state -> metrics.stopped()) // moved, passivated or the node stopping
        .build();
  }

  // ---------------------------------------------------------------------------------------------
  // DestinationCommand handlers

  @Override
  public CommandHandlerWithReply<DestinationCommand, DestinationEvent, DestinationState> commandHandler() {
    CommandHandlerWithReplyBuilder<DestinationCommand, DestinationEvent, DestinationState> builder =
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
        .onCommand(Delete.class, (state, c) -> notFound(c.replyTo()))
        .onCommand(Replay.class, (state, c) -> notFound(c.replyTo()));

    builder
        .forState(DestinationState::exists)
        .onCommand(Create.class, (state, c) -> reject(c.replyTo(), Problem.Kind.CONFLICT, "destination " + destinationId + " exists"))
        .onCommand(Get.class, (state, c) -> Effect().reply(c.replyTo(), ok(state)))
        .onCommand(UpdateSettings.class, this::onUpdateSettings)
        .onCommand(ReplaceActions.class, this::onReplaceActions)
        .onCommand(UpdateAction.class, this::onUpdateAction)
        .onCommand(Enable.class, this::onEnable)
        .onCommand(Disable.class, this::onDisable)
        .onCommand(Delete.class, this::onDelete)
        .onCommand(Accept.class, this::onAccept)
        .onCommand(SendTest.class, this::onSendTest)
        .onCommand(Replay.class, pendingReads::onReplay);

    builder
        .forAnyState()
        .onCommand(InternalCommand.DeliverDue.class, this::onDeliverDue)
        .onCommand(InternalCommand.AttemptFinished.class, this::onAttemptFinished)
        .onCommand(InternalCommand.TestsFinished.class, this::onTestsFinished)
        .onCommand(InternalCommand.RecordFinishedAttempts.class, this::onRecordFinishedAttempts)
        .onCommand(InternalCommand.CarryOver.class, pendingReads::onCarryOver)
        .onCommand(InternalCommand.Loaded.class, pendingReads::onLoaded)
        .onCommand(InternalCommand.LoadFailed.class, pendingReads::onLoadFailed)
        .onCommand(InternalCommand.Retry.class, pendingReads::onRetry)
        .onCommand(InternalCommand.Refill.class, pendingReads::onRefill)
        .onCommand(InternalCommand.Counted.class, pendingReads::onCounted)
        .onCommand(InternalCommand.DiscardOrphans.class, pendingReads::onDiscardOrphans)
        .onCommand(InternalCommand.Orphans.class, pendingReads::onOrphans)
        .onCommand(InternalCommand.ReplayChecked.class, pendingReads::onReplayChecked)
        .onCommand(InternalCommand.Stop.class, (state, c) -> Effect().stop().thenNoReply());

    CommandHandlerWithReply<DestinationCommand, DestinationEvent, DestinationState> handler = builder.build();
    return (state, command) ->
        pendingReads.loading() && !(command instanceof InternalCommand.Answer) && !(command instanceof InternalCommand.Stop)
            ? Effect().stash()
            : handler.apply(state, command);
  }

  private ReplyEffect<DestinationEvent, DestinationState> onCreate(DestinationState state, Create create) {
    if (state.deleted()) {
      return reject(create.replyTo(), Problem.Kind.CONFLICT, "destination " + destinationId + " was deleted");
    }
    Optional<DestinationType> type = setup.catalog().find(create.type());
    if (type.isEmpty()) {
      return reject(create.replyTo(), Problem.Kind.INVALID, "unknown destination type '" + create.type() + "'");
    }
    if (create.name() == null || create.name().isBlank()) {
      return reject(create.replyTo(), Problem.Kind.INVALID, "name: required");
    }
    ObjectNode settings = create.settings() != null ? create.settings() : JsonNodeFactory.instance.objectNode();
    Optional<String> problem = DestinationRules.settingsProblem(setup.catalog(), type.get(), settings, setup.settings().addressPolicy());
    List<ActionConfig> actions =
        create.actions().map(DestinationRules::withIds).orElseGet(() -> DestinationRules.defaultActions(type.get()));
    problem = problem.or(() -> DestinationRules.actionsProblem(type.get(), actions, setup.mappingLimits()));
    if (problem.isPresent()) {
      return reject(create.replyTo(), Problem.Kind.INVALID, problem.get());
    }
    Instant now = now();
    return persist(
            List.of(
                new DestinationCreated(
                    destinationId, create.name(), create.type(), settings, actions, create.enabled(), now),
                // Its pending actions are kept in the pending table from the start.
                new PendingCarriedOver(List.of(), true, now)))
        .thenRun(created -> created.backlog().startEmpty())
        .thenRun(created -> LogFields.with(LogFields.DESTINATION_ID, destinationId, () ->
            context.getLog().info("Destination {} created: {} ({})", destinationId, create.name(), create.type())))
        .thenReply(create.replyTo(), this::ok);
  }

  private ReplyEffect<DestinationEvent, DestinationState> onUpdateSettings(DestinationState state, UpdateSettings update) {
    DestinationType type = typeOf(state);
    ObjectNode settings = Settings.patched(type.settingsSchema(), state.config().settings(), update.patch());
    Optional<String> problem = DestinationRules.settingsProblem(setup.catalog(), type, settings, setup.settings().addressPolicy());
    if (problem.isPresent()) {
      return reject(update.replyTo(), Problem.Kind.INVALID, problem.get());
    }
    return persist(new SettingsUpdated(settings, now()))
        .thenReply(update.replyTo(), this::ok);
  }

  private ReplyEffect<DestinationEvent, DestinationState> onReplaceActions(DestinationState state, ReplaceActions replace) {
    List<ActionConfig> actions = DestinationRules.withIds(replace.actions());
    Optional<String> problem = DestinationRules.actionsProblem(typeOf(state), actions, setup.mappingLimits());
    if (problem.isPresent()) {
      return reject(replace.replyTo(), Problem.Kind.INVALID, problem.get());
    }
    return persist(new ActionsReplaced(actions, now()))
        .thenRun(pendingReads::discardOrphans)
        .thenReply(replace.replyTo(), this::ok);
  }

  private ReplyEffect<DestinationEvent, DestinationState> onUpdateAction(DestinationState state, UpdateAction update) {
    Optional<ActionConfig> existing = state.config().action(update.actionId());
    if (existing.isEmpty()) {
      return reject(update.replyTo(), Problem.Kind.NOT_FOUND, "no action " + update.actionId() + " in destination " + destinationId);
    }
    ActionConfig action = existing.get();
    action = update.enabled().map(action::withEnabled).orElse(action);
    action = update.trigger().map(action::withTrigger).orElse(action);
    action = update.mapping().map(action::withMapping).orElse(action);
    Optional<String> problem =
        DestinationRules.actionProblem(DestinationRules.actionTypes(typeOf(state)), action, setup.mappingLimits());
    if (problem.isPresent()) {
      return reject(update.replyTo(), Problem.Kind.INVALID, problem.get());
    }
    return persist(new ActionUpdated(action, now()))
        .thenRun(pendingReads::discardOrphans)
        .thenReply(update.replyTo(), this::ok);
  }

  private ReplyEffect<DestinationEvent, DestinationState> onEnable(DestinationState state, Enable enable) {
    if (state.config().enabled()) {
      return Effect().reply(enable.replyTo(), ok(state));
    }
    return persist(new DestinationEnabled(now()))
        .thenRun(dispatcher::deliverDue)
        .thenReply(enable.replyTo(), this::ok);
  }

  private ReplyEffect<DestinationEvent, DestinationState> onDisable(DestinationState state, Disable disable) {
    if (!state.config().enabled()) {
      return Effect().reply(disable.replyTo(), ok(state));
    }
    return persist(new DestinationDisabled(now()))
        .thenRun(dispatcher::deliverDue)
        .thenReply(disable.replyTo(), this::ok);
  }

  private ReplyEffect<DestinationEvent, DestinationState> onDelete(DestinationState state, Delete delete) {
    DestinationView last = view(state);
    // Its pending work is discarded next, a page at a time; then it passivates.
    return persist(new DestinationDeleted(now()))
        .thenRun(pendingReads::discardOrphans)
        .thenReply(delete.replyTo(), s -> new DestinationReply.Ok(last));
  }

  private ReplyEffect<DestinationEvent, DestinationState> onAccept(DestinationState state, Accept accept) {
    if (!state.config().enabled()) {
      return Effect().reply(accept.replyTo(), StatusReply.success(new DestinationReply.Accepted(0, 0)));
    }
    int room = setup.settings().maxPending() - state.pendingCount();
    AcceptDecision decision = AcceptDecision.of(compiledActions(state), accept.events(), state::seen, room, now());
    StatusReply<DestinationReply.Accepted> accepted = StatusReply.success(decision.accepted());
    if (decision.events().isEmpty()) {
      return Effect().reply(accept.replyTo(), accepted);
    }
    return persist(decision.events())
        .thenRun(dispatcher::deliverDue)
        .thenReply(accept.replyTo(), s -> accepted);
  }

  private ReplyEffect<DestinationEvent, DestinationState> onSendTest(DestinationState state, SendTest test) {
    Instant now = now();
    List<ActionQueued> queued = compiledActions(state).queue("test", test.event(), now, true);
    if (queued.isEmpty()) {
      return Effect().reply(test.replyTo(), new TestReport(List.of()));
    }
    if (!dispatcher.reserveTests(queued.size())) {
      return Effect().reply(test.replyTo(), new TestReport(List.of(), true));
    }
    return Effect()
        .persist(List.copyOf(queued))
        .thenRun(s -> dispatcher.sendTests(s, queued, test.replyTo()))
        .thenNoReply();
  }

  private ReplyEffect<DestinationEvent, DestinationState> onTestsFinished(DestinationState state, InternalCommand.TestsFinished finished) {
    Dispatcher.TestsDone done = dispatcher.testsFinished(state, finished);
    return Effect().persist(done.records()).thenReply(finished.replyTo(), s -> done.report());
  }

  private ReplyEffect<DestinationEvent, DestinationState> notFoundAccept(Accept accept) {
    // The ingest cache may name a destination deleted a moment ago: nothing to do, and nothing lost.
    passivate();
    return Effect().reply(accept.replyTo(), StatusReply.success(new DestinationReply.Accepted(0, 0)));
  }

  // ---------------------------------------------------------------------------------------------
  // Delivery: the dispatcher sends, the entity journals what came of it

  private ReplyEffect<DestinationEvent, DestinationState> onDeliverDue(DestinationState state, InternalCommand.DeliverDue due) {
    List<String> expired = dispatcher.expiredWhileDown(state, now());
    if (expired.isEmpty()) {
      return Effect().none().thenRun(dispatcher::deliverDue).thenNoReply();
    }
    return persist(new ActionDiscarded(expired, "its retry window passed while the destination was down", now()))
        .thenRun(dispatcher::deliverDue)
        .thenNoReply();
  }

  private ReplyEffect<DestinationEvent, DestinationState> onAttemptFinished(DestinationState state, InternalCommand.AttemptFinished attempt) {
    dispatcher.finished(attempt);
    return Effect().none().thenRun(dispatcher::deliverDue).thenNoReply();
  }

  private ReplyEffect<DestinationEvent, DestinationState> onRecordFinishedAttempts(DestinationState state, InternalCommand.RecordFinishedAttempts record) {
    List<InternalCommand.AttemptFinished> batch = dispatcher.takeFinished();
    if (batch.isEmpty()) {
      return Effect().noReply();
    }
    Instant now = now();
    List<DestinationEvent> events = new ArrayList<>(batch.size());
    for (InternalCommand.AttemptFinished attempt : batch) {
      events.add(dispatcher.recordOf(state, attempt, now));
    }
    return persist(events)
        .thenRun(
            s -> {
              dispatcher.recorded(batch);
              dispatcher.deliverDue(s);
            })
        .thenNoReply();
  }

  /** The dispatcher found the window running low. */
  private void refill() {
    pendingReads.refill();
  }

  @Override
  public EventHandler<DestinationState, DestinationEvent> eventHandler() {
    return (state, event) -> {
      metrics.applying(state, event);
      return state.apply(event);
    };
  }

  /**
   * Journals {@code events}; once written, this node's metrics count them. Every event but the API
   * call tester's (which the tally skips) goes through here; what a write that bypassed it tallied is
   * counted with the next one.
   */
  private EffectBuilder<DestinationEvent, DestinationState> persist(DestinationEvent event) {
    return persist(List.of(event));
  }

  private EffectBuilder<DestinationEvent, DestinationState> persist(List<? extends DestinationEvent> events) {
    return Effect().persist(List.copyOf(events)).thenRun(metrics::journaled);
  }

  // ---------------------------------------------------------------------------------------------

  private CompiledActions compiledActions(DestinationState state) {
    if (compiled == null || !compiled.compiledFrom(state.config().actions())) {
      compiled = new CompiledActions(state.config().actions(), setup.mappingLimits());
      compiled.unusable().forEach((actionId, why) -> LogFields.with(LogFields.DESTINATION_ID, destinationId, () ->
          context.getLog().warn(
              "Destination {}: action {} ({}) is unusable and never matches until it is replaced: {}",
              destinationId, actionId, state.config().action(actionId).map(ActionConfig::name).orElse(""), why)));
    }
    return compiled;
  }

  private DestinationType typeOf(DestinationState state) {
    return setup.catalog().find(state.config().type()).orElseThrow(
        () -> new IllegalStateException("destination type " + state.config().type() + " is not in this build"));
  }

  private DestinationReply ok(DestinationState state) {
    return new DestinationReply.Ok(view(state));
  }

  private DestinationView view(DestinationState state) {
    return DestinationView.of(state.config(), typeOf(state));
  }

  private ReplyEffect<DestinationEvent, DestinationState> notFound(ActorRef<DestinationReply> replyTo) {
    passivate();
    return reject(replyTo, Problem.Kind.NOT_FOUND, "no destination " + destinationId);
  }

  private ReplyEffect<DestinationEvent, DestinationState> reject(ActorRef<DestinationReply> replyTo, Problem.Kind problem, String message) {
    return Effect().reply(replyTo, new DestinationReply.Rejected(problem, message));
  }

  /** Asks sharding to stop this entity and forget it, so unknown ids are not remembered. */
  private void passivate() {
    shard.ifPresent(s -> s.tell(new ClusterSharding.Passivate<>(context.getSelf())));
  }

  private Instant now() {
    return setup.clock().instant();
  }
}
