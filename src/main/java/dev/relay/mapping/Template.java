package dev.relay.mapping;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code @template}: {@code {{a.b}}} placeholders replaced by the value at that path, missing or
 * null values by the empty string, other values as JavaScript's {@code String()} prints them.
 *
 * <p>Like mapping-kit, {@code {{{a.b}}}} placeholders are filled first and {@code {{a.b}}} ones
 * second, over the text the first pass produced. Templates without triple braces (nearly all) are
 * split into literal and path parts once, at compile time.
 */
final class Template implements Evaluator {
  private final Object[] parts; // String literals and FieldPaths, in order
  private final boolean hasTriplePlaceholders;
  private final String where;

  private Template(Object[] parts, boolean hasTriplePlaceholders, String where) {
    this.parts = parts;
    this.hasTriplePlaceholders = hasTriplePlaceholders;
    this.where = where;
  }

  static Template compile(String template, String where) {
    List<Object> triple = split(template, 3, where);
    if (triple.size() > 1) {
      return new Template(triple.toArray(), true, where);
    }
    return new Template(split(template, 2, where).toArray(), false, where);
  }

  @Override
  public JsonNode evaluate(JsonNode root) {
    String rendered = render(parts, root);
    if (hasTriplePlaceholders) {
      rendered = render(split(rendered, 2, where).toArray(), root);
    }
    return TextNode.valueOf(rendered);
  }

  private static String render(Object[] parts, JsonNode root) {
    if (parts.length == 1 && parts[0] instanceof String literal) {
      return literal;
    }
    StringBuilder out = new StringBuilder(64);
    for (Object part : parts) {
      if (part instanceof String literal) {
        out.append(literal);
      } else {
        JsonNode value = ((FieldPath) part).read(root);
        if (value != null && !value.isNull()) {
          out.append(JsValues.toJsString(value));
        }
      }
    }
    return out.toString();
  }

  /**
   * Finds placeholders with {@code braces} curly braces exactly as the regex
   * {@code \{\{([^}]+)\}\}} (or its triple form) would, globally and left to right.
   *
   * @return literals and paths alternating, starting and ending with a (possibly empty) literal
   */
  private static List<Object> split(String text, int braces, String where) {
    List<Object> parts = new ArrayList<>();
    int literalStart = 0;
    int i = 0;
    while (i + 2 * braces < text.length()) {
      if (isRun(text, i, '{', braces)) {
        int innerStart = i + braces;
        int innerEnd = innerStart;
        while (innerEnd < text.length() && text.charAt(innerEnd) != '}') {
          innerEnd++;
        }
        if (innerEnd > innerStart && isRun(text, innerEnd, '}', braces)) {
          parts.add(text.substring(literalStart, i));
          parts.add(placeholderPath(text.substring(innerStart, innerEnd), where));
          i = innerEnd + braces;
          literalStart = i;
          continue;
        }
      }
      i++;
    }
    parts.add(text.substring(literalStart));
    return parts;
  }

  private static boolean isRun(String text, int at, char c, int count) {
    if (at + count > text.length()) {
      return false;
    }
    for (int k = 0; k < count; k++) {
      if (text.charAt(at + k) != c) {
        return false;
      }
    }
    return true;
  }

  private static FieldPath placeholderPath(String inner, String where) {
    String path = JsValues.trim(inner);
    return FieldPath.parse(path).orElseThrow(
        () -> new MappingException(where, "\"{{" + inner + "}}\" does not name a field"));
  }
}
