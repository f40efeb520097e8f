package dev.relay;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.catalog.Catalog;
import dev.relay.delivery.HttpDelivery;
import dev.relay.destination.DestinationEntity;
import dev.relay.destination.Destinations;
import dev.relay.http.Json;
import dev.relay.journal.ReadSide;
import java.time.Clock;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/** The parts of a running node that the HTTP API (and tests) talk to. */
public record Services(
    ObjectMapper mapper, Catalog catalog, Destinations destinations, ReadSide readSide) {

  /** The time an admin request waits for an entity. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  static Services start(ActorSystem<?> system, RelaySettings settings, Database database) {
    ObjectMapper mapper = Json.mapper(system);
    Catalog catalog = Catalog.standard(mapper);
    DestinationEntity.init(
        system,
        new DestinationEntity.Setup(
            catalog,
            new HttpDelivery(system, settings.delivery().responseExcerptBytes()),
            settings.delivery(),
            settings.readSideTags(),
            Clock.systemUTC()));
    Destinations destinations = new Destinations(system, ASK_TIMEOUT);
    return new Services(mapper, catalog, destinations, ReadSide.start(system, database, destinations, mapper));
  }
}
