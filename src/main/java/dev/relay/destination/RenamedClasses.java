package dev.relay.destination;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.apache.pekko.serialization.jackson.JacksonMigration;

/**
 * Reads what older versions wrote under class names that have since moved: the destination's
 * events, snapshot, commands and replies were nested in {@code DestinationEntity} until they got
 * files of their own. The journal and snapshot store keep the old names forever, so this stays; for
 * commands and replies it lets a new node understand an old one during a rolling upgrade. Registered
 * for each old name under {@code pekko.serialization.jackson.migrations}.
 */
public final class RenamedClasses extends JacksonMigration {

  private static final String OLD = "dev.relay.destination.DestinationEntity$";

  static final Map<String, String> RENAMED =
      Map.ofEntries(
          event("DestinationCreated"),
          event("SettingsUpdated"),
          event("ActionsReplaced"),
          event("ActionUpdated"),
          event("DestinationEnabled"),
          event("DestinationDisabled"),
          event("SourceConnected"),
          event("SourceDisconnected"),
          event("DestinationDeleted"),
          event("ActionQueued"),
          event("AttemptRecorded"),
          event("ActionDiscarded"),
          Map.entry(OLD + "Snapshot", DestinationState.Snapshot.class.getName()),
          Map.entry(OLD + "TestReport", TestReport.class.getName()),
          command("Create"),
          command("Get"),
          command("UpdateSettings"),
          command("ReplaceActions"),
          command("UpdateAction"),
          command("Enable"),
          command("Disable"),
          command("Delete"),
          command("Accept"),
          command("SendTest"),
          reply("Ok"),
          reply("Rejected"),
          reply("Accepted"));

  private static Map.Entry<String, String> event(String name) {
    return Map.entry(OLD + name, DestinationEvent.class.getName() + "$" + name);
  }

  private static Map.Entry<String, String> command(String name) {
    return Map.entry(OLD + name, DestinationCommand.class.getName() + "$" + name);
  }

  private static Map.Entry<String, String> reply(String name) {
    return Map.entry(OLD + name, DestinationReply.class.getName() + "$" + name);
  }

  @Override
  public int currentVersion() {
    // Above the version old data implicitly has (1), so that old names are looked up here.
    return 2;
  }

  @Override
  public String transformClassName(int fromVersion, String className) {
    return RENAMED.getOrDefault(className, className);
  }

  @Override
  public JsonNode transform(int fromVersion, JsonNode json) {
    return json; // only the names changed
  }
}
