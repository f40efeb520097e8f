package dev.relay.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminTokenTest {

  @TempDir Path dataDir;

  @Test
  void aConfiguredTokenShorterThan32CharactersIsRefusedNamingTheSetting() {
    IllegalArgumentException refused =
        assertThrows(IllegalArgumentException.class, () -> AdminToken.resolve("change-me", dataDir));
    assertTrue(refused.getMessage().contains("RELAY_ADMIN_TOKEN"), refused.getMessage());
    assertTrue(refused.getMessage().contains("relay.admin-token"), refused.getMessage());
    assertTrue(refused.getMessage().contains("at least 32"), refused.getMessage());
    assertThrows(IllegalArgumentException.class, () -> AdminToken.resolve("x".repeat(31), dataDir));
    assertEquals("x".repeat(32), AdminToken.resolve("x".repeat(32), dataDir));
  }

  @Test
  void aGeneratedTokenIsLongEnoughAndIsKept() {
    String generated = AdminToken.resolve("", dataDir);
    assertTrue(generated.length() >= 32, generated);
    assertEquals(generated, AdminToken.resolve("", dataDir));
  }

  @Test
  void aShortTokenKeptInTheDataDirectoryIsRefusedToo() throws Exception {
    Files.writeString(dataDir.resolve(AdminToken.FILE_NAME), "short\n");
    IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> AdminToken.resolve("", dataDir));
    assertTrue(refused.getMessage().contains(dataDir.resolve(AdminToken.FILE_NAME).toString()), refused.getMessage());
  }
}
