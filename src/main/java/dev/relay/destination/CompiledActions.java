package dev.relay.destination;

import dev.relay.mapping.Mapping;
import dev.relay.mapping.Trigger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A destination's actions with their triggers and mappings compiled, so that evaluating them on an
 * event never parses anything. Built once per change of the actions.
 */
final class CompiledActions {

  record Compiled(ActionConfig config, Trigger trigger, Mapping mapping) {}

  private final List<ActionConfig> source;
  private final Map<String, Compiled> byId = new LinkedHashMap<>();

  CompiledActions(List<ActionConfig> actions) {
    this.source = actions;
    for (ActionConfig action : actions) {
      byId.put(
          action.id(),
          new Compiled(action, Trigger.compile(action.trigger()), Mapping.compile(action.mapping())));
    }
  }

  /** True when these were compiled from exactly {@code actions} (the same immutable list). */
  boolean compiledFrom(List<ActionConfig> actions) {
    return source == actions;
  }

  Optional<Compiled> get(String actionId) {
    return Optional.ofNullable(byId.get(actionId));
  }

  Iterable<Compiled> all() {
    return byId.values();
  }
}
