package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.core.Problem;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class CursorTest {

  @Test
  void aCursorDecodesToThePositionItWasMadeFrom() {
    Cursor cursor = new Cursor(1_735_689_600_123L, 987_654L);
    assertEquals(cursor, Cursor.decode(cursor.encode()));
    assertTrue(cursor.encode().matches("[A-Za-z0-9_-]+"), "safe in a query string as is");
  }

  @Test
  void anythingElseIsABadCursorParameter() {
    for (String bad :
        new String[] {"", "%%%", "bm90LWEtY3Vyc29y", Base64.getUrlEncoder().encodeToString("j1:1:x".getBytes()),
            Base64.getUrlEncoder().encodeToString("j2:1:2".getBytes())}) {
      Problem error = assertThrows(Problem.class, () -> Cursor.decode(bad), bad);
      assertEquals(Problem.Kind.INVALID, error.kind());
      assertTrue(error.getMessage().startsWith("cursor:"));
    }
  }
}
