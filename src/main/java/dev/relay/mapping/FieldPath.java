package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A dotted path into an event, split once and read many times, with the lookup rules of Segment's
 * {@code get} helper (shared by mapping-kit and the trigger evaluator).
 *
 * <p>Segments are the runs of characters other than {@code .}, {@code [} and {@code ]}, so
 * {@code a.b[0].c} and {@code a.b.0.c} are the same path; {@code ""} and {@code "."} are the root.
 * Each step is JavaScript's {@code prev && prev[key]}: a falsy value ({@code null}, {@code false},
 * {@code 0}, {@code ""}) is returned as it is instead of being looked into, arrays and strings answer
 * {@code length} and numeric indexes.
 */
final class FieldPath {
  static final FieldPath ROOT = new FieldPath(new String[0]);

  private final String[] keys;
  /** The array/string index each key denotes, or -1. Precomputed so reads never parse. */
  private final int[] indexes;

  private FieldPath(String[] keys) {
    this.keys = keys;
    this.indexes = new int[keys.length];
    for (int i = 0; i < keys.length; i++) {
      indexes[i] = arrayIndex(keys[i]);
    }
  }

  /** Splits a path as Segment does; empty when it has no segment at all (Segment then throws). */
  static Optional<FieldPath> parse(String path) {
    if (path.isEmpty() || path.equals(".")) {
      return Optional.of(ROOT);
    }
    List<String> keys = new ArrayList<>();
    int start = -1;
    for (int i = 0; i <= path.length(); i++) {
      boolean separator = i == path.length() || isSeparator(path.charAt(i));
      if (separator && start >= 0) {
        keys.add(path.substring(start, i));
        start = -1;
      } else if (!separator && start < 0) {
        start = i;
      }
    }
    return keys.isEmpty() ? Optional.empty() : Optional.of(new FieldPath(keys.toArray(String[]::new)));
  }

  /**
   * The path of an {@code @path} directive: mapping-kit drops the first {@code "$."} and reads the
   * rest, so {@code "$."} is the whole event and {@code "properties.x"} works without {@code $.}.
   */
  static FieldPath forPathDirective(String path, String where) {
    int marker = path.indexOf("$.");
    String relative = marker < 0 ? path : path.substring(0, marker) + path.substring(marker + 2);
    return parse(relative).orElseThrow(
        () -> new MappingException(where, "\"" + path + "\" is not a path (it has no field names)"));
  }

  /** A path given as its segments, as {@code @path} also accepts (e.g. a key containing a dot). */
  static FieldPath of(List<String> keys) {
    return new FieldPath(keys.toArray(String[]::new));
  }

  private static boolean isSeparator(char c) {
    return c == '.' || c == '[' || c == ']';
  }

  /** Reads the path from {@code root}; {@code null} means JavaScript's undefined. */
  JsonNode read(JsonNode root) {
    JsonNode current = root;
    for (int i = 0; i < keys.length; i++) {
      if (current instanceof ObjectNode) {
        current = current.get(keys[i]); // the common step; objects are always truthy
      } else if (current == null || !JsValues.isTruthy(current)) {
        return current;
      } else {
        current = step(current, keys[i], indexes[i]);
      }
    }
    return current;
  }

  private static JsonNode step(JsonNode current, String key, int index) {
    if (current.isObject()) {
      return current.get(key);
    }
    if (current.isArray()) {
      if (index >= 0) {
        return current.get(index);
      }
      return key.equals("length") ? IntNode.valueOf(current.size()) : null;
    }
    if (current.isTextual()) {
      String text = current.textValue();
      if (index >= 0) {
        return index < text.length() ? TextNode.valueOf(String.valueOf(text.charAt(index))) : null;
      }
      return key.equals("length") ? IntNode.valueOf(text.length()) : null;
    }
    return null;
  }

  /** JavaScript array index: a canonical non-negative integer ("0", "12"; not "01" or "+1"). */
  private static int arrayIndex(String key) {
    if (key.isEmpty() || key.length() > 9 || (key.length() > 1 && key.charAt(0) == '0')) {
      return -1;
    }
    int value = 0;
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  boolean isRoot() {
    return keys.length == 0;
  }

  @Override
  public String toString() {
    return String.join(".", keys);
  }
}
