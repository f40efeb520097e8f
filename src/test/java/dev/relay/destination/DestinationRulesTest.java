package dev.relay.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.delivery.AddressPolicy;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The checks of a destination URL when it is saved: no credentials, no refused IP literal. */
class DestinationRulesTest {

  private static final AddressPolicy STRICT = AddressPolicy.strict();

  @Test
  void publicUrlsPassWhateverTheirPathAndQuery() {
    for (String url :
        new String[] {"https://hooks.example.com/in", "https://x.test:8443/a/b?q=a|b&c={d}", "http://8.8.8.8/h",
            "https://[2606:4700:4700::1111]:443/x", "https://x.test/a@b", "https://x.test?k=v@w", "http://localhost:9000/h"}) {
      assertEquals(Optional.empty(), DestinationRules.urlProblem(url, STRICT), url);
    }
  }

  @Test
  void credentialsInTheAuthorityAreRefused() {
    for (String url : new String[] {"https://user:pass@x.test/h", "https://token@x.test", "http://u:p@8.8.8.8:80/?a=1"}) {
      String problem = DestinationRules.urlProblem(url, STRICT).orElseThrow(() -> new AssertionError(url));
      assertTrue(problem.startsWith("url: credentials in the URL are not accepted; put them in the headers setting"), problem);
    }
  }

  @Test
  void refusedIpLiteralsAreNamedWithTheKeyThatWouldAllowThem() {
    assertEquals(
        Optional.of("url: refused to connect to 10.0.0.5: private address; see relay.delivery.allowed-networks"),
        DestinationRules.urlProblem("http://10.0.0.5:8080/h?x=1", STRICT));
    assertTrue(DestinationRules.urlProblem("http://[::1]:8080/h", STRICT).orElseThrow().contains("loopback address"));
    assertTrue(DestinationRules.urlProblem("http://[fe80::1]/h", STRICT).orElseThrow().contains("link-local address"));
    assertTrue(DestinationRules.urlProblem("http://0.0.0.0:7626/ready", STRICT).orElseThrow().contains("unspecified address"));
    assertEquals(Optional.empty(), DestinationRules.urlProblem("http://127.0.0.1:8080/h", AddressPolicy.allowing("127.0.0.0/8")));
  }
}
