package dev.relay.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** URLs as responses show them: query values and user information masked, the rest as it was. */
class UrlMaskTest {

  @Test
  void queryValuesAreMaskedAndNamesKept() {
    assertEquals("https://x.test/h?api_key=********", UrlMask.mask("https://x.test/h?api_key=sk_live_1"));
    assertEquals(
        "https://x.test/h?a=********&b=********&empty=&&flag=********",
        UrlMask.mask("https://x.test/h?a=1&b=two%20words&empty=&&flag=x=y"));
    assertEquals("https://x.test/h?********", UrlMask.mask("https://x.test/h?sk_live_token"), "a value without a name");
    assertEquals("https://x.test/h?k=********#part", UrlMask.mask("https://x.test/h?k=v#part"));
  }

  @Test
  void userInformationIsMasked() {
    assertEquals("http://********@x.test:8080/p?k=********", UrlMask.mask("http://user:pass@x.test:8080/p?k=v"));
    assertEquals("http://********@x.test", UrlMask.mask("http://user:p@ss@x.test"));
  }

  @Test
  void urlsWithoutSecretsAreUnchanged() {
    for (String url : new String[] {"https://x.test/", "http://127.0.0.1:8080/a/b", "https://[::1]:443/x?", "https://x.test/a@b", ""}) {
      assertEquals(url, UrlMask.mask(url));
    }
  }
}
