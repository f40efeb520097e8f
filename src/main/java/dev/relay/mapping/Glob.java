package dev.relay.mapping;

/**
 * A {@code match()} pattern: {@code *} matches any run of characters, {@code ?} exactly one.
 * Segment's own evaluator only understands {@code "prefix*"} and {@code "*suffix"}; those mean the
 * same here.
 */
record Glob(String pattern) {
  boolean matches(String text) {
    int p = 0;
    int t = 0;
    int starAt = -1;
    int textAtStar = 0;
    while (t < text.length()) {
      char wanted = p < pattern.length() ? pattern.charAt(p) : 0;
      if (p < pattern.length() && wanted == '*') {
        starAt = p++;
        textAtStar = t;
      } else if (p < pattern.length() && (wanted == '?' || wanted == text.charAt(t))) {
        p++;
        t++;
      } else if (starAt >= 0) {
        p = starAt + 1;
        t = ++textAtStar;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == '*') {
      p++;
    }
    return p == pattern.length();
  }
}
