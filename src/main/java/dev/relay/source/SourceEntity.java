package dev.relay.source;

import dev.relay.core.CborSerializable;
import dev.relay.persistence.JournalFailureBackoff;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReplyBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A source of events (a website or a server) with its write key and the destinations it feeds. Its
 * events, all tagged {@value #TAG}, are what every node's {@link SourceDirectory} is rebuilt from.
 */
public final class SourceEntity
    extends EventSourcedBehaviorWithEnforcedReplies<
        SourceEntity.Command, SourceEntity.Event, SourceEntity.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Source");
  public static final String TAG = "sources";

  // Commands -------------------------------------------------------------------------------

  public sealed interface Command extends CborSerializable {}

  public record Create(String name, String type, String writeKey, ActorRef<Reply> replyTo) implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public record ConnectDestination(String destinationId, ActorRef<Reply> replyTo) implements Command {}

  public record DisconnectDestination(String destinationId, ActorRef<Reply> replyTo) implements Command {}

  public record Delete(ActorRef<Reply> replyTo) implements Command {}

  // Replies --------------------------------------------------------------------------------

  public sealed interface Reply extends CborSerializable {}

  /** The source after the command, as the directory keeps it. */
  public record Ok(SourceRoute source) implements Reply {}

  public record NotFound(String message) implements Reply {}

  public record Conflict(String message) implements Reply {}

  // Events ---------------------------------------------------------------------------------

  public sealed interface Event extends CborSerializable {}

  public record SourceCreated(String id, String name, String type, String writeKey, Instant at) implements Event {}

  public record DestinationConnected(String destinationId, Instant at) implements Event {}

  public record DestinationDisconnected(String destinationId, Instant at) implements Event {}

  public record SourceDeleted(Instant at) implements Event {}

  // State ----------------------------------------------------------------------------------

  /** The source as far as it exists; {@code route} is null before creation. */
  public record State(SourceRoute route) implements CborSerializable {
    boolean exists() {
      return route != null && !route.deleted();
    }

    /** The state after {@code event}, every change one version newer. */
    State apply(Event event) {
      if (event instanceof SourceCreated c) {
        return new State(new SourceRoute(c.id(), c.name(), c.type(), c.writeKey(), List.of(), false, 1, c.at()));
      } else if (event instanceof DestinationConnected c) {
        return new State(route.withDestination(c.destinationId(), true));
      } else if (event instanceof DestinationDisconnected d) {
        return new State(route.withDestination(d.destinationId(), false));
      } else {
        return new State(route.asDeleted());
      }
    }
  }

  // Wiring ---------------------------------------------------------------------------------

  /** @param onPersistFailure how a source whose journal write or recovery failed comes back */
  public static void init(ActorSystem<?> system, Clock clock, JournalFailureBackoff onPersistFailure) {
    ClusterSharding.get(system)
        .init(Entity.of(TYPE_KEY, context -> create(context.getEntityId(), clock, onPersistFailure)));
  }

  public static Behavior<Command> create(String sourceId, Clock clock, JournalFailureBackoff onPersistFailure) {
    return Behaviors.setup(context -> new SourceEntity(sourceId, clock, onPersistFailure));
  }

  private final String sourceId;
  private final Clock clock;

  private SourceEntity(String sourceId, Clock clock, JournalFailureBackoff onPersistFailure) {
    super(PersistenceId.of(TYPE_KEY.name(), sourceId), onPersistFailure.strategy());
    this.sourceId = sourceId;
    this.clock = clock;
  }

  @Override
  public State emptyState() {
    return new State(null);
  }

  @Override
  public Set<String> tagsFor(Event event) {
    return Set.of(TAG);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    CommandHandlerWithReplyBuilder<Command, Event, State> builder = newCommandHandlerWithReplyBuilder();
    builder
        .forState(state -> !state.exists())
        .onCommand(Create.class, this::onCreate)
        .onCommand(Get.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(ConnectDestination.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(DisconnectDestination.class, (s, c) -> notFound(c.replyTo()))
        .onCommand(Delete.class, (s, c) -> notFound(c.replyTo()));
    builder
        .forState(State::exists)
        .onCommand(Create.class, (s, c) -> Effect().reply(c.replyTo(), new Conflict("source " + sourceId + " exists")))
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), new Ok(s.route())))
        .onCommand(ConnectDestination.class, this::onConnect)
        .onCommand(DisconnectDestination.class, this::onDisconnect)
        .onCommand(Delete.class, (s, c) -> Effect().persist(new SourceDeleted(clock.instant())).thenReply(c.replyTo(), this::ok));
    return builder.build();
  }

  private ReplyEffect<Event, State> onCreate(State state, Create create) {
    if (state.route() != null) {
      return Effect().reply(create.replyTo(), new Conflict("source " + sourceId + " was deleted"));
    }
    return Effect()
        .persist(new SourceCreated(sourceId, create.name(), create.type(), create.writeKey(), clock.instant()))
        .thenReply(create.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onConnect(State state, ConnectDestination connect) {
    if (state.route().destinations().contains(connect.destinationId())) {
      return Effect().reply(connect.replyTo(), ok(state));
    }
    return Effect()
        .persist(new DestinationConnected(connect.destinationId(), clock.instant()))
        .thenReply(connect.replyTo(), this::ok);
  }

  private ReplyEffect<Event, State> onDisconnect(State state, DisconnectDestination disconnect) {
    if (!state.route().destinations().contains(disconnect.destinationId())) {
      return Effect().reply(disconnect.replyTo(), ok(state));
    }
    return Effect()
        .persist(new DestinationDisconnected(disconnect.destinationId(), clock.instant()))
        .thenReply(disconnect.replyTo(), this::ok);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
  }

  private Reply ok(State state) {
    return new Ok(state.route());
  }

  private ReplyEffect<Event, State> notFound(ActorRef<Reply> replyTo) {
    return Effect().reply(replyTo, new NotFound("no source " + sourceId));
  }

}
