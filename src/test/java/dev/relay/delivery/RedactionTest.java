package dev.relay.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.catalog.OutgoingRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionTest {

  private static OutgoingRequest request(Map<String, String> headers, String url, String body) {
    return new OutgoingRequest("POST", url, new LinkedHashMap<>(headers), body);
  }

  @Test
  void authorizationIsAlwaysRedacted() {
    OutgoingRequest redacted =
        Redaction.redact(request(Map.of("Authorization", "Basic abc"), "https://x.test/", "{}"), List.of(), 1000);
    assertEquals(Redaction.REDACTED, redacted.headers().get("Authorization"));
  }

  @Test
  void secretsAreRedactedWhereverTheyAppear() {
    String secret = "sk_live_123456";
    OutgoingRequest redacted =
        Redaction.redact(
            request(
                Map.of("X-Token", secret, "X-Trace", "abc-" + secret),
                "https://x.test/hook?key=" + secret,
                "{\"key\":\"" + secret + "\",\"name\":\"Ada\"}"),
            List.of(secret),
            1000);
    String all = redacted.toString();
    assertFalse(all.contains(secret), all);
    assertEquals(Redaction.REDACTED, redacted.headers().get("X-Token"));
    assertEquals("abc-" + Redaction.REDACTED, redacted.headers().get("X-Trace"));
    assertTrue(redacted.body().contains("\"name\":\"Ada\""));
  }

  @Test
  void shortSecretsAreNotSearchedInText() {
    OutgoingRequest redacted =
        Redaction.redact(request(Map.of("X-A", "ab"), "https://x.test/", "{\"v\":\"ab\"}"), List.of("ab"), 1000);
    assertEquals(Redaction.REDACTED, redacted.headers().get("X-A"));
    assertEquals("{\"v\":\"ab\"}", redacted.body());
  }

  @Test
  void longBodiesAreCutForTheRecord() {
    OutgoingRequest redacted = Redaction.redact(request(Map.of(), "https://x.test/", "x".repeat(50)), List.of(), 10);
    assertEquals("xxxxxxxxxx…[truncated 40 chars]", redacted.body());
  }

  @Test
  void queryValuesAndUserInformationOfTheUrlAreMaskedForTheRecord() {
    OutgoingRequest redacted =
        Redaction.redact(request(Map.of(), "https://user:pw@x.test/h?api_key=k1&region=eu", "{}"), List.of(), 1000);
    assertEquals("https://********@x.test/h?api_key=********&region=********", redacted.url());
  }
}
