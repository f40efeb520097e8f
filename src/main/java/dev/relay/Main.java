package dev.relay;

import ch.qos.logback.classic.LoggerContext;
import com.typesafe.config.ConfigFactory;
import dev.relay.core.AsyncFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts a Relay node: {@code java -jar target/relay.jar}. */
public final class Main {

  static {
    // On a machine (or container) with 2 CPUs the common pool has parallelism 1, and then every
    // async stage of a CompletableFuture starts a new thread. Scala's CompletionStages (Pekko's ask,
    // HTTP client) run thenApply asynchronously, so that is a thread per request. Must run before
    // anything touches ForkJoinPool, hence first in Main.
    String parallelism = "java.util.concurrent.ForkJoinPool.common.parallelism";
    if (System.getProperty(parallelism) == null) {
      System.setProperty(parallelism, String.valueOf(Math.max(4, Runtime.getRuntime().availableProcessors())));
    }
  }

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  private Main() {}

  public static void main(String[] args) {
    try {
      // A node that leaves the cluster (SIGTERM, downing) ends the process.
      RelayNode.start(RelayConfig.load(ConfigFactory.parseString("pekko.coordinated-shutdown.exit-jvm = on")))
          .toCompletableFuture()
          .join();
    } catch (RuntimeException e) {
      Throwable cause = AsyncFailure.unwrap(e);
      log.error("Relay could not start: {}", cause.getMessage());
      // The console appender is asynchronous: flush it, or the reason is lost with the process.
      if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logging) {
        logging.stop();
      }
      System.exit(1);
    }
  }
}
