package dev.relay.source;

import dev.relay.cluster.Readiness;
import dev.relay.destination.ConnectedSources;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.LWWRegister;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.OptionConverters;

/**
 * Every node's copy of write key → source → connected destinations, so ingest resolves a request
 * without a database round trip. A replicated map (Pekko Distributed Data) in memory: a change is
 * written to every node before the admin call that made it returns ({@code WriteAll}), so requests
 * that start afterwards see it on any node. Entries are versioned by the source's own history and
 * the newest wins. At start a node rebuilds its copy from the sources' journal (the map lives only
 * in memory) and is not ready until it has.
 */
public final class SourceDirectory implements ConnectedSources {

  private static final Logger log = LoggerFactory.getLogger(SourceDirectory.class);
  /** The readiness condition of a loaded directory. */
  public static final String READY = "source-directory";
  private static final Key<LWWMap<String, SourceRoute>> KEY = LWWMapKey.create("source-routes");
  /** Entries are ordered by the source's version, not by wall clocks. */
  private static final LWWRegister.Clock<SourceRoute> BY_VERSION = (current, route) -> route.version();

  private final ActorSystem<?> system;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  private final CompletableFuture<Done> loaded = new CompletableFuture<>();
  private final SourceDirectorySettings settings;

  public SourceDirectory(ActorSystem<?> system, SourceDirectorySettings settings) {
    this.system = system;
    this.replicator = DistributedData.get(system).replicator();
    this.self = DistributedData.get(system).selfUniqueAddress();
    this.settings = settings;
  }

  /** The live source with this write key, from this node's copy. */
  public CompletionStage<Optional<SourceRoute>> byWriteKey(String writeKey) {
    return local()
        .thenApply(
            map ->
                map.flatMap(m -> OptionConverters.toJava(m.get(writeKey))).filter(r -> !r.deleted()));
  }

  /** The live sources connected to {@code destinationId}, from this node's copy, by id. */
  public CompletionStage<List<String>> sourcesOf(String destinationId) {
    return all()
        .thenApply(
            routes ->
                routes.values().stream()
                    .filter(r -> !r.deleted() && r.destinations().contains(destinationId))
                    .map(SourceRoute::id)
                    .sorted()
                    .toList());
  }

  @Override
  public CompletionStage<List<String>> of(String destinationId) {
    return sourcesOf(destinationId);
  }

  /** Completes once this node's copy is loaded from the journal (and stays complete). */
  public CompletionStage<Done> loaded() {
    return loaded;
  }

  /** Every entry, by write key, tombstones included. */
  public CompletionStage<Map<String, SourceRoute>> all() {
    return local().thenApply(map -> map.map(LWWMap::getEntries).orElse(Map.of()));
  }

  /** This node's replica: no network, no database. */
  private CompletionStage<Optional<LWWMap<String, SourceRoute>>> local() {
    return AskPattern.<Replicator.Command, Replicator.GetResponse<LWWMap<String, SourceRoute>>>ask(
            replicator,
            replyTo -> new Replicator.Get<>(KEY, Replicator.readLocal(), replyTo),
            settings.readTimeout(),
            system.scheduler())
        .thenApply(
            response ->
                response instanceof Replicator.GetSuccess<LWWMap<String, SourceRoute>> success
                    ? Optional.of(success.get(KEY))
                    : Optional.empty());
  }

  /**
   * Publishes {@code route} to every node; completes once all have it, fails when some node did not
   * confirm in time (the change still spreads, and repeating the call confirms it).
   */
  public CompletionStage<SourceRoute> publish(SourceRoute route) {
    return update(List.of(route), new Replicator.WriteAll(settings.writeTimeout()))
        .thenApply(
            response -> {
              if (response instanceof Replicator.UpdateSuccess) {
                return route;
              }
              throw new IllegalStateException("not every node confirmed the change in time");
            });
  }

