package dev.relay.readside;

import dev.relay.destination.DestinationEvent;
import dev.relay.testing.TestNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * How many events of each kind a destination's event journal holds (test traffic included): raw
 * counts, with none of the projection's rules about outcomes, so they check the projection rather
 * than repeat it. What the outcomes must add up to is written into each test.
 */
record ActionLogCounts(long queued, long attempts, long attemptItems) {

  static ActionLogCounts of(TestNode node, String destinationId) {
    try {
      List<EventEnvelope> events =
          PersistenceQuery.get(node.node().system())
              .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier())
              .currentEventsByPersistenceId("Destination|" + destinationId, 0, Long.MAX_VALUE)
              .runWith(Sink.seq(), node.node().system())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      long queued = 0, attempts = 0, attemptItems = 0;
      for (EventEnvelope envelope : events) {
        if (envelope.event() instanceof DestinationEvent.ActionQueued) {
          queued++;
        } else if (envelope.event() instanceof DestinationEvent.AttemptRecorded a) {
          attempts++;
          attemptItems += a.items().size();
        }
      }
      return new ActionLogCounts(queued, attempts, attemptItems);
    } catch (Exception e) {
      throw new AssertionError("could not read the journal of " + destinationId, e);
    }
  }
}
