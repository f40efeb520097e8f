package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.catalog.DestinationType;
import dev.relay.catalog.Settings;
import dev.relay.core.CborSerializable;
import java.util.List;

/**
 * A destination as the admin API shows it: secrets in its settings are masked; {@code sources} are
 * the sources connected to it.
 */
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
  public static DestinationView of(DestinationConfig config, DestinationType type) {
    return new DestinationView(
        config.id(),
        config.name(),
        config.type(),
        config.enabled(),
        Settings.masked(type.settingsSchema(), config.settings()),
        config.actions(),
        List.of());
  }

  /** This view with the sources that feed the destination. */
  public DestinationView withSources(List<String> sources) {
    return new DestinationView(id, name, type, enabled, settings, actions, List.copyOf(sources));
  }
}