  /**
   * Loads the sources once this node is Up and every member has seen it so: from then on every
   * change's {@code WriteAll} includes this node, so nothing written after the journal is read can
   * pass it by. Until then the node is not ready and ingest answers 503.
   */
  public void loadWhenUp() {
    Readiness.get(system).await(READY);
    Cluster cluster = Cluster.get(system.classicSystem());
    cluster.registerOnMemberUp(
        () -> {
          CompletableFuture<Void> converged = new CompletableFuture<>();
          awaitConvergence(cluster, System.nanoTime() + settings.convergenceWait().toNanos(), converged);
          converged.thenRun(() -> loadUntilLoaded(settings.loadRetryMinBackoff()));
        });
  }

  /** Completes once every member has seen the latest membership (or, at the latest, at the deadline). */
  private void awaitConvergence(Cluster cluster, long deadline, CompletableFuture<Void> converged) {
    Set<Address> members = new HashSet<>();
    cluster.state().getMembers().forEach(m -> members.add(m.address()));
    if (cluster.state().getSeenBy().containsAll(members) || System.nanoTime() > deadline) {
      converged.complete(null);
    } else {
      system.scheduler().scheduleOnce(
          settings.convergenceCheckInterval(), () -> awaitConvergence(cluster, deadline, converged), system.executionContext());
    }
  }

  /**
   * Loads the sources, trying again after a growing pause while the journal cannot be read (the
   * database is away): the node becomes ready by itself once it can.
   */
  private void loadUntilLoaded(Duration backoff) {
    rebuild()
        .whenComplete(
            (count, failure) -> {
              if (failure != null) {
                log.warn("Could not load the sources from the journal ({}); ingest stays unavailable, trying again in {} ms",
                    failure.getMessage(), backoff.toMillis());
                Duration max = settings.loadRetryMaxBackoff();
                Duration next = backoff.multipliedBy(2).compareTo(max) > 0 ? max : backoff.multipliedBy(2);
                system.scheduler().scheduleOnce(backoff, () -> loadUntilLoaded(next), system.executionContext());
              }
            });
  }

  /** Loads every source from the journal into this node's copy; then the node may become ready. */
  CompletionStage<Integer> rebuild() {
    JdbcReadJournal journal =
        PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal
        .currentEventsByTag(SourceEntity.TAG, Offset.noOffset())
        .runWith(
            Sink.fold(
                new HashMap<String, SourceEntity.State>(),
                (states, envelope) -> {
                  String pid = envelope.persistenceId();
                  String sourceId = pid.substring(pid.indexOf('|') + 1);
                  SourceEntity.State state = states.getOrDefault(sourceId, new SourceEntity.State(null));
                  states.put(sourceId, state.apply((SourceEntity.Event) envelope.event()));
                  return states;
                }),
            system)
        .thenCompose(
            states -> {
              List<SourceRoute> routes = states.values().stream().map(SourceEntity.State::route).toList();
              return update(routes, Replicator.writeLocal()).thenApply(done -> routes.size());
            })
        .whenComplete(
            (count, failure) -> {
              if (failure == null) {
                log.info("Source directory loaded: {} sources", count);
                Readiness.get(system).ready(READY);
                loaded.complete(Done.getInstance());
              }
            });
  }

  private CompletionStage<Replicator.UpdateResponse<LWWMap<String, SourceRoute>>> update(
      List<SourceRoute> routes, Replicator.WriteConsistency consistency) {
    return AskPattern.ask(
        replicator,
        replyTo ->
            new Replicator.Update<>(
                KEY,
                LWWMap.create(),
                consistency,
                replyTo,
                map -> {
                  LWWMap<String, SourceRoute> updated = map;
                  for (SourceRoute route : routes) {
                    SourceRoute known = updated.getEntries().get(route.writeKey());
                    // Never step back: an older copy (e.g. a rebuild racing a change) is ignored.
                    if (known == null || known.version() < route.version()) {
                      updated = updated.put(self, route.writeKey(), route, BY_VERSION);
                    }
                  }
                  return updated;
                }),
        // Longer than the replicator's own write timeout, so that its answer (UpdateTimeout) comes first.
        settings.writeTimeout().plusSeconds(2),
        system.scheduler());
  }
}
