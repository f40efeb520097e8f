package dev.relay.journal;

import dev.relay.destination.DestinationEntity;
import dev.relay.testing.TestNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** What a destination's event journal, the source of truth, says happened (test traffic excluded). */
record JournalCounts(
    long queued, long delivered, long failed, long retried, long discarded, long attempts, long attemptItems) {

  static JournalCounts of(TestNode node, String destinationId) {
    try {
      List<EventEnvelope> events =
          PersistenceQuery.get(node.node().system())
              .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier())
              .currentEventsByPersistenceId("Destination|" + destinationId, 0, Long.MAX_VALUE)
              .runWith(Sink.seq(), node.node().system())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      long queued = 0, delivered = 0, failed = 0, retried = 0, discarded = 0, attempts = 0, attemptItems = 0;
      Set<String> tests = new HashSet<>();
      Set<String> finished = new HashSet<>();
      for (EventEnvelope envelope : events) {
        Object event = envelope.event();
        if (event instanceof DestinationEntity.ActionQueued q) {
          if (q.test()) {
            tests.add(q.itemId());
          } else {
            queued++;
          }
        } else if (event instanceof DestinationEntity.AttemptRecorded a) {
          attempts++;
          attemptItems += a.items().size();
          for (DestinationEntity.ItemOutcome item : a.items()) {
            if (tests.contains(item.itemId()) || finished.contains(item.itemId())) {
              continue;
            }
            switch (item.outcome()) {
              case DELIVERED -> { delivered++; finished.add(item.itemId()); }
              case FAILED -> { failed++; finished.add(item.itemId()); }
              case RETRY -> retried++;
            }
          }
        } else if (event instanceof DestinationEntity.ActionDiscarded d) {
          for (String itemId : d.itemIds()) {
            if (!tests.contains(itemId) && finished.add(itemId)) {
              discarded++;
            }
          }
        }
      }
      return new JournalCounts(queued, delivered, failed, retried, discarded, attempts, attemptItems);
    } catch (Exception e) {
      throw new AssertionError("could not read the journal of " + destinationId, e);
    }
  }
}
