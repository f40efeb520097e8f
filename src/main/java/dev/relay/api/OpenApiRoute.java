package dev.relay.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/openapi.json}: the OpenAPI 3.1 description of the API, as written by hand in
 * {@code src/main/resources/openapi.json}. Served without the admin token: it describes the API,
 * not data, and tools need it before anyone has given them a token.
 */
public final class OpenApiRoute extends AllDirectives {

  static final String RESOURCE = "/openapi.json";

  private final HttpResponse document;

  public OpenApiRoute() {
    this.document = HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, read()));
  }

  /** The route under {@code /api}. */
  public Route route() {
    return path("openapi.json", () -> get(() -> complete(document)));
  }

  /** The document's bytes; a build without it is broken, so this fails the node's start. */
  static byte[] read() {
    try (InputStream in = OpenApiRoute.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is missing from the build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
