package dev.relay.api;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.OpenApi31;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * src/main/resources/openapi.json as the tests read it: its operations, and the check of a real
 * answer against the schema the document gives for that operation and status.
 */
final class OpenApiDocument {

  /** The HTTP methods an OpenAPI path item may have (and a route may answer). */
  static final List<String> METHODS = List.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

  /** One documented operation: {@code method} in lower case, {@code path} a template such as /api/sources/{sourceId}. */
  record Operation(String method, String path) {
    @Override
    public String toString() {
      return method.toUpperCase(Locale.ROOT) + " " + path;
    }
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  final byte[] bytes;
  final JsonNode root;
  private final SchemaRegistry schemas = SchemaRegistry.withDefaultDialect(OpenApi31.getInstance());

  private OpenApiDocument(byte[] bytes) {
    this.bytes = bytes;
    try {
      this.root = JSON.readTree(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The document as the node serves it. */
  static OpenApiDocument load() {
    return new OpenApiDocument(OpenApiRoute.read());
  }

  /** What swagger-parser finds wrong with the document as OpenAPI (empty when nothing). */
  List<String> parserMessages() {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    SwaggerParseResult result =
        new OpenAPIV3Parser().readContents(new String(bytes, StandardCharsets.UTF_8), null, options);
    List<String> messages = new ArrayList<>(Optional.ofNullable(result.getMessages()).orElse(List.of()));
    if (result.getOpenAPI() == null) {
      messages.add("no OpenAPI document parsed");
    } else if (!result.getOpenAPI().getOpenapi().startsWith("3.1.")) {
      messages.add("openapi is " + result.getOpenAPI().getOpenapi() + ", not 3.1.x");
    }
    return messages;
  }

  List<Operation> operations() {
    List<Operation> operations = new ArrayList<>();
    root.path("paths").fields().forEachRemaining(
        path -> METHODS.stream()
            .filter(method -> path.getValue().has(method))
            .forEach(method -> operations.add(new Operation(method, path.getKey()))));
    return operations;
  }

  Set<String> paths() {
    Set<String> paths = new java.util.TreeSet<>();
    root.path("paths").fieldNames().forEachRemaining(paths::add);
    return paths;
  }

  /**
   * The documented template a concrete path falls under: literal segments must match, {@code {x}}
   * segments match any one segment; a template with more literal segments wins.
   */
  Optional<String> templateOf(String concretePath) {
    String[] actual = concretePath.split("\\?", 2)[0].split("/", -1);
    String best = null;
    int bestLiterals = -1;
    for (String template : paths()) {
      String[] segments = template.split("/", -1);
      if (segments.length != actual.length) {
        continue;
      }
      int literals = 0;
      boolean matches = true;
      for (int i = 0; i < segments.length && matches; i++) {
        if (segments[i].startsWith("{")) {
          matches = !actual[i].isEmpty();
        } else {
          matches = segments[i].equals(actual[i]);
          literals++;
        }
      }
      if (matches && literals > bestLiterals) {
        best = template;
        bestLiterals = literals;
      }
    }
    return Optional.ofNullable(best);
  }

  /**
   * Fails unless the document lists {@code status} for this operation and {@code body} (JSON, or
   * null for no body) is what it says that answer carries.
   */
  Operation assertConforms(String method, String concretePath, int status, JsonNode body, String rawBody) {
    String template = templateOf(concretePath)
        .orElseThrow(() -> new AssertionError(method + " " + concretePath + " is not documented"));
    Operation operation = new Operation(method.toLowerCase(Locale.ROOT), template);
    JsonNode documented = root.path("paths").path(template).path(operation.method());
    if (documented.isMissingNode()) {
      fail(operation + " is not documented (answered " + status + ")");
    }
    JsonNode response = resolve(documented.path("responses").path(String.valueOf(status)));
    if (response.isMissingNode()) {
      fail(operation + " answered " + status + ", which the document does not list: " + rawBody);
    }
    JsonNode schema = response.path("content").path("application/json").path("schema");
    if (schema.isMissingNode()) {
      assertTrue(rawBody == null || rawBody.isEmpty(),
          operation + " " + status + " is documented without a body but answered " + rawBody);
      return operation;
    }
    if (body == null) {
      fail(operation + " " + status + " is documented as JSON but answered " + rawBody);
    }
    List<String> problems = validate(schema, body);
    if (!problems.isEmpty()) {
      fail(operation + " " + status + " does not match the document: " + problems + "\nbody: " + rawBody);
    }
    return operation;
  }

  /** What is wrong with {@code value} against {@code schema}, a schema of this document. */
  List<String> validate(JsonNode schema, JsonNode value) {
    // The schema with the document's components beside it, so its #/components/... references resolve.
    ObjectNode rooted = JSON.createObjectNode();
    rooted.setAll((ObjectNode) schema.deepCopy());
    rooted.set("components", root.path("components"));
    List<String> problems = new ArrayList<>();
    for (Error error : schemas.getSchema(rooted).validate(value)) {
      problems.add(error.toString());
    }
    return problems;
  }

  /** The schema named {@code name} in components/schemas. */
  JsonNode schema(String name) {
    return JSON.createObjectNode().put("$ref", "#/components/schemas/" + name);
  }

  /** A response object, following one {@code $ref} into components/responses. */
  private JsonNode resolve(JsonNode node) {
    JsonNode ref = node.path("$ref");
    if (!ref.isTextual()) {
      return node;
    }
    JsonNode target = root;
    Iterator<String> parts = List.of(ref.asText().substring(2).split("/")).iterator();
    while (parts.hasNext()) {
      target = target.path(parts.next());
    }
    return target;
  }
}
