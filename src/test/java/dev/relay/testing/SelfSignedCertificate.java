package dev.relay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate made with the JDK's keytool: a PKCS12 key store for a JDK server, and
 * the PEM files a Kubernetes TLS Secret holds ({@code tls.key}, {@code tls.crt}, {@code ca.crt},
 * the certificate being its own CA).
 */
public final class SelfSignedCertificate {

  private static final String PASSWORD = "changeit";
  private static final String ALIAS = "self";

  private final Path keyStore;

  private SelfSignedCertificate(Path keyStore) {
    this.keyStore = keyStore;
  }

  /** A certificate for {@code commonName}, valid for these IP addresses (subject alternative names). */
  public static SelfSignedCertificate create(Path directory, String commonName, List<String> ipAddresses) {
    try {
      Files.createDirectories(directory);
      Path keyStore = directory.resolve(commonName + ".p12");
      Files.deleteIfExists(keyStore);
      String san = String.join(",", ipAddresses.stream().map(ip -> "ip:" + ip).toList());
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
          "-genkeypair", "-alias", ALIAS, "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
          "-dname", "CN=" + commonName, "-ext", "san=" + san,
          "-storetype", "PKCS12", "-keystore", keyStore.toString(),
          "-storepass", PASSWORD, "-keypass", PASSWORD));
      Process keytool = new ProcessBuilder(command).redirectErrorStream(true).start();
      String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
        throw new IllegalStateException("keytool failed: " + output);
      }
      return new SelfSignedCertificate(keyStore);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public KeyStore keyStore() {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password());
      return store;
    } catch (Exception e) {
      throw new IllegalStateException("cannot read " + keyStore, e);
    }
  }

  public char[] password() {
    return PASSWORD.toCharArray();
  }

  /** Writes the certificate as {@code name}, PEM: the CA file of a client that trusts it. */
  public Path writeCertificatePem(Path file) {
    try {
      Certificate certificate = keyStore().getCertificate(ALIAS);
      Files.writeString(file, pem("CERTIFICATE", certificate.getEncoded()));
      return file;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Writes tls.key (PKCS#8), tls.crt and ca.crt into {@code directory}, as a kubernetes.io/tls Secret mounts them. */
  public Path writeTlsSecret(Path directory) {
    try {
      Files.createDirectories(directory);
      Key key = keyStore().getKey(ALIAS, password());
      Files.writeString(directory.resolve("tls.key"), pem("PRIVATE KEY", key.getEncoded()));
      writeCertificatePem(directory.resolve("tls.crt"));
      writeCertificatePem(directory.resolve("ca.crt"));
      return directory;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
