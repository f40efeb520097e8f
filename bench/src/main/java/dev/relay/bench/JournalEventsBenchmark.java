package dev.relay.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.event.EventLimits;
import dev.relay.event.IngestParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The journal's cost per action of the event it journals for it, {@code ActionQueued}: written
 * (serialized by Relay's Pekko serialization, CBOR) as the destination persists it, and read back as
 * the read side's projection reads it. The event carries the load benches' track call as ingest
 * leaves it (timestamps corrected, {@code receivedAt} added).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JournalEventsBenchmark {

  private ActorSystem<Void> system;
  private Serialization serialization;
  private ActionQueued queued;
  private byte[] bytes;
  private int serializerId;
  private String manifest;

  @Setup
  public void setUp() throws Exception {
    // Relay's application.conf (its serialization bindings and Jackson modules), without a cluster.
    system =
        ActorSystem.create(
            Behaviors.empty(),
            "journal-events-bench",
            ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
    serialization = SerializationExtension.get(Adapter.toClassic(system));
    IngestParser parser = new IngestParser(new ObjectMapper(), EventLimits.defaults());
    byte[] body = LoadHarness.batch("bench", 0, 1).getBytes(StandardCharsets.UTF_8);
    ObjectNode event = parser.parse("batch", body, Instant.parse("2026-11-29T10:00:00.300Z")).events().get(0);
    queued =
        new ActionQueued(
            "01JDXV5K8Q6ZC3M8N2T4W7Y9AB", "act_01", "Send to webhook", "src_01", event,
            Instant.parse("2026-11-29T10:00:00.301234Z"), false);
    bytes = serialization.serialize(queued).get();
    serializerId = serialization.findSerializerFor(queued).identifier();
    manifest = Serializers.manifestFor(serialization.findSerializerFor(queued), queued);
  }

  @TearDown
  public void tearDown() {
    system.terminate();
  }

  @Benchmark
  public byte[] writeActionQueued() {
    return serialization.serialize(queued).get();
  }

  @Benchmark
  public Object readActionQueued() {
    return serialization.deserialize(bytes, serializerId, manifest).get();
  }
}
