package dev.relay.console;

import com.typesafe.config.Config;
import dev.relay.core.SettingRules;
import java.time.Duration;

/**
 * The relay.console.* configuration, read once at start; a value out of range stops the node with a
 * message naming its key.
 */
public record ConsoleSettings(Duration refreshInterval, int journalPageSize, Duration assetMaxAge) {

  private static final String KEY = "relay.console.";

  public ConsoleSettings {
    SettingRules.positive(KEY + "refresh-interval", refreshInterval);
    SettingRules.atLeast(KEY + "journal-page-size", journalPageSize, 1);
    SettingRules.notNegative(KEY + "asset-max-age", assetMaxAge);
  }

  public static ConsoleSettings from(Config config) {
    Config console = config.getConfig("relay.console");
    return new ConsoleSettings(
        console.getDuration("refresh-interval"), console.getInt("journal-page-size"), console.getDuration("asset-max-age"));
  }
}
