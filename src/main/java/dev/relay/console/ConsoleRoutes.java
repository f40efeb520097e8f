package dev.relay.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.relay.destination.SampleEvents;
import dev.relay.event.EventTypes;
import dev.relay.http.Json;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web console: a single page at {@code /} and its files under {@code /console/}, all from the
 * jar. The browser libraries come from webjars; the page talks to the node only through {@code
 * /api}, and its Content-Security-Policy lets it reach no other host.
 */
public final class ConsoleRoutes extends AllDirectives {

  /** Only this origin, no inline script or style, no framing: the console holds the admin token. */
  static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
          + "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
          + "form-action 'none'; frame-ancestors 'none'";

  /** The call types of the tester's dropdown, in the order the product lists them. */
  private static final List<String> CALL_TYPES =
      List.of(EventTypes.TRACK, EventTypes.IDENTIFY, EventTypes.PAGE, EventTypes.SCREEN, EventTypes.GROUP, EventTypes.ALIAS);

  private final ObjectMapper mapper;
  private final ConsoleSettings settings;

  public ConsoleRoutes(ObjectMapper mapper, ConsoleSettings settings) {
    this.mapper = mapper;
    this.settings = settings;
  }

  public Route route() {
    // The paths first, then the method: a POST elsewhere (say /v1/track on the admin port) stays a
    // 404, not a 405 from the console.
    return concat(
        pathSingleSlash(() -> console(() -> revalidated(() -> getFromResource("console/index.html")))),
        pathPrefix("console", () -> console(() -> files(settings))));
  }

  private Route console(Supplier<Route> inner) {
    return get(() -> respondWithHeaders(securityHeaders(), inner));
  }

  /** Under /console: the boot data, the libraries (webjars) and the console's own files. */
  private Route files(ConsoleSettings settings) {
    // Webjar paths carry their version: a new version is a new URL, so browsers may keep them.
    String immutable = "public, max-age=" + settings.assetMaxAge().toSeconds() + ", immutable";
    return concat(
        path("boot.json", () -> revalidated(() -> Json.ok(mapper, boot(settings)))),
        pathPrefix(
            "webjars",
            () ->
                respondWithHeader(
                    RawHeader.create("Cache-Control", immutable),
                    () -> getFromResourceDirectory("META-INF/resources/webjars"))),
        revalidated(() -> getFromResourceDirectory("console")));
  }

  /** The console's own files change with the jar: the browser checks before reusing them. */
  private Route revalidated(Supplier<Route> inner) {
    return respondWithHeader(RawHeader.create("Cache-Control", "no-cache"), inner);
  }

  private static List<HttpHeader> securityHeaders() {
    return List.of(
        RawHeader.create("Content-Security-Policy", CONTENT_SECURITY_POLICY),
        RawHeader.create("X-Content-Type-Options", "nosniff"),
        RawHeader.create("Referrer-Policy", "no-referrer"));
  }

  /** What the page needs before its first API call: its settings and the tester's samples. */
  private ObjectNode boot(ConsoleSettings settings) {
    ObjectNode boot = mapper.createObjectNode();
    boot.put("refreshIntervalMs", settings.refreshInterval().toMillis());
    boot.put("journalPageSize", settings.journalPageSize());
    ObjectNode samples = boot.putObject("sampleEvents");
    Instant now = Instant.now();
    CALL_TYPES.forEach(type -> SampleEvents.of(type, now).ifPresent(event -> samples.set(type, event)));
    return boot;
  }
}
