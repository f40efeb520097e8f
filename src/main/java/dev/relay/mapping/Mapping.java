package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.Objects;

/**
 * A compiled mapping-kit mapping: immutable, thread-safe, compiled once, evaluated many times
 * without re-parsing.
 *
 * <p>Semantics follow Segment's {@code @segment/actions-core} mapping-kit: fields whose value is
 * undefined are left out, null is kept, and the directives {@code @path}, {@code @template},
 * {@code @literal}, {@code @if}, {@code @case}, {@code @replace}, {@code @arrayPath},
 * {@code @json}, {@code @flatten}, {@code @merge}, {@code @transform}, {@code @excludeWhenNull}
 * and {@code @liquid} (see {@link LiquidDirective} for its limits) behave as there, and so does a
 * root-level {@code __segment_internal_directive}.
 *
 * <p>The result shares unchanged sub-trees with the event (an {@code @path} to an object returns
 * that object, not a copy): treat both as read-only, or {@code deepCopy()} before changing them.
 */
public final class Mapping {
  private final JsonNode source;
  private final Evaluator root;

  private Mapping(JsonNode source, Evaluator root) {
    this.source = source;
    this.root = root;
  }

  /**
   * @throws MappingException naming the path in the mapping and what is wrong there, also for a
   *     mapping larger or more deeply nested than {@code limits} allow
   */
  public static Mapping compile(JsonNode mapping, MappingLimits limits) {
    Objects.requireNonNull(mapping, "mapping");
    MappingCompiler.checkLimits(mapping, limits);
    return new Mapping(mapping.deepCopy(), MappingCompiler.compile(mapping));
  }

  /**
   * Maps one event.
   *
   * @return for an object mapping an {@code ObjectNode}; {@link MissingNode} when the result is
   *     undefined (e.g. a top-level {@code @path} to a field the event does not have)
   * @throws MappingException in the rare cases mapping-kit fails at run time too, e.g. an
   *     {@code @liquid} template that renders past its limits
   */
  public JsonNode apply(JsonNode event) {
    Objects.requireNonNull(event, "event");
    JsonNode result = root.evaluate(event);
    return result == null ? MissingNode.getInstance() : result;
  }

  /** The mapping JSON as given to {@link #compile(JsonNode, MappingLimits)}. */
  public JsonNode source() {
    return source;
  }

  @Override
  public String toString() {
    return "Mapping" + source;
  }
}
