package dev.relay.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.Backend;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngestHttpOnPostgresTest extends IngestHttpTest {
  @Override
  protected Backend backend() {
    return Backend.POSTGRES;
  }

  /**
   * The durability contract: while one connected destination cannot journal (the database refuses
   * its writes), ingest answers 503, not 200, though another destination journaled the events; the
   * client's retry with the same messageIds, once the database takes writes again, is acknowledged
   * and leaves each event queued, and delivered, exactly once at each destination.
   */
  @Test
  void aDestinationThatCannotJournalMakesIngestAnswer503AndTheRetryQueuesEachEventOnce() throws SQLException {
    Pipeline pipeline = Pipeline.connect(node, standIn.url("/journals"));
    String refusing = Pipeline.webhook(node, standIn.url("/cannot-journal"));
    pipeline.connectTo(refusing);
    String body = batch(withType(goodTrack("m-503-1")), withType(goodTrack("m-503-2")));

    try (Connection sql = storage.postgres().connect()) {
      sql.setAutoCommit(true);
      try (Statement ddl = sql.createStatement()) {
        ddl.execute("CREATE FUNCTION refuse_journal_write() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN RAISE EXCEPTION 'journal write refused by the test'; END $$");
        ddl.execute("CREATE TRIGGER refuse_journal_write BEFORE INSERT ON event_journal FOR EACH ROW"
            + " WHEN (NEW.persistence_id = 'Destination|" + refusing + "') EXECUTE FUNCTION refuse_journal_write()");
      }
      try {
        dev.relay.testing.TestNode.Answer refused = post("/v1/batch", body, pipeline.writeKey());
        assertEquals(503, refused.status(), refused.body());
        assertTrue(refused.json() != null && refused.json().path("error").isTextual(), "a JSON error: " + refused.body());
        assertEquals(List.of(), pipeline.queuedMessageIds(refusing));
      } finally {
        try (Statement ddl = sql.createStatement()) {
          ddl.execute("DROP TRIGGER refuse_journal_write ON event_journal");
          ddl.execute("DROP FUNCTION refuse_journal_write()");
        }
      }
    }

    dev.relay.testing.TestNode.Answer retried = post("/v1/batch", body, pipeline.writeKey());
    assertEquals(200, retried.status(), retried.body());
    assertEquals(List.of("m-503-1", "m-503-2"), pipeline.queuedMessageIds(pipeline.destinationId()));
    assertEquals(List.of("m-503-1", "m-503-2"), pipeline.queuedMessageIds(refusing));
    assertDeliveredOnce(pipeline.destinationId(), "/journals", List.of("m-503-1", "m-503-2"));
    assertDeliveredOnce(refusing, "/cannot-journal", List.of("m-503-1", "m-503-2"));
  }
}
