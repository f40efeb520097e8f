package dev.relay;

import com.typesafe.config.ConfigFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a Relay node: {@code java -jar target/relay.jar}. */
public final class Main {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    try {
      // A node that leaves the cluster (SIGTERM, downing) ends the process.
      RelayNode.start(RelayConfig.load(ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on")))
          .toCompletableFuture()
          .join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      log.error("Relay could not start: {}", cause.getMessage());
      System.exit(1);
    }
  }
}
