package dev.relay.destination;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.relay.catalog.Outcome;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Events and snapshots journaled by earlier versions, under their old class names, still read. */
class RenamedClassesTest {

  private static final Config CONFIG =
      ConfigFactory.parseMap(Map.of("pekko.actor.provider", "local")).withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("renamed-classes", CONFIG);
  private static final Serialization serialization = SerializationExtension.get(testKit.system().classicSystem());
  private static final Instant AT = Instant.parse("2026-11-01T10:00:00Z");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ObjectNode event() {
    return new ObjectMapper().createObjectNode().put("type", "track").put("messageId", "m-1");
  }

  /** Serializes {@code value} as today, then reads the bytes back as if journaled under {@code oldName}. */
  private static Object readAsOld(Object value, String oldName) {
    byte[] bytes = serialization.serialize(value).get();
    Serializer serializer = serialization.findSerializerFor(value);
    return serialization.deserialize(bytes, serializer.identifier(), oldName).get();
  }

  @Test
  void eventsJournaledUnderTheirOldNamesAreReadAsTheNewClasses() {
    ActionQueued queued = new ActionQueued("itm_1", "act_1", "Track", "src_1", event(), AT, false);
    assertEquals(queued, readAsOld(queued, "dev.relay.destination.DestinationEntity$ActionQueued"));

    AttemptRecorded attempt =
        new AttemptRecorded(
            "act_1", AT, 12, new OutgoingRequest("POST", "https://x.test/", Map.of(), "{}"),
            Optional.of(503), Optional.of("busy"), Optional.empty(),
            List.of(new ItemOutcome("itm_1", 1, Outcome.RETRY, Optional.of(AT.plusSeconds(30)))), false);
    assertEquals(attempt, readAsOld(attempt, "dev.relay.destination.DestinationEntity$AttemptRecorded"));
  }

  /** Serializes {@code value} as today without its field {@code added}: as a version before it wrote it. */
  private static Object readWithout(Object value, String added) throws Exception {
    ObjectMapper cbor = JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = cbor.valueToTree(value);
    assertTrue(tree.has(added), "written today: " + tree);
    tree.remove(added);
    Serializer serializer = serialization.findSerializerFor(value);
    return serialization.deserialize(cbor.writeValueAsBytes(tree), serializer.identifier(), value.getClass().getName()).get();
  }

  @Test
  void anAttemptAndAPendingActionJournaledBeforeTheBodyWasLeftOutReadAsBefore() throws Exception {
    AttemptRecorded attempt =
        new AttemptRecorded(
            "act_1", AT, 12, new OutgoingRequest("POST", "https://x.test/", Map.of(), "{}"),
            Optional.of(503), Optional.empty(), Optional.empty(),
            List.of(new ItemOutcome("itm_1", 1, Outcome.RETRY, Optional.of(AT.plusSeconds(30)))), false);
    assertEquals(attempt, readWithout(attempt, "bodyAsBefore"), "an older attempt has its body");

    DestinationState.PendingAction action =
        new DestinationState.PendingAction("itm_1", "act_1", "m-1", event(), 2, AT, AT.plusSeconds(60), null);
    ObjectMapper cbor = JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode tree = cbor.valueToTree(action);
    tree.remove("bodyHash"); // a null may be written or not; an older version never wrote it
    Serializer serializer = serialization.findSerializerFor(action);
    assertEquals(action, serialization.deserialize(cbor.writeValueAsBytes(tree), serializer.identifier(),
        DestinationState.PendingAction.class.getName()).get());
  }

  @Test
  void aSnapshotTakenUnderTheOldNameIsReadAsTheNewClass() {
    DestinationState.Snapshot snapshot =
        new DestinationState.Snapshot(
            new DestinationConfig("dst_1", "hook", "webhook", true, event(), List.of()),
            false,
            List.of(new DestinationState.PendingAction("itm_1", "act_1", "m-1", event(), 2, AT, AT.plusSeconds(60), null)),
            List.of(new DestinationState.SeenMessage("m-1", AT)),
            false);
    assertEquals(snapshot, readAsOld(snapshot, "dev.relay.destination.DestinationEntity$Snapshot"));
  }

  @Test
  void newDataIsWrittenUnderTheNewNamesAndEveryOldNameIsRegistered() {
    ActionQueued queued = new ActionQueued("itm_1", "act_1", "Track", "src_1", event(), AT, false);
    SerializerWithStringManifest serializer = (SerializerWithStringManifest) serialization.findSerializerFor(queued);
    assertEquals(ActionQueued.class.getName(), serializer.manifest(queued));

    Config migrations = CONFIG.getConfig("pekko.serialization.jackson.migrations");
    for (Map.Entry<String, String> renamed : RenamedClasses.RENAMED.entrySet()) {
      assertEquals(
          RenamedClasses.class.getName(),
          migrations.getString("\"" + renamed.getKey() + "\""),
          renamed.getKey() + " is not registered");
      // Every new name is a class that exists.
      assertEquals(renamed.getValue(), classNamed(renamed.getValue()).getName());
    }
  }

  private static Class<?> classNamed(String name) {
    try {
      return Class.forName(name);
    } catch (ClassNotFoundException e) {
      throw new AssertionError(name + " does not exist", e);
    }
  }
}
