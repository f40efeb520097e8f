package dev.relay.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * What every type of the catalog declares the same way: its id, its name, its settings schema (with
 * the {@code rateLimit} every type takes) and its default actions.
 */
abstract class CatalogType implements DestinationType {

  private final String type;
  private final String name;
  private final ObjectNode schema;
  private final List<ActionDefinition> defaultActions;

  CatalogType(String type, String name, ObjectNode schema, List<ActionDefinition> defaultActions) {
    this.type = type;
    this.name = name;
    this.schema = RateLimit.withRateLimit(schema);
    this.defaultActions = List.copyOf(defaultActions);
  }

  @Override
  public final String type() {
    return type;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final ObjectNode settingsSchema() {
    return schema;
  }

  @Override
  public final List<ActionDefinition> defaultActions() {
    return defaultActions;
  }
}
