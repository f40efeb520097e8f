package dev.relay.destination;

import dev.relay.core.Problem;
import dev.relay.destination.DestinationCommand.Replay;
import dev.relay.destination.DestinationEvent.ActionDiscarded;
import dev.relay.destination.DestinationEvent.PendingCarriedOver;
import dev.relay.destination.DestinationState.PendingAction;
import dev.relay.logging.LogFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A destination entity's conversation with its pending table: the window of due actions refilled from
 * it, an older version's backlog carried into it, the pending work of removed actions and deleted
 * destinations discarded from it a page at a time, and a replay's check of which originals are still
 * in it. While a read is under way every other command waits in the entity's stash (see {@link
 * #loading()}), so what is read agrees with the state it is merged into. Runs in the entity's own
 * thread; the entity routes the answers here.
 */
final class PendingReads {

  /** Pending actions discarded per event when their action or destination goes. */
  private static final int ORPHAN_PAGE = 1000;
  /** An older version's pending actions per event when they are carried into the table. */
  private static final int CARRY_OVER_PAGE = 1000;
  private static final String LOAD_TIMER = "load";
  private static final Duration LOAD_MIN_BACKOFF = Duration.ofSeconds(1);
  private static final Duration LOAD_MAX_BACKOFF = Duration.ofSeconds(30);
  /** How often a refill of the window counts the pending actions again, against any drift. */
  private static final Duration RECOUNT_EVERY = Duration.ofMinutes(1);

  private final String destinationId;
  private final ActorContext<DestinationCommand> context;
  private final TimerScheduler<DestinationCommand> timers;
  private final PendingStore pending;
  private final int window;
  /** How many actions the read under way asks for: the window and the actions in flight. */
  private int loadLimit;
  private final Clock clock;
  private final Dispatcher dispatcher;
  private final DestinationMetrics.Recorder metrics;
  private final EffectFactories<DestinationEvent, DestinationState> effect;
  /** The entity's journaling of events, which its metrics count. */
  private final Function<List<? extends DestinationEvent>, EffectBuilder<DestinationEvent, DestinationState>> persist;
  private final Function<DestinationState, CompiledActions> actions;
  /** Asks sharding to stop the entity and forget it. */
  private final Runnable passivate;

  /**
   * A read of the pending table is under way (or the carry-over of an older version's pending
   * actions): every command but the answers waits in the stash, so what is read agrees with the state
   * it is merged into.
   */
  private boolean loading;
  private Duration loadBackoff = LOAD_MIN_BACKOFF;
  /** When the pending actions were last counted in the table (null: not since starting). */
  private Instant countedAt;
  private long loadStartedAt;
  /**
   * When the entity started (0 after a restart, which is not measured from its start) and when its
   * journal was replayed (System.nanoTime).
   */
  private long startedAt;
  private long replayedAt;
  /** When the first window after (re)starting was in, and delivery could begin (0: not yet). */
  private long firstWindowAt;

  PendingReads(
      String destinationId,
      ActorContext<DestinationCommand> context,
      TimerScheduler<DestinationCommand> timers,
      PendingStore pending,
      int window,
      Clock clock,
      Dispatcher dispatcher,
      DestinationMetrics.Recorder metrics,
      EffectFactories<DestinationEvent, DestinationState> effect,
      Function<List<? extends DestinationEvent>, EffectBuilder<DestinationEvent, DestinationState>> persist,
      Function<DestinationState, CompiledActions> actions,
      Runnable passivate) {
    this.destinationId = destinationId;
    this.context = context;
    this.timers = timers;
    this.pending = pending;
    this.window = window;
    this.clock = clock;
    this.dispatcher = dispatcher;
    this.metrics = metrics;
    this.effect = effect;
    this.persist = persist;
    this.actions = actions;
    this.passivate = passivate;
  }

  /** Whether a read is under way: then every command but its answers waits in the stash. */
  boolean loading() {
    return loading;
  }

