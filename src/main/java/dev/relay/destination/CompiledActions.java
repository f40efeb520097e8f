package dev.relay.destination;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.core.Ids;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.mapping.Mapping;
import dev.relay.mapping.MappingException;
import dev.relay.mapping.MappingLimits;
import dev.relay.mapping.Trigger;
import dev.relay.mapping.TriggerException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A destination's actions with their triggers and mappings compiled, so that evaluating them on an
 * event never parses anything. Built once per change of the actions.
 *
 * <p>An action that does not compile (one journaled before a limit existed, or before a rule got
 * stricter) is left out as unusable: it never matches, and the rest of the destination works.
 */
final class CompiledActions {

  record Compiled(ActionConfig config, Trigger trigger, Mapping mapping) {}

  private final List<ActionConfig> source;
  private final Map<String, Compiled> byId = new LinkedHashMap<>();
  private final Map<String, String> unusable = new LinkedHashMap<>();

  CompiledActions(List<ActionConfig> actions, MappingLimits limits) {
    this.source = actions;
    for (ActionConfig action : actions) {
      Trigger trigger;
      try {
        trigger = Trigger.compile(action.trigger(), limits);
      } catch (TriggerException e) {
        unusable.put(action.id(), "trigger: " + e.getMessage());
        continue;
      }
      try {
        byId.put(action.id(), new Compiled(action, trigger, Mapping.compile(action.mapping(), limits)));
      } catch (MappingException e) {
        unusable.put(action.id(), "mapping: " + e.getMessage());
      }
    }
  }

  /** True when these were compiled from exactly {@code actions} (the same immutable list). */
  boolean compiledFrom(List<ActionConfig> actions) {
    return source == actions;
  }

  Optional<Compiled> get(String actionId) {
    return Optional.ofNullable(byId.get(actionId));
  }

  /** The usable actions. */
  Iterable<Compiled> all() {
    return byId.values();
  }

  /** The enabled, usable actions whose trigger matches {@code event}, queued for it. */
  List<ActionQueued> queue(String sourceId, ObjectNode event, Instant at, boolean test) {
    List<ActionQueued> queued = new ArrayList<>();
    for (Compiled action : byId.values()) {
      if (action.config().enabled() && action.trigger().matches(event)) {
        queued.add(
            new ActionQueued(Ids.newTimeOrderedId("itm"), action.config().id(), action.config().name(), sourceId, event, at, test));
      }
    }
    return queued;
  }

  /** Why each unusable action (by id) did not compile. */
  Map<String, String> unusable() {
    return unusable;
  }
}
