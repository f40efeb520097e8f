package dev.relay.catalog;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Payload signing by the Standard Webhooks specification: {@code webhook-signature: v1,<base64 of
 * HMAC-SHA256 over "id.timestamp.body">}, keyed by the secret's bytes ({@code whsec_} followed by
 * their base64; the prefix is optional, as the reference libraries have it).
 */
public final class StandardWebhooks {

  public static final String ID = "webhook-id";
  public static final String TIMESTAMP = "webhook-timestamp";
  public static final String SIGNATURE = "webhook-signature";
  private static final String PREFIX = "whsec_";
  /** The specification asks for secrets of 24 to 64 random bytes. */
  private static final int MIN_KEY_BYTES = 24;
  private static final int MAX_KEY_BYTES = 64;

  private StandardWebhooks() {}

  /** Why {@code secret} cannot sign (not base64, or too short or long); empty when it can. */
  public static Optional<String> problem(String secret) {
    byte[] key;
    try {
      key = key(secret);
    } catch (IllegalArgumentException e) {
      return Optional.of("must be whsec_ followed by base64");
    }
    if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
      return Optional.of("must encode " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " bytes, has " + key.length);
    }
    return Optional.empty();
  }

  /** The key bytes of a {@code whsec_…} secret. */
  static byte[] key(String secret) {
    String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
    return Base64.getDecoder().decode(encoded);
  }

  /** The {@code webhook-signature} value of {@code body} sent with this id and timestamp. */
  public static String signature(String secret, String id, long timestamp, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
      byte[] signed = mac.doFinal((id + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
      return "v1," + Base64.getEncoder().encodeToString(signed);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /**
   * The {@code webhook-id} of a body: derived from its content, so a retry of the same message (same
   * body) carries the same id and a receiver can recognise it, as the specification asks.
   */
  public static String messageId(String body) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
      return "msg_" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 27);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
