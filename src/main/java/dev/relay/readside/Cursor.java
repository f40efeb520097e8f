package dev.relay.readside;

import dev.relay.core.Problem;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where a page of the action journal ended: the last item's queue time and journal ordering, the
 * key the list is sorted by (newest first). Opaque to clients: base64url of {@code j1:<ms>:<seq>}.
 * Keyset paging never skips nor repeats an item, however many are queued between two pages.
 */
record Cursor(long queuedAt, long seq) {

  private static final String VERSION = "j1";

  String encode() {
    String key = VERSION + ":" + queuedAt + ":" + seq;
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  static Cursor decode(String text) {
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8).split(":");
      if (parts.length == 3 && parts[0].equals(VERSION)) {
        return new Cursor(Long.parseLong(parts[1]), Long.parseLong(parts[2]));
      }
    } catch (IllegalArgumentException notOurs) {
      // falls through to the refusal
    }
    throw Problem.invalid("cursor: not a cursor this API gave out; use nextCursor of the previous page");
  }
}