  /**
   * The entity (re)started from its journal: forget the reads of its former life, then carry an older
   * version's backlog into the table or load the window, and discard what a node that died half-way
   * left behind.
   */
  void recovered(DestinationState state, long startedAt) {
    loading = false;
    countedAt = null;
    loadBackoff = LOAD_MIN_BACKOFF;
    this.startedAt = startedAt;
    replayedAt = System.nanoTime();
    firstWindowAt = 0;
    if (state.config() == null) {
      metrics.recovered(state); // no such destination: nothing pending
    } else if (!state.pendingInTable()) {
      loading = true;
      context.getSelf().tell(new InternalCommand.CarryOver());
    } else {
      firstWindow(Optional.of(new InternalCommand.DiscardOrphans()));
    }
  }

  /**
   * The first window after (re)starting, read without counting the backlog: counting scans every
   * pending row (seconds at millions), so delivery starts with the window and the count follows.
   */
  private void firstWindow(Optional<DestinationCommand> then) {
    countedAt = clock.instant(); // the count comes right after the window
    read(false, Optional.of(new InternalCommand.Count(then)));
  }

  // ---------------------------------------------------------------------------------------------
  // The window refilled from the table

  /**
   * Reads the next due pending actions into the window; {@code then} is sent once they are in. The
   * first read after (re)starting counts them all, and then one a minute at most: between, the events
   * keep the counts.
   */
  private void load(Optional<DestinationCommand> then) {
    Instant now = clock.instant();
    boolean counted = countedAt == null || !now.isBefore(countedAt.plus(RECOUNT_EVERY));
    if (counted) {
      countedAt = now;
    }
    read(counted, then);
  }

  private void read(boolean counted, Optional<DestinationCommand> then) {
    loading = true;
    int life = dispatcher.generation();
    loadStartedAt = System.nanoTime();
    // The actions in flight stay in the window and nothing is sent while it loads, so it is read
    // with room for them besides: a window read only to its size, most of it in flight, was low
    // again the moment it was in, and the entity read the table over and over while every other
    // command, ingest's among them, waited.
    loadLimit = window + dispatcher.inFlightCount();
    context.pipeToSelf(
        pending.load(destinationId, loadLimit, counted),
        (page, failure) -> failure != null
            ? new InternalCommand.LoadFailed(life, failure, new InternalCommand.Refill(then))
            : new InternalCommand.Loaded(life, page, then));
  }

  /** The dispatcher found the window running low. */
  void refill() {
    if (!loading) {
      load(Optional.empty());
    }
  }

  ReplyEffect<DestinationEvent, DestinationState> onRefill(DestinationState state, InternalCommand.Refill refill) {
    load(refill.then());
    return effect.noReply();
  }

  ReplyEffect<DestinationEvent, DestinationState> onLoaded(DestinationState state, InternalCommand.Loaded loaded) {
    if (loaded.generation() != dispatcher.generation()) {
      return effect.noReply(); // read before a restart
    }
    loading = false;
    loadBackoff = LOAD_MIN_BACKOFF;
    boolean first = !state.backlog().loaded();
    state.backlog().replace(loaded.page().actions(), loaded.page().counts(), loadLimit, dispatcher::inFlight);
    if (first && loaded.then().orElse(null) instanceof InternalCommand.Count count) {
      firstWindowAt = System.nanoTime();
      List<PendingAction> page = loaded.page().actions();
      if (page.size() < loadLimit) {
        // The window holds every pending action: they are counted.
        return counted(state, countOf(page), count.then(), 0);
      }
      // Delivery starts with this window; the count follows at once, everything else still waiting.
      countThen(count.then());
      return effect.none().thenRun(dispatcher::deliverDue).thenNoReply();
    }
    loaded.then().ifPresent(context.getSelf()::tell);
    return effect.none().thenRun(dispatcher::deliverDue).thenNoReply().thenUnstashAll();
  }

  private void countThen(Optional<DestinationCommand> then) {
    loading = true;
    int life = dispatcher.generation();
    long countStartedAt = System.nanoTime();
    context.pipeToSelf(
        pending.count(destinationId),
        (counts, failure) -> failure != null
            ? new InternalCommand.LoadFailed(life, failure, new InternalCommand.Count(then))
            : new InternalCommand.Counted(life, counts, then, countStartedAt));
  }

  ReplyEffect<DestinationEvent, DestinationState> onCounted(DestinationState state, InternalCommand.Counted counted) {
    if (counted.generation() != dispatcher.generation()) {
      return effect.noReply(); // read before a restart
    }
    return counted(state, counted.counts(), counted.then(), System.nanoTime() - counted.startedAt());
  }

