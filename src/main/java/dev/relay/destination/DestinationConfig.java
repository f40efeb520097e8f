package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What an operator configured for a destination. Immutable; each change makes a new one. Which
 * sources feed it is not here: a connection belongs to its source (see {@link ConnectedSources}).
 */
public record DestinationConfig(
    String id,
    String name,
    String type,
    boolean enabled,
    ObjectNode settings,
    List<ActionConfig> actions) {

  public Optional<ActionConfig> action(String actionId) {
    return actions.stream().filter(a -> a.id().equals(actionId)).findFirst();
  }

  public DestinationConfig withSettings(ObjectNode settings) {
    return new DestinationConfig(id, name, type, enabled, settings, actions);
  }

  public DestinationConfig withActions(List<ActionConfig> actions) {
    return new DestinationConfig(id, name, type, enabled, settings, List.copyOf(actions));
  }

  public DestinationConfig withAction(ActionConfig action) {
    List<ActionConfig> updated = new ArrayList<>(actions);
    updated.replaceAll(a -> a.id().equals(action.id()) ? action : a);
    return withActions(updated);
  }

  public DestinationConfig withEnabled(boolean enabled) {
    return new DestinationConfig(id, name, type, enabled, settings, actions);
  }
}
