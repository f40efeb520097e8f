package dev.relay.mapping;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JavaScript's {@code JSON.stringify} and {@code JSON.parse}, for {@code @json}. Jackson's own
 * writer differs in small visible ways (15.0 for 15, upper-case \\u escapes), and a destination
 * receiving an encoded string must get the same bytes Segment would send.
 */
final class JsJson {
  private static final ObjectMapper PARSER =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsJson() {}

  static String stringify(JsonNode value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  /**
   * {@code JSON.parse}; numbers come back as JavaScript holds them (1.0 is 1).
   *
   * @throws IllegalArgumentException saying what is wrong with the text
   */
  static JsonNode parse(String text) {
    if (text.isBlank()) {
      throw new IllegalArgumentException("Unexpected end of JSON input");
    }
    try {
      return normalizeNumbers(PARSER.readTree(text));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e.getOriginalMessage(), e);
    }
  }

  private static JsonNode normalizeNumbers(JsonNode node) {
    if (node.isNumber()) {
      return JsNumbers.normalize(node);
    }
    if (node.isArray()) {
      ArrayNode array = (ArrayNode) node;
      for (int i = 0; i < array.size(); i++) {
        array.set(i, normalizeNumbers(array.get(i)));
      }
    } else if (node.isObject()) {
      Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        field.setValue(normalizeNumbers(field.getValue()));
      }
    }
    return node;
  }

  private static void write(JsonNode value, StringBuilder out) {
    if (value.isTextual()) {
      quote(value.textValue(), out);
    } else if (value.isNumber()) {
      double number = value.doubleValue();
      out.append(Double.isFinite(number) ? JsNumbers.format(number) : "null");
    } else if (value.isBoolean()) {
      out.append(value.booleanValue());
    } else if (value.isArray()) {
      out.append('[');
      for (int i = 0; i < value.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        write(value.get(i), out);
      }
      out.append(']');
    } else if (value.isObject()) {
      writeObject((ObjectNode) value, out);
    } else {
      out.append("null");
    }
  }

  private static void writeObject(ObjectNode object, StringBuilder out) {
    out.append('{');
    boolean first = true;
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!first) {
        out.append(',');
      }
      first = false;
      quote(field.getKey(), out);
      out.append(':');
      write(field.getValue(), out);
    }
    out.append('}');
  }

  /** JSON.stringify's quoting: short escapes, \\u00xx for other controls and lone surrogates. */
  static void quote(String text, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || isLoneSurrogate(text, i)) {
            out.append("\\u").append(HEX[c >> 12 & 0xF]).append(HEX[c >> 8 & 0xF])
                .append(HEX[c >> 4 & 0xF]).append(HEX[c & 0xF]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static boolean isLoneSurrogate(String text, int i) {
    char c = text.charAt(i);
    if (Character.isHighSurrogate(c)) {
      return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
    }
    if (Character.isLowSurrogate(c)) {
      return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
    }
    return false;
  }
}
