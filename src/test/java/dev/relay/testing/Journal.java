package dev.relay.testing;

import dev.relay.RelayNode;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;

/** Reads a destination's journal as it is stored, for assertions on the audit trail. */
public final class Journal {

  private Journal() {}

  public static List<Object> eventsOf(RelayNode node, String destinationId) {
    JdbcReadJournal journal =
        PersistenceQuery.get(node.system())
            .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    try {
      return journal
          .currentEventsByPersistenceId("Destination|" + destinationId, 0, Long.MAX_VALUE)
          .map(EventEnvelope::event)
          .runWith(Sink.seq(), node.system())
          .toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not read the journal", e);
    }
  }

  public static <T> List<T> eventsOf(RelayNode node, String destinationId, Class<T> type) {
    return eventsOf(node, destinationId).stream().filter(type::isInstance).map(type::cast).toList();
  }
}
