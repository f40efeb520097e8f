package dev.relay.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which custom headers may be sent: RFC 9110 token names, values without control characters, no framing headers. */
class HeaderRulesTest {

  @Test
  void ordinaryHeadersPass() {
    for (String name : new String[] {"Authorization", "X-Api-Key", "x_trace.id", "A!#$%&'*+-.^_`|~9"}) {
      assertEquals(Optional.empty(), HeaderRules.problem(name, "Bearer abc\tdef; q=\"x\" é"), name);
    }
  }

  @Test
  void aNameThatIsNotATokenIsRefused() {
    for (String name : new String[] {"", "X Key", "X:Key", "X-Key\r\nEvil", "Ünicode", "(x)", "a/b", "a@b", "x\"y"}) {
      String problem = HeaderRules.problem(name, "v").orElseThrow(() -> new AssertionError(name));
      assertTrue(problem.contains("RFC 9110 token"), problem);
      assertFalse(problem.contains("\r") || problem.contains("\n"), "the message stays on one line: " + problem);
    }
  }

  @Test
  void aValueWithAControlCharacterIsRefusedWithoutShowingIt() {
    for (String value : new String[] {"a\r\nX-Injected: 1", "a\nb", "a\rb", "nul\0", "bell\u0007", "del\u007f"}) {
      String problem = HeaderRules.problem("X-Token", value).orElseThrow(() -> new AssertionError(value));
      assertTrue(problem.startsWith("header 'X-Token': the value must not contain control characters"), problem);
      assertFalse(problem.contains(value), "the value (a secret) is not in the message");
    }
  }

  @Test
  void framingAndHopByHopHeadersAreRefusedInAnyCase() {
    for (String name :
        new String[] {"Host", "content-length", "Transfer-Encoding", "CONNECTION", "Keep-Alive", "Proxy-Connection",
            "TE", "Trailer", "Upgrade", "Proxy-Authenticate", "Proxy-Authorization"}) {
      String problem = HeaderRules.problem(name, "x").orElseThrow(() -> new AssertionError(name));
      assertEquals("header '" + name + "': set by the HTTP client itself, it cannot be given", problem);
    }
  }

  @Test
  void theWebhookChecksEveryHeaderOfItsSettings() throws Exception {
    WebhookDestination webhook = new WebhookDestination(new ObjectMapper());
    ObjectNode settings = (ObjectNode) new ObjectMapper().readTree("{\"url\":\"https://x.test/\",\"headers\":{\"A\":\"1\"}}");
    assertEquals(Optional.empty(), webhook.settingsProblem(settings));
    ((ObjectNode) settings.get("headers")).put("Host", "evil.test");
    assertEquals(Optional.of("headers: header 'Host': set by the HTTP client itself, it cannot be given"), webhook.settingsProblem(settings));
    assertEquals(java.util.List.of("https://x.test/"), webhook.endpoints(settings));
  }
}
