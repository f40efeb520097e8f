package dev.relay.event;

import static dev.relay.event.InvalidRequest.badRequest;
import static dev.relay.event.InvalidRequest.tooLarge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Parses, validates and enriches one ingest request body. Pure and thread-safe.
 *
 * <p>The body is read once, as a token stream: each call becomes an {@link ObjectNode} as it is
 * met, and its size is the span of bytes it took in the body, so nothing is serialized again to
 * be measured. Depth is bounded by the parser itself, before any tree is built.
 */
public final class IngestParser {

  private static final String BATCH = "batch";
  private static final String BATCH_SHAPE = "\"batch\" must be a non-empty array of objects";

  private final EventLimits limits;
  private final JsonFactory factory;
  private final ObjectReader trees;

  /**
   * @param mapper the JSON mapper whose parser settings and node factory to use; its nesting
   *     limit is replaced by {@code limits.maxNestingDepth()}
   */
  public IngestParser(ObjectMapper mapper, EventLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    JsonFactory base = mapper.getFactory();
    StreamReadConstraints constraints =
        base.streamReadConstraints().rebuild().maxNestingDepth(limits.maxNestingDepth()).build();
    this.factory = base.rebuild().streamReadConstraints(constraints).build();
    // Calls are read one by one from inside the body, so what follows one is never "trailing".
    this.trees = mapper.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /**
   * @param endpoint "track", "identify", "page", "screen", "group", "alias" or "batch" (the path
   *     after /v1/)
   * @param receivedAt when the request arrived; becomes every call's {@code receivedAt}
   * @throws InvalidRequest if anything in the request breaks a rule: then no call may be stored
   */
  public IngestRequest parse(String endpoint, byte[] body, Instant receivedAt) throws InvalidRequest {
    boolean batch = BATCH.equals(endpoint);
    if (!batch && !EventTypes.isKnown(endpoint)) {
      throw badRequest("unknown endpoint /v1/" + endpoint);
    }
    if (body.length > limits.maxRequestBytes()) {
      throw tooLarge(
          "request body is " + body.length + " bytes, over the "
              + limits.maxRequestBytes() + "-byte limit");
    }
    return batch ? parseBatch(body, receivedAt) : parseSingle(endpoint, body, receivedAt);
  }

  private IngestRequest parseSingle(String type, byte[] body, Instant receivedAt)
      throws InvalidRequest {
    ObjectNode event = read(body, parser -> List.of(readEvent(parser, ""))).get(0);
    JsonNode givenType = event.get("type");
    if (EventRules.present(givenType) && !type.equals(givenType.textValue())) {
      throw badRequest("\"type\" must be \"" + type + "\" on /v1/" + type);
    }
    Optional<String> writeKey = writeKey(event.get("writeKey"));
    new Enrichment(receivedAt).apply(event, type, EventRules.check(event, type, ""));
    return new IngestRequest(writeKey, List.of(event));
  }

  private IngestRequest parseBatch(byte[] body, Instant receivedAt) throws InvalidRequest {
    ObjectNode envelope = trees.getConfig().getNodeFactory().objectNode();
    List<ObjectNode> events = read(body, parser -> readBatch(parser, envelope));

    Optional<String> writeKey = writeKey(envelope.get("writeKey"));
    JsonNode sentAt = envelope.get("sentAt");
    Enrichment enrichment =
        new Enrichment(
            receivedAt,
            objectOrNull(envelope, "context"),
            objectOrNull(envelope, "integrations"),
            sentAt,
            EventRules.date(sentAt, "sentAt", ""));
    for (int i = 0; i < events.size(); i++) {
      String where = "batch[" + i + "]: ";
      ObjectNode event = events.get(i);
      String type = batchItemType(event, where);
      enrichment.apply(event, type, EventRules.check(event, type, where));
    }
    return new IngestRequest(writeKey, events);
  }

  /** What reads the body's object, from its first token on. */
  private interface BodyReader {
    List<ObjectNode> read(JsonParser parser) throws IOException, InvalidRequest;
  }

  private List<ObjectNode> read(byte[] body, BodyReader reader) throws InvalidRequest {
    JsonParser parser;
    try {
      parser = factory.createParser(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // reading a byte array does no I/O
    }
    try (parser) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw badRequest("request body must be a JSON object");
      }
      List<ObjectNode> events = reader.read(parser);
      if (parser.nextToken() != null) {
        throw badRequest("invalid JSON: more content after the body's object");
      }
      return events;
    } catch (StreamConstraintsException e) {
      if (parser.getParsingContext().getNestingDepth() >= limits.maxNestingDepth()) {
        throw badRequest("JSON is nested deeper than " + limits.maxNestingDepth() + " levels");
      }
      throw badRequest("invalid JSON: " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw badRequest("invalid JSON: " + e.getOriginalMessage() + where);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private List<ObjectNode> readBatch(JsonParser parser, ObjectNode envelope)
      throws IOException, InvalidRequest {
    List<ObjectNode> events = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken value = parser.nextToken();
      if (!field.equals(BATCH)) {
        envelope.set(field, trees.readTree(parser));
        continue;
      }
      if (value != JsonToken.START_ARRAY) {
        throw badRequest(BATCH_SHAPE);
      }
      events = new ArrayList<>();
      while (parser.nextToken() != JsonToken.END_ARRAY) {
        String where = "batch[" + events.size() + "]: ";
        if (parser.currentToken() != JsonToken.START_OBJECT) {
          throw badRequest(where + "must be an object");
        }
        events.add(readEvent(parser, where));
      }
    }
    if (events == null || events.isEmpty()) {
      throw badRequest(BATCH_SHAPE);
    }
    return events;
  }

  /** Reads the object at the parser, measuring it by the bytes it spans in the body. */
  private ObjectNode readEvent(JsonParser parser, String where) throws IOException, InvalidRequest {
    long start = offset(parser.currentTokenLocation());
    ObjectNode event = (ObjectNode) trees.readTree(parser);
    long size = offset(parser.currentTokenLocation()) + 1 - start;
    if (size > limits.maxEventBytes()) {
      // 400, not 413: SDKs retry a 413 (Customer.io's Node library does), but the event never shrinks.
      throw badRequest(
          where + "event is " + size + " bytes, over the " + limits.maxEventBytes()
              + "-byte limit");
    }
    return event;
  }

  // Byte offsets exist for the UTF-8 that JSON over HTTP is; a UTF-16 body has only char offsets.
  private static long offset(JsonLocation location) {
    long bytes = location.getByteOffset();
    return bytes >= 0 ? bytes : location.getCharOffset();
  }

  private static String batchItemType(ObjectNode event, String where) throws InvalidRequest {
    JsonNode type = event.get("type");
    if (!EventRules.present(type)) {
      throw badRequest(where + "requires \"type\"");
    }
    if (!EventTypes.isKnown(type.textValue())) {
      throw badRequest(
          where + "unknown type " + describe(type)
              + "; expected track, identify, page, screen, group or alias");
    }
    return type.textValue();
  }

  private static Optional<String> writeKey(JsonNode value) throws InvalidRequest {
    if (!EventRules.present(value)) {
      return Optional.empty();
    }
    if (!value.isTextual()) {
      throw badRequest("\"writeKey\" must be a string");
    }
    return value.textValue().isEmpty() ? Optional.empty() : Optional.of(value.textValue());
  }

  private static ObjectNode objectOrNull(ObjectNode envelope, String field) throws InvalidRequest {
    JsonNode value = envelope.get(field);
    if (!EventRules.present(value)) {
      return null;
    }
    if (!value.isObject()) {
      throw badRequest("\"" + field + "\" must be an object");
    }
    return (ObjectNode) value;
  }

  /** A client's value, quoted if it is short enough to show in a message. */
  private static String describe(JsonNode value) {
    if (!value.isTextual()) {
      return "(not a string)";
    }
    return value.textValue().length() <= 40 ? "\"" + value.textValue() + "\"" : "(a long string)";
  }
}
