package dev.relay.catalog;

/** What became of an attempt, and so of the action behind it. */
public enum Outcome {
  /** The destination accepted it. */
  DELIVERED,
  /** A transient failure: the action is tried again later. */
  RETRY,
  /** A definitive refusal or the retries are used up: the action ends here. */
  FAILED;

  /**
   * The outcome of an HTTP answer. 2xx is delivered; 408 (timeout) and 429 (rate limit) are
   * transient, as is every 5xx; every other 4xx is a definitive refusal that retrying cannot fix.
   * Anything else (1xx, 3xx: the client follows no redirects) is unrecognised and retried.
   */
  public static Outcome ofStatus(int status) {
    if (status >= 200 && status < 300) {
      return DELIVERED;
    }
    if (status == 408 || status == 429) {
      return RETRY;
    }
    if (status >= 400 && status < 500) {
      return FAILED;
    }
    return RETRY;
  }

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
