package dev.relay.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Destination settings read through their JSON Schema: which values are secret ({@code "writeOnly":
 * true} on a property: every string under it), masking them for responses, and applying a patch.
 * URLs ({@code "format": "uri"}) are shown with their query values and user information masked
 * (see {@link UrlMask}).
 */
public final class Settings {

  /** What a secret looks like in a response. Sent back in a patch, it means "unchanged". */
  public static final String MASK = UrlMask.MASK;

  private Settings() {}

  /** A copy of {@code settings} with every secret replaced by {@link #MASK}, and URLs masked. */
  public static ObjectNode masked(JsonNode schema, ObjectNode settings) {
    ObjectNode copy = settings.deepCopy();
    forEachSecret(schema, copy, (parent, key) -> parent.put(key, MASK));
    forEachUrl(schema, copy, (parent, key) -> parent.put(key, UrlMask.mask(parent.get(key).asText())));
    return copy;
  }

  /** The secret values in {@code settings}, to redact from recorded requests. */
  public static List<String> secretValues(JsonNode schema, JsonNode settings) {
    List<String> secrets = new ArrayList<>();
    if (settings instanceof ObjectNode object) {
      forEachSecret(schema, object, (parent, key) -> secrets.add(parent.get(key).asText()));
    }
    return secrets;
  }

  /**
   * {@code current} with {@code patch} applied as a JSON merge patch (RFC 7386: objects merge, null
   * removes, anything else replaces). A secret sent back masked keeps its current value.
   */
  public static ObjectNode patched(JsonNode schema, ObjectNode current, ObjectNode patch) {
    ObjectNode result = current.deepCopy();
    merge(result, patch);
    keepMaskedSecrets(schema, result, current, false);
    return result;
  }

  private static void merge(ObjectNode target, ObjectNode patch) {
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode value = field.getValue();
      if (value.isNull()) {
        target.remove(field.getKey());
      } else if (value.isObject() && target.get(field.getKey()) instanceof ObjectNode existing) {
        merge(existing, (ObjectNode) value);
      } else {
        target.set(field.getKey(), value.deepCopy());
      }
    }
  }

  /**
   * Puts back, from {@code original} at the same place, every secret that reads {@link #MASK} and
   * every URL that reads as the original's masked form.
   */
  private static void keepMaskedSecrets(JsonNode schema, ObjectNode merged, JsonNode original, boolean secret) {
    List<String> keys = new ArrayList<>();
    merged.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      JsonNode propertySchema = propertySchema(schema, key);
      boolean secretHere = secret || propertySchema.path("writeOnly").asBoolean(false);
      JsonNode value = merged.get(key);
      JsonNode before = original.path(key);
      if (secretHere && value instanceof TextNode && MASK.equals(value.asText()) && before.isTextual()) {
        merged.set(key, before);
      } else if (isUrl(propertySchema) && value instanceof TextNode && before.isTextual()
          && value.asText().equals(UrlMask.mask(before.asText()))) {
        merged.set(key, before);
      } else if (value instanceof ObjectNode object) {
        keepMaskedSecrets(propertySchema, object, before, secretHere);
      }
    }
  }

  /** Calls {@code secret(parent, key)} for every string value under a writeOnly property. */
  private static void forEachSecret(
      JsonNode schema, ObjectNode value, BiConsumer<ObjectNode, String> secret) {
    List<String> keys = new ArrayList<>();
    value.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      JsonNode propertySchema = propertySchema(schema, key);
      JsonNode child = value.get(key);
      if (propertySchema.path("writeOnly").asBoolean(false)) {
        allStrings(value, key, secret);
      } else if (child instanceof ObjectNode object && propertySchema.isObject()) {
        forEachSecret(propertySchema, object, secret);
      }
    }
  }

  /** Calls {@code url(parent, key)} for every string value of a {@code "format": "uri"} property. */
  private static void forEachUrl(JsonNode schema, ObjectNode value, BiConsumer<ObjectNode, String> url) {
    List<String> keys = new ArrayList<>();
    value.fieldNames().forEachRemaining(keys::add);
    for (String key : keys) {
      JsonNode propertySchema = propertySchema(schema, key);
      JsonNode child = value.get(key);
      if (isUrl(propertySchema) && child instanceof TextNode) {
        url.accept(value, key);
      } else if (child instanceof ObjectNode object && propertySchema.isObject()) {
        forEachUrl(propertySchema, object, url);
      }
    }
  }

  /** The schema of property {@code key}: its own, else the schema of additional properties. */
  private static JsonNode propertySchema(JsonNode schema, String key) {
    JsonNode own = schema.path("properties").path(key);
    return own.isMissingNode() ? schema.path("additionalProperties") : own;
  }

  private static boolean isUrl(JsonNode propertySchema) {
    return "uri".equals(propertySchema.path("format").asText());
  }

  private static void allStrings(ObjectNode parent, String key, BiConsumer<ObjectNode, String> secret) {
    JsonNode child = parent.get(key);
    if (child instanceof TextNode) {
      secret.accept(parent, key);
    } else if (child instanceof ObjectNode object) {
      List<String> keys = new ArrayList<>();
      object.fieldNames().forEachRemaining(keys::add);
      keys.forEach(k -> allStrings(object, k, secret));
    }
  }
}
