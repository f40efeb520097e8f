package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;

/**
 * The options object of a directive such as {@code {"@case": {"operator": "lower", "value": …}}}:
 * checks it is an object with only known keys, and reads options with errors that name them.
 */
final class DirectiveArgs {
  private final JsonNode options;
  private final String where;
  private final String directive;

  private DirectiveArgs(JsonNode options, String where, String directive) {
    this.options = options;
    this.where = where;
    this.directive = directive;
  }

  /** {@code where} is the directive's own path, ending in its name (e.g. {@code $.x.@case}). */
  static DirectiveArgs read(JsonNode options, String where, String directive, String... known) {
    if (!options.isObject() || MappingCompiler.isDirective(options)) {
      throw new MappingException(where,
          "should be an object but it is " + MappingCompiler.describe(options));
    }
    Iterator<String> names = options.fieldNames();
    while (names.hasNext()) {
      String key = names.next();
      if (!List.of(known).contains(key)) {
        throw new MappingException(MappingCompiler.child(where, key), "is not an option of "
            + directive + " (its options are " + String.join(", ", known) + ")");
      }
    }
    return new DirectiveArgs(options, where, directive);
  }

  /** The option, or {@code null} when absent (JSON null is present). */
  JsonNode get(String key) {
    return options.get(key);
  }

  JsonNode required(String key) {
    JsonNode value = options.get(key);
    if (value == null) {
      throw new MappingException(where, directive + " needs \"" + key + "\"");
    }
    return value;
  }

  String where(String key) {
    return MappingCompiler.child(where, key);
  }

  String where() {
    return where;
  }

  /** A string option written literally in the mapping (not computed by a directive). */
  String requiredString(String key) {
    JsonNode value = required(key);
    if (!value.isTextual()) {
      throw new MappingException(where(key),
          "should be a string but it is " + MappingCompiler.describe(value));
    }
    return value.textValue();
  }

  String optionalString(String key, String absent) {
    return options.has(key) ? requiredString(key) : absent;
  }

  boolean optionalBoolean(String key, boolean absent) {
    JsonNode value = options.get(key);
    if (value == null) {
      return absent;
    }
    if (!value.isBoolean()) {
      throw new MappingException(where(key),
          "should be a boolean but it is " + MappingCompiler.describe(value));
    }
    return value.booleanValue();
  }

  /** mapping-kit tests some options for truthiness: a falsy literal counts as not given. */
  boolean isGivenAndTruthy(String key) {
    JsonNode value = options.get(key);
    return value != null && (value.isContainerNode() || JsValues.isTruthy(value));
  }

  MappingException error(String message) {
    return new MappingException(where, message);
  }
}
