package dev.relay;

import dev.relay.persistence.Database;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.catalog.Catalog;
import dev.relay.delivery.HttpDelivery;
import dev.relay.destination.ApiCallTester;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.Destinations;
import dev.relay.http.Json;
import dev.relay.ingest.Ingest;
import dev.relay.ingest.IngestSettings;
import dev.relay.readside.ReadSide;
import dev.relay.source.SourceDirectory;
import dev.relay.source.SourceEntity;
import dev.relay.source.Sources;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

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

  /** The time an admin request waits for an entity. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  static Services start(ActorSystem<?> system, RelaySettings settings, Database database) {
    ObjectMapper mapper = Json.mapper(system);
    Clock clock = Clock.systemUTC();
    Catalog catalog = Catalog.standard(mapper);
    DestinationEntity.init(
        system,
        new DestinationEntity.Setup(
            catalog,
            new HttpDelivery(
                system,
                settings.delivery().addressPolicy(),
                settings.delivery().responseExcerptBytes(),
                settings.delivery().maxResponseBytes()),
            settings.delivery(),
            settings.readSideTags(),
            clock,
            settings.mappingLimits()));
    SourceEntity.init(system, clock);

    SourceDirectory directory = new SourceDirectory(system, Duration.ofSeconds(5));
    directory.loadWhenUp();
    Destinations destinations = new Destinations(system, ASK_TIMEOUT);
    IngestSettings ingestSettings = IngestSettings.from(system.settings().config());
    return new Services(
        mapper,
        catalog,
        destinations,
        new Sources(system, destinations, directory, ASK_TIMEOUT),
        new Ingest(system, mapper, ingestSettings, directory, clock),
        ingestSettings,
        ReadSide.start(system, database, settings.readSideTags(), destinations, mapper),
        new ApiCallTester(system, mapper, system.settings().config().getDuration("relay.read-side.tester-timeout"), clock));
  }
}