  private static PendingStore.Counts countOf(List<PendingAction> all) {
    return new PendingStore.Counts(
        all.size(),
        (int) all.stream().filter(p -> p.attempts() > 0).count(),
        all.stream().map(PendingAction::queuedAt).min(Instant::compareTo));
  }

  /** The first window after (re)starting and the count are in: the entity runs as usual from now. */
  private ReplyEffect<DestinationEvent, DestinationState> counted(
      DestinationState state, PendingStore.Counts counts, Optional<DestinationCommand> then, long countNanos) {
    loading = false;
    loadBackoff = LOAD_MIN_BACKOFF;
    state.backlog().counted(counts);
    metrics.recovered(state);
    if (state.pendingCount() > 0) {
      String started = startedAt == 0 ? "" : String.format(
          "delivering %d ms after it started (journal replayed in %d ms), ",
          (firstWindowAt - startedAt) / 1_000_000, (replayedAt - startedAt) / 1_000_000);
      LogFields.with(LogFields.DESTINATION_ID, destinationId, () -> context.getLog().info(
          "Destination {} recovered with {} actions pending ({} in memory): {}first window read in {} ms, counted in {} ms",
          destinationId, state.pendingCount(), state.pendingActions().size(), started,
          (firstWindowAt - replayedAt) / 1_000_000, countNanos / 1_000_000));
    }
    then.ifPresent(context.getSelf()::tell);
    return effect.none().thenRun(dispatcher::deliverDue).thenNoReply().thenUnstashAll();
  }

  /** A read of the pending table failed (the database away): the same read again after a pause. */
  ReplyEffect<DestinationEvent, DestinationState> onLoadFailed(DestinationState state, InternalCommand.LoadFailed failed) {
    if (failed.generation() != dispatcher.generation()) {
      return effect.noReply();
    }
    LogFields.with(LogFields.DESTINATION_ID, destinationId, () ->
        context.getLog().warn("Destination {}: reading its pending actions failed, again in {}: {}",
            destinationId, loadBackoff, failed.failure().getMessage()));
    if (failed.retry() instanceof Replay replay) {
      // An operator's request: answered now rather than held while the database is away.
      loading = false;
      return effect.none()
          .thenReply(replay.replyTo(), s -> (DestinationReply) new DestinationReply.Rejected(
              Problem.Kind.UNAVAILABLE, "the database did not answer; try again"))
          .thenUnstashAll();
    }
    timers.startSingleTimer(LOAD_TIMER, new InternalCommand.Retry(failed.generation(), failed.retry()), loadBackoff);
    loadBackoff = loadBackoff.multipliedBy(2).compareTo(LOAD_MAX_BACKOFF) > 0 ? LOAD_MAX_BACKOFF : loadBackoff.multipliedBy(2);
    return effect.noReply();
  }

  ReplyEffect<DestinationEvent, DestinationState> onRetry(DestinationState state, InternalCommand.Retry retry) {
    if (retry.generation() != dispatcher.generation()) {
      return effect.noReply();
    }
    if (retry.command() instanceof InternalCommand.Refill refill) {
      load(refill.then());
      return effect.noReply();
    }
    if (retry.command() instanceof InternalCommand.Count count) {
      countThen(count.then());
      return effect.noReply();
    }
    return onDiscardOrphans(state, (InternalCommand.DiscardOrphans) retry.command());
  }

  /**
   * Recovered as an older version left it, every pending action in memory: they go into the pending
   * table, a page per event, before anything else runs; then the window is loaded from it.
   */
  ReplyEffect<DestinationEvent, DestinationState> onCarryOver(DestinationState state, InternalCommand.CarryOver carry) {
    List<PendingAction> legacy = state.legacyPending();
    List<DestinationEvent> pages = new ArrayList<>();
    Instant now = clock.instant();
    for (int from = 0; from < legacy.size(); from += CARRY_OVER_PAGE) {
      List<PendingAction> page = legacy.subList(from, Math.min(legacy.size(), from + CARRY_OVER_PAGE));
      pages.add(new PendingCarriedOver(List.copyOf(page), from + CARRY_OVER_PAGE >= legacy.size(), now));
    }
    if (pages.isEmpty()) {
      pages.add(new PendingCarriedOver(List.of(), true, now));
    }
    if (!legacy.isEmpty()) {
      LogFields.with(LogFields.DESTINATION_ID, destinationId, () ->
          context.getLog().info("Destination {}: {} pending actions moved from memory into the pending table",
              destinationId, legacy.size()));
    }
    return effect.persist(pages)
        .thenRun(s -> firstWindow(Optional.of(new InternalCommand.DiscardOrphans())))
        .thenNoReply();
  }

