package dev.relay.catalog;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.http.Json;
import java.util.List;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /api/catalog}: the destination types, their settings schemas and default actions. */
public final class CatalogRoutes extends AllDirectives {

  record CatalogEntry(String type, String name, ObjectNode settings, List<ActionDefinition> defaultActions) {}

  private final List<CatalogEntry> entries;
  private final ObjectMapper mapper;

  public CatalogRoutes(Catalog catalog, ObjectMapper mapper) {
    this.mapper = mapper;
    this.entries =
        catalog.all().stream()
            .map(t -> new CatalogEntry(t.type(), t.name(), t.settingsSchema(), t.defaultActions()))
            .toList();
  }

  public Route route() {
    return path("catalog", () -> get(() -> Json.ok(mapper, entries)));
  }
}
