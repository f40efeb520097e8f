package dev.relay.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class IdsTest {

  @Test
  void timeOrderedIdsSortInTheOrderTheyWereMadeAndAreUnique() {
    List<String> made = IntStream.range(0, 20_000).mapToObj(i -> Ids.newTimeOrderedId("itm")).toList();
    assertEquals(made.stream().sorted().toList(), made, "later ids sort later, within a millisecond too");
    assertEquals(made.size(), new HashSet<>(made).size());
    // Lower-case Crockford base32, as the other ids: 10 characters of time, 16 of randomness.
    made.forEach(id -> assertTrue(id.matches("itm_[0-9a-hjkmnp-tv-z]{26}"), id));
  }

  @Test
  void randomIdsKeepTheirShape() {
    assertTrue(Ids.newId("dst").matches("dst_[0-9a-hjkmnp-tv-z]{20}"));
  }
}
