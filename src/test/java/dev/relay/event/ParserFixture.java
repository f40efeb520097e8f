package dev.relay.event;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;

/** A parser with the default limits, a fixed arrival time, and JSON written with single quotes. */
final class ParserFixture {

  static final Instant RECEIVED_AT = Instant.parse("2024-05-01T12:00:00.500Z");
  static final ObjectMapper MAPPER = new ObjectMapper();

  private final IngestParser parser;

  ParserFixture() {
    this(EventLimits.defaults());
  }

  ParserFixture(EventLimits limits) {
    parser = new IngestParser(MAPPER, limits);
  }

  /** {@code {'a':'b'}} becomes {@code {"a":"b"}}, to keep test bodies readable. */
  static String json(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  IngestRequest parse(String endpoint, String singleQuotedJson) throws InvalidRequest {
    return parser.parse(endpoint, json(singleQuotedJson).getBytes(UTF_8), RECEIVED_AT);
  }

  ObjectNode parseOne(String endpoint, String singleQuotedJson) throws InvalidRequest {
    return parse(endpoint, singleQuotedJson).events().get(0);
  }

  InvalidRequest rejected(String endpoint, String singleQuotedJson) {
    return rejectedBytes(endpoint, json(singleQuotedJson).getBytes(UTF_8));
  }

  InvalidRequest rejectedBytes(String endpoint, byte[] body) {
    return assertThrows(InvalidRequest.class, () -> parser.parse(endpoint, body, RECEIVED_AT));
  }

  IngestRequest parseBytes(String endpoint, byte[] body) throws InvalidRequest {
    return parser.parse(endpoint, body, RECEIVED_AT);
  }
}
