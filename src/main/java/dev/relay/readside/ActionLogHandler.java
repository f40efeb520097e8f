package dev.relay.readside;

import dev.relay.destination.DestinationEvent;
import dev.relay.persistence.PooledJdbcSession;
import dev.relay.readside.ActionLogChanges.Journaled;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.persistence.query.Sequence;
import org.apache.pekko.projection.eventsourced.EventEnvelope;
import org.apache.pekko.projection.jdbc.javadsl.JdbcHandler;

/**
 * Turns a group of journal events into query-table rows, in the projection's transaction (which
 * stores the offset of the group's last event with them).
 */
final class ActionLogHandler extends JdbcHandler<List<EventEnvelope<DestinationEvent>>, PooledJdbcSession> {

  private final ActionLogWriter writer;

  ActionLogHandler(ActionLogWriter writer) {
    this.writer = writer;
  }

  @Override
  public void process(PooledJdbcSession session, List<EventEnvelope<DestinationEvent>> envelopes)
      throws Exception {
    List<Journaled> events = new ArrayList<>(envelopes.size());
    for (EventEnvelope<DestinationEvent> envelope : envelopes) {
      events.add(
          new Journaled(
              destinationId(envelope.persistenceId()),
              ((Sequence) envelope.offset()).value(),
              envelope.event()));
    }
    session.withConnection(
        connection -> {
          writer.project(connection, events);
          return null;
        });
  }

  /** {@code Destination|dst_x} to {@code dst_x}. */
  static String destinationId(String persistenceId) {
    return persistenceId.substring(persistenceId.indexOf('|') + 1);
  }
}
