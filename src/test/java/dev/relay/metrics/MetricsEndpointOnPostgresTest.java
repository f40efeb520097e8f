package dev.relay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.relay.testing.Backend;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class MetricsEndpointOnPostgresTest extends MetricsEndpointTest {
  @Override
  protected Backend backend() {
    return Backend.POSTGRES;
  }

  /** A journal write the database refuses is timed as failed, and its request counted as failed, unavailable. */
  @Test
  void aRefusedJournalWriteAndItsRequestAreCountedAsFailed() throws Exception {
    String refusing = webhook(standIn.url("/cannot-journal"));
    String writeKey = source(refusing);
    double failedBefore = scrape().value("relay_journal_write_duration_seconds_count", "result", "failed").orElse(0.0);
    try (Connection sql = storage.postgres().connect()) {
      sql.setAutoCommit(true);
      try (Statement ddl = sql.createStatement()) {
        ddl.execute("CREATE FUNCTION refuse_journal_write() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN RAISE EXCEPTION 'journal write refused by the test'; END $$");
        ddl.execute("CREATE TRIGGER refuse_journal_write BEFORE INSERT ON event_journal FOR EACH ROW"
            + " WHEN (NEW.persistence_id = 'Destination|" + refusing + "') EXECUTE FUNCTION refuse_journal_write()");
      }
      try {
        String identify = "{\"type\":\"identify\",\"userId\":\"user-metrics-2\",\"messageId\":\"msg-refused\"}";
        assertEquals(503, ingest("/v1/identify", writeKey, identify));
      } finally {
        try (Statement ddl = sql.createStatement()) {
          ddl.execute("DROP TRIGGER refuse_journal_write ON event_journal");
          ddl.execute("DROP FUNCTION refuse_journal_write()");
        }
      }
    }
    PrometheusText m = scrape();
    assertTrue(value(m, "relay_journal_write_duration_seconds_count", "result", "failed") > failedBefore);
    assertEquals(1, value(m, "relay_ingest_requests_total", "endpoint", "identify", "result", "failed"));
    assertEquals(1, value(m, "relay_ingest_events_total", "endpoint", "identify", "result", "failed"));
    assertEquals(1, value(m, "relay_ingest_rejections_total", "endpoint", "identify", "reason", "unavailable"));
    assertEquals(0, m.value("relay_destination_actions_queued_total", "destination", refusing).orElse(0.0), "nothing journaled, nothing counted");
  }
}
