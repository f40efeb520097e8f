package dev.relay.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * What a node still waits for before it takes traffic (HTTP bound, routing cache loaded, ...). Read by
 * the management {@code /ready} check; each part of the node registers and then reports itself.
 */
public final class Readiness implements Extension {

  private final Map<String, Boolean> conditions = new ConcurrentHashMap<>();

  public static final ExtensionId<Readiness> ID =
      new ExtensionId<>() {
        @Override
        public Readiness createExtension(ActorSystem<?> system) {
          return new Readiness();
        }
      };

  public static Readiness get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Declares a condition the node is not ready without. */
  public void await(String condition) {
    conditions.putIfAbsent(condition, false);
  }

  public void ready(String condition) {
    conditions.put(condition, true);
  }

  /** A condition that held no longer does (e.g. the database went away). */
  public void notReady(String condition) {
    conditions.put(condition, false);
  }

  public boolean isReady() {
    return !conditions.isEmpty() && conditions.values().stream().allMatch(Boolean::booleanValue);
  }

  public boolean isReady(String condition) {
    return conditions.getOrDefault(condition, false);
  }

  @Override
  public String toString() {
    return conditions.toString();
  }
}
