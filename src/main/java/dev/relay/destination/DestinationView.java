package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.Settings;
import dev.relay.core.CborSerializable;
import java.util.List;

/** A destination as the admin API shows it: secrets in its settings are masked. */
public record DestinationView(
    String id,
    String name,
    String type,
    boolean enabled,
    ObjectNode settings,
    List<ActionConfig> actions,
    List<String> sources)
    implements CborSerializable {

  /** The view of {@code config}, a destination of {@code type}. */
  static DestinationView of(DestinationConfig config, DestinationType type) {
    return new DestinationView(
        config.id(),
        config.name(),
        config.type(),
        config.enabled(),
        Settings.masked(type.settingsSchema(), config.settings()),
        config.actions(),
        config.sources());
  }
}