  // ---------------------------------------------------------------------------------------------
  // Orphans: pending work nothing would ever deliver

  /**
   * Pending work of an action that is removed or disabled is discarded, as is all of a deleted
   * destination's: nothing would ever deliver it. (A disabled destination, by contrast, keeps its
   * pending work for when it is enabled again.) The pending table is read a page at a time, each page
   * discarded in one event; other commands run between pages. Until then the dispatcher leaves such
   * work alone. Also run after every recovery, for a node that died half-way.
   */
  void discardOrphans(DestinationState state) {
    context.getSelf().tell(new InternalCommand.DiscardOrphans());
  }

  ReplyEffect<DestinationEvent, DestinationState> onDiscardOrphans(
      DestinationState state, InternalCommand.DiscardOrphans discard) {
    if (state.config() == null) {
      return effect.noReply();
    }
    Set<String> active = new HashSet<>();
    if (!state.deleted()) {
      state.config().actions().stream().filter(ActionConfig::enabled).forEach(a -> active.add(a.id()));
    }
    String reason = state.deleted() ? "destination deleted" : "action removed or disabled";
    loading = true;
    int life = dispatcher.generation();
    context.pipeToSelf(
        pending.pendingOf(destinationId, active, true, ORPHAN_PAGE),
        (ids, failure) -> failure != null
            ? new InternalCommand.LoadFailed(life, failure, new InternalCommand.DiscardOrphans())
            : new InternalCommand.Orphans(life, ids, reason));
    return effect.noReply();
  }

  ReplyEffect<DestinationEvent, DestinationState> onOrphans(DestinationState state, InternalCommand.Orphans orphans) {
    if (orphans.generation() != dispatcher.generation()) {
      return effect.noReply(); // read before a restart
    }
    loading = false;
    if (orphans.itemIds().isEmpty()) {
      if (state.deleted()) {
        passivate.run();
      }
      return effect.none().thenRun(dispatcher::deliverDue).thenNoReply().thenUnstashAll();
    }
    return persist.apply(List.of(new ActionDiscarded(orphans.itemIds(), orphans.reason(), clock.instant())))
        .thenRun(this::discardOrphans) // the next page, after what waited meanwhile
        .thenNoReply()
        .thenUnstashAll();
  }

  // ---------------------------------------------------------------------------------------------
  // Replay: which originals are still pending

  ReplyEffect<DestinationEvent, DestinationState> onReplay(DestinationState state, Replay replay) {
    // Whether an original is still pending is the table's to say: it may be outside the window.
    loading = true;
    int life = dispatcher.generation();
    List<String> originals = replay.items().stream().map(DestinationCommand.ReplayOf::itemId).toList();
    context.pipeToSelf(
        pending.pendingAmong(destinationId, originals),
        (stillPending, failure) -> failure != null
            ? new InternalCommand.LoadFailed(life, failure, replay)
            : new InternalCommand.ReplayChecked(life, replay, stillPending));
    return effect.noReply();
  }

  ReplyEffect<DestinationEvent, DestinationState> onReplayChecked(
      DestinationState state, InternalCommand.ReplayChecked checked) {
    if (checked.generation() != dispatcher.generation()) {
      return effect.noReply();
    }
    loading = false;
    Replay replay = checked.replay();
    ReplayDecision decision =
        ReplayDecision.of(actions.apply(state), replay.items(), checked.pending()::contains, clock.instant());
    if (decision.events().isEmpty()) {
      return effect.none().thenReply(replay.replyTo(), s -> decision.reply(s.pendingCount())).thenUnstashAll();
    }
    return persist.apply(decision.events())
        .thenRun(dispatcher::deliverDue)
        .thenReply(replay.replyTo(), s -> decision.reply(s.pendingCount()))
        .thenUnstashAll();
  }
}
