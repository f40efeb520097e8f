package dev.relay.http;

import static org.apache.pekko.http.javadsl.server.Directives.complete;
import static org.apache.pekko.http.javadsl.server.Directives.entity;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.relay.core.Problem;
import java.io.IOException;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.marshallers.jackson.Jackson;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;

/** JSON in and out of the HTTP API, with Pekko's shared, configured ObjectMapper. */
public final class Json {

  private Json() {}

  /** Pekko's "jackson-json" mapper: Java time as ISO-8601, records, Optionals. */
  public static ObjectMapper mapper(ActorSystem<?> system) {
    return JacksonObjectMapperProvider.get(system).getOrCreate("jackson-json", Optional.empty());
  }

  /**
   * The request body as JSON, whatever Content-Type the client sent (curl sends a form type by
   * default); a body that is not JSON is a 400 saying why.
   */
  public static Route withBody(ObjectMapper mapper, Function<JsonNode, Route> inner) {
    return entity(
        Unmarshaller.entityToByteString(),
        bytes -> {
          JsonNode body;
          try {
            body = bytes.isEmpty() ? MissingNode.getInstance() : mapper.readTree(bytes.toArray());
          } catch (StreamConstraintsException e) {
            throw Problem.invalid(overLimit(mapper, e));
          } catch (IOException e) {
            throw Problem.invalid("invalid JSON: " + firstLine(e.getMessage()));
          }
          if (body.isMissingNode()) {
            throw Problem.invalid("a JSON body is required");
          }
          return inner.apply(body);
        });
  }

  /** Which of Jackson's read limits the body broke, named by its key in Pekko's configuration. */
  private static String overLimit(ObjectMapper mapper, StreamConstraintsException e) {
    String keys = "pekko.serialization.jackson.read";
    if (e.getOriginalMessage().contains("nesting depth")) {
      return "invalid JSON: nested more than " + mapper.getFactory().streamReadConstraints().getMaxNestingDepth()
          + " levels deep (limit " + keys + ".max-nesting-depth)";
    }
    return "invalid JSON: " + firstLine(e.getOriginalMessage()) + " (limits " + keys + ")";
  }

  private static String firstLine(String text) {
    int end = text.indexOf('\n');
    return end < 0 ? text : text.substring(0, end);
  }

  public static Route ok(ObjectMapper mapper, Object body) {
    return complete(StatusCodes.OK, body, Jackson.marshaller(mapper));
  }

  public static Route created(ObjectMapper mapper, Object body) {
    return complete(StatusCodes.CREATED, body, Jackson.marshaller(mapper));
  }

  /** A 200 response with a body that is JSON already. */
  public static HttpResponse okJson(String body) {
    return HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  /** An error response: {@code {"error": message}} with the given status. */
  public static HttpResponse error(StatusCode status, String message) {
    String body = "{\"error\":" + quote(message) + "}";
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
  }

  private static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
