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

  /** The configuration a destination is created with. */
  public static DestinationConfig of(DestinationEvent.DestinationCreated created) {
    return new DestinationConfig(
        created.id(), created.name(), created.type(), created.enabled(), created.settings(), List.copyOf(created.actions()));
  }

  /** This configuration after {@code event}: itself unless the event changes the configuration. */
  public DestinationConfig apply(DestinationEvent event) {
    if (event instanceof DestinationEvent.SettingsUpdated e) {
      return withSettings(e.settings());
    } else if (event instanceof DestinationEvent.ActionsReplaced e) {
      return withActions(e.actions());
    } else if (event instanceof DestinationEvent.ActionUpdated e) {
      return withAction(e.action());
    } else if (event instanceof DestinationEvent.DestinationEnabled) {
      return withEnabled(true);
    } else if (event instanceof DestinationEvent.DestinationDisabled) {
      return withEnabled(false);
    }
    return this;
  }

  /** True for the events {@link #apply} changes a configuration by. */
  public static boolean changes(DestinationEvent event) {
    return event instanceof DestinationEvent.SettingsUpdated
        || event instanceof DestinationEvent.ActionsReplaced
        || event instanceof DestinationEvent.ActionUpdated
        || event instanceof DestinationEvent.DestinationEnabled
        || event instanceof DestinationEvent.DestinationDisabled;
  }

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
