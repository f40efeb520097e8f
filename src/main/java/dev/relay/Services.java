package dev.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.catalog.Catalog;
import dev.relay.delivery.HttpDelivery;
import dev.relay.destination.ApiCallTester;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.DestinationMetrics;
import dev.relay.destination.Destinations;
import dev.relay.destination.PendingTable;
import dev.relay.http.Json;
import dev.relay.ingest.Ingest;
import dev.relay.ingest.IngestSettings;
import dev.relay.metrics.Metrics;
import dev.relay.persistence.Database;
import dev.relay.persistence.JournalSideWrites;
import dev.relay.readside.ReadSide;
import dev.relay.retention.Retention;
import dev.relay.source.DeletedDestinations;
import dev.relay.source.SourceDirectory;
import dev.relay.source.SourceEntity;
import dev.relay.source.Sources;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.SerializationExtension;

/** The parts of a running node that the HTTP API (and tests) talk to. */
public record Services(
    ObjectMapper mapper,
    Catalog catalog,
    Destinations destinations,
    Sources sources,
    Ingest ingest,
    IngestSettings ingestSettings,
    ReadSide readSide,
    ApiCallTester tester) {

  static Services start(ActorSystem<?> system, RelaySettings settings, Database database) {
    ObjectMapper mapper = Json.mapper(system);
    Clock clock = Clock.systemUTC();
    Catalog catalog = Catalog.standard(mapper);
    // Before any entity writes: the pending table is written in the journal's transactions.
    PendingTable pending =
        new PendingTable(
            database.dataSource(),
            system.dispatchers().lookup(DispatcherSelector.fromConfig("relay.delivery.backlog-dispatcher")),
            SerializationExtension.get(Adapter.toClassic(system)),
            settings.database().postgres());
    JournalSideWrites.get(system).register(pending);
    DestinationEntity.init(
        system,
        new DestinationEntity.Setup(
            catalog,
            HttpDelivery.of(system, settings.delivery()),
            settings.delivery(),
            settings.readSideTags(),
            clock,
            settings.mappingLimits(),
            settings.journalFailureBackoff(),
            new DestinationMetrics(Metrics.get(system).registry(), settings.metrics().maxDestinations(), clock),
            pending));
    SourceEntity.init(system, clock, settings.journalFailureBackoff());

    SourceDirectory directory = new SourceDirectory(system, settings.sourceDirectory());
    directory.loadWhenUp();
    Duration askTimeout = settings.admin().askTimeout();
    Destinations destinations = new Destinations(system, askTimeout, directory);
    Sources sources = new Sources(system, destinations, directory, askTimeout);
    DeletedDestinations.start(
        system, database.dataSource(), directory, sources,
        settings.readSide().restartMinBackoff(), settings.readSide().restartMaxBackoff());
    Retention.start(system, new Retention(database.dataSource(), settings.retention(), Metrics.get(system).registry()), clock);
    return new Services(
        mapper,
        catalog,
        destinations,
        sources,
        new Ingest(system, mapper, settings.ingest(), directory, clock),
        settings.ingest(),
        ReadSide.start(system, settings.readSide(), database, settings.readSideTags(), destinations, directory, catalog, mapper),
        new ApiCallTester(system, mapper, settings.testerTimeout(), clock));
  }
}
