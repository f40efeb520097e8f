package dev.relay.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin token: the configured one, else the one kept in the data directory, else a new random
 * one, written there and printed once so the operator can copy it.
 */
public final class AdminToken {

  static final String FILE_NAME = "admin-token";

  private AdminToken() {}

  /**
   * @throws IllegalArgumentException for a token shorter than {@link AdminAuth#MIN_TOKEN_LENGTH},
   *     which a node must not start with
   */
  public static String resolve(String configured, Path dataDir) {
    if (!configured.isBlank()) {
      return longEnough(configured, "the configured admin token (RELAY_ADMIN_TOKEN / relay.admin-token)");
    }
    Path file = dataDir.resolve(FILE_NAME);
    try {
      if (Files.exists(file)) {
        return longEnough(Files.readString(file, StandardCharsets.UTF_8).strip(), "the admin token in " + file);
      }
      byte[] random = new byte[32];
      new SecureRandom().nextBytes(random);
      String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
      Files.createDirectories(dataDir);
      Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
      try {
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException notPosix) {
        // Windows: the file keeps the directory's permissions.
      }
      System.out.println();
      System.out.println("Relay admin token (printed once, kept in " + file + "):");
      System.out.println("  " + token);
      System.out.println();
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("could not read or write the admin token in " + dataDir, e);
    }
  }

  private static String longEnough(String token, String what) {
    if (token.length() < AdminAuth.MIN_TOKEN_LENGTH) {
      throw new IllegalArgumentException(what + " has " + token.length() + " characters; it must have at least "
          + AdminAuth.MIN_TOKEN_LENGTH + " (make one with: openssl rand -base64 32)");
    }
    return token;
  }
}
