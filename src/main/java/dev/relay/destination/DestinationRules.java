package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;
import dev.relay.catalog.Catalog;
import dev.relay.catalog.DestinationType;
import dev.relay.core.Ids;
import dev.relay.delivery.AddressPolicy;
import dev.relay.mapping.Mapping;
import dev.relay.mapping.MappingException;
import dev.relay.mapping.MappingLimits;
import dev.relay.mapping.Trigger;
import dev.relay.mapping.TriggerException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What makes a destination's configuration valid: settings that fit the type's schema, and actions
 * of the type's kinds whose triggers and mappings compile. Checked when saved, so that nothing
 * invalid ever reaches delivery.
 */
final class DestinationRules {

  private DestinationRules() {}

  /**
   * Why these settings are refused; empty when they are fine. Besides the type's own rules: no
   * credentials in a URL (they would show wherever the URL does), and no IP address literal the
   * node may not connect to (a host name is checked each time it is resolved, at send time).
   */
  static Optional<String> settingsProblem(
      Catalog catalog, DestinationType type, JsonNode settings, AddressPolicy addresses) {
    if (settings == null || !settings.isObject()) {
      return Optional.of("settings must be an object");
    }
    return catalog
        .problems(type, settings)
        .or(() -> type.settingsProblem(settings))
        .or(() -> type.endpoints(settings).stream().flatMap(url -> urlProblem(url, addresses).stream()).findFirst());
  }

  static Optional<String> urlProblem(String url, AddressPolicy addresses) {
    // Read by hand rather than with java.net.URI, which refuses characters (| { } ^) that the HTTP
    // client sends and that saved URLs may already contain.
    int scheme = url.indexOf("://");
    if (scheme < 0) {
      return Optional.empty(); // the schema's pattern requires http(s)://
    }
    int end = scheme + 3;
    while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
      end++;
    }
    String authority = url.substring(scheme + 3, end);
    if (authority.contains("@")) {
      return Optional.of(
          "url: credentials in the URL are not accepted; put them in the headers setting"
              + " (e.g. Authorization), whose values are kept secret");
    }
    String host = authority.startsWith("[") && authority.contains("]")
        ? authority.substring(0, authority.indexOf(']') + 1)
        : authority.replaceFirst(":[0-9]*$", "");
    return addresses.literalRefusal(host).map(refusal -> "url: " + refusal);
  }

  /** Why these actions are refused; empty when they are fine. */
  static Optional<String> actionsProblem(
      DestinationType type, List<ActionConfig> actions, MappingLimits limits) {
    Set<String> ids = new HashSet<>();
    Set<String> kinds = actionTypes(type);
    for (int i = 0; i < actions.size(); i++) {
      ActionConfig action = actions.get(i);
      String at = "actions[" + i + "]";
      if (!ids.add(action.id())) {
        return Optional.of(at + ": duplicate id " + action.id());
      }
      Optional<String> problem = actionProblem(kinds, action, limits).map(p -> at + "." + p);
      if (problem.isPresent()) {
        return problem;
      }
    }
    return Optional.empty();
  }

  /** Why one action is refused, naming the field; empty when it is fine. */
  static Optional<String> actionProblem(Set<String> kinds, ActionConfig action, MappingLimits limits) {
    if (action.name() == null || action.name().isBlank()) {
      return Optional.of("name: required");
    }
    if (action.type() == null || !kinds.contains(action.type())) {
      return Optional.of("type: must be one of " + kinds);
    }
    if (action.trigger() == null) {
      return Optional.of("trigger: required");
    }
    try {
      Trigger.compile(action.trigger(), limits);
    } catch (TriggerException e) {
      return Optional.of("trigger: " + e.getMessage());
    }
    if (action.mapping() == null || action.mapping().isMissingNode()) {
      return Optional.of("mapping: required");
    }
    try {
      Mapping.compile(action.mapping(), limits);
    } catch (MappingException e) {
      return Optional.of("mapping: " + e.getMessage());
    }
    return Optional.empty();
  }

  static Set<String> actionTypes(DestinationType type) {
    Set<String> kinds = new HashSet<>();
    type.defaultActions().forEach(a -> kinds.add(a.type()));
    return kinds;
  }

  /** The type's default actions, as a new destination's actions. */
  static List<ActionConfig> defaultActions(DestinationType type) {
    List<ActionConfig> actions = new ArrayList<>();
    type.defaultActions()
        .forEach(
            d ->
                actions.add(
                    new ActionConfig(Ids.newId("act"), d.name(), d.type(), d.trigger(), d.mapping(), true)));
    return actions;
  }

  /** {@code actions} with an id given to each action that has none. */
  static List<ActionConfig> withIds(List<ActionConfig> actions) {
    return actions.stream()
        .map(
            a ->
                a.id() == null || a.id().isBlank()
                    ? new ActionConfig(Ids.newId("act"), a.name(), a.type(), a.trigger(), a.mapping(), a.enabled())
                    : a)
        .toList();
  }
}
