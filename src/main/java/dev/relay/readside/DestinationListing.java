package dev.relay.readside;

import dev.relay.catalog.Catalog;
import dev.relay.catalog.DestinationType;
import dev.relay.destination.ConnectedSources;
import dev.relay.destination.DestinationConfig;
import dev.relay.destination.DestinationEvent;
import dev.relay.destination.DestinationTags;
import dev.relay.destination.DestinationView;
import dev.relay.destination.Destinations;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Every destination, oldest first, without waking their entities: which destinations exist comes
 * from the journal's directory tag (creations and deletions only, read through an index, so one
 * created a moment ago is listed), each one's configuration from the read side. Only a destination
 * the read side has no configuration of yet (created a moment ago, or projected by a version that
 * did not keep it, until a rebuild) is asked.
 */
final class DestinationListing {

  private final ActorSystem<?> system;
  private final ActionLogRepository repository;
  private final Destinations destinations;
  private final ConnectedSources sources;
  private final Catalog catalog;

  DestinationListing(
      ActorSystem<?> system, ActionLogRepository repository, Destinations destinations, ConnectedSources sources, Catalog catalog) {
    this.system = system;
    this.repository = repository;
    this.destinations = destinations;
    this.sources = sources;
    this.catalog = catalog;
  }

  CompletionStage<List<DestinationView>> list() {
    return ids().thenCombine(repository.configs(), (ids, configs) -> ids.stream().map(id -> view(id, configs)).toList())
        .thenCompose(
            views ->
                CompletableFuture.allOf(views.toArray(CompletableFuture[]::new))
                    .thenApply(done -> views.stream().map(CompletableFuture::join).flatMap(Optional::stream).toList()));
  }

  private CompletableFuture<Optional<DestinationView>> view(String id, Map<String, DestinationConfig> configs) {
    DestinationConfig config = configs.get(id);
    Optional<DestinationType> type = config == null ? Optional.empty() : catalog.find(config.type());
    if (type.isEmpty()) {
      return destinations.find(id).toCompletableFuture();
    }
    DestinationView view = DestinationView.of(config, type.get());
    return sources.of(id).thenApply(connected -> Optional.of(view.withSources(connected))).toCompletableFuture();
  }

  /** The ids of the live destinations, in the order they were created. */
  private CompletionStage<List<String>> ids() {
    JdbcReadJournal journal =
        PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    return journal
        .currentEventsByTag(DestinationTags.DIRECTORY, Offset.noOffset())
        .runWith(
            Sink.fold(
                new LinkedHashSet<String>(),
                (ids, envelope) -> {
                  String id = ActionLogHandler.destinationId(envelope.persistenceId());
                  if (envelope.event() instanceof DestinationEvent.DestinationDeleted) {
                    ids.remove(id);
                  } else {
                    ids.add(id);
                  }
                  return ids;
                }),
            system)
        .thenApply(ArrayList::new);
  }
}
