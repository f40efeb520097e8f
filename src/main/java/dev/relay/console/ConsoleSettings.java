package dev.relay.console;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.AbstractExtensionId;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.Extension;

/** The relay.console.* configuration, read once per actor system. */
public record ConsoleSettings(Duration refreshInterval, int journalPageSize, Duration assetMaxAge) implements Extension {

  public static ConsoleSettings from(Config config) {
    Config console = config.getConfig("relay.console");
    return new ConsoleSettings(
        console.getDuration("refresh-interval"), console.getInt("journal-page-size"), console.getDuration("asset-max-age"));
  }

  /** The routes reach the settings through the actor system, so wiring them takes one line. */
  static final AbstractExtensionId<ConsoleSettings> ID =
      new AbstractExtensionId<>() {
        @Override
        public ConsoleSettings createExtension(ExtendedActorSystem system) {
          return from(system.settings().config());
        }
      };
}
