package dev.relay.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.relay.destination.DestinationCommand.Incoming;
import dev.relay.ingest.DestinationBatcher.Submission;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.testkit.TestPublisher;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.stream.testkit.javadsl.TestSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A destination's lane groups requests as a group commit does. The clock is manual and never moves,
 * so nothing here can wait on a timer: a lone request must go at once, without company.
 */
class DestinationBatcherGroupingTest {

  private static final ActorTestKit testKit = ActorTestKit.create(ManualTime.config());
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestPublisher.Probe<Submission> requests;
  private TestSubscriber.Probe<List<Submission>> groups;

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void lane() {
    Pair<TestPublisher.Probe<Submission>, TestSubscriber.Probe<List<Submission>>> probes =
        TestSource.<Submission>probe(testKit.system().classicSystem())
            .via(DestinationBatcher.grouping(5))
            .toMat(TestSink.probe(testKit.system().classicSystem()), Keep.both())
            .run(testKit.system());
    requests = probes.first();
    groups = probes.second();
  }

  private static Submission request(int events) {
    List<Incoming> incoming = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      incoming.add(new Incoming("src_1", JSON.createObjectNode().put("type", "track")));
    }
    return new Submission(incoming, new CompletableFuture<>());
  }

  @Test
  void aLoneRequestGoesAtOnceWhileTheEntityAsksForMore() {
    Submission lone = request(1);
    groups.request(1);
    requests.sendNext(lone);
    assertEquals(List.of(lone), groups.expectNext());
  }

  @Test
  void requestsArrivingWhileNothingIsAskedForGoTogetherUpToTheMaximum() {
    Submission first = request(2);
    Submission second = request(3);
    Submission third = request(1);
    requests.sendNext(first).sendNext(second).sendNext(third); // each waits for the lane to take it

    groups.request(1);
    assertEquals(List.of(first, second), groups.expectNext()); // 5 events: the third did not fit
    groups.request(1);
    assertEquals(List.of(third), groups.expectNext());
  }

  @Test
  void aRequestLargerThanTheMaximumIsAGroupOfItsOwn() {
    Submission large = request(8);
    Submission next = request(1);
    requests.sendNext(large).sendNext(next);

    groups.request(2);
    assertEquals(List.of(large), groups.expectNext());
    assertEquals(List.of(next), groups.expectNext());
  }
}
