package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The destination types this build of Relay can deliver to, and checking settings against them. */
public final class Catalog {

  private final Map<String, DestinationType> types = new LinkedHashMap<>();
  private final Map<String, Schema> schemas = new LinkedHashMap<>();

  public Catalog(List<DestinationType> types) {
    SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    for (DestinationType type : types) {
      this.types.put(type.type(), type);
      this.schemas.put(type.type(), registry.getSchema(type.settingsSchema().toString()));
    }
  }

  /** Every type Relay ships with. */
  public static Catalog standard(ObjectMapper mapper) {
    return new Catalog(
        List.of(new WebhookDestination(mapper), new MixpanelDestination(mapper), new AmplitudeDestination(mapper),
            new CustomerIoDestination(mapper), new SlackDestination(mapper), new HubSpotDestination(mapper)));
  }

  public Optional<DestinationType> find(String type) {
    return Optional.ofNullable(types.get(type));
  }

  public List<DestinationType> all() {
    return List.copyOf(types.values());
  }

  /** Why {@code settings} do not fit the type's schema, naming the fields; empty when they do. */
  public Optional<String> problems(DestinationType type, JsonNode settings) {
    List<Error> errors = schemas.get(type.type()).validate(settings);
    if (errors.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        "invalid settings for " + type.type() + ": "
            + errors.stream().map(Catalog::describe).collect(Collectors.joining("; ")));
  }

  private static String describe(Error error) {
    String at = error.getInstanceLocation().toString();
    String message = error.getMessage();
    return at.equals("$") ? message : at + ": " + message;
  }
}
