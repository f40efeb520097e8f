package dev.relay.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import dev.relay.destination.DestinationEvent;
import dev.relay.persistence.Database;
import dev.relay.testing.Backend;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A measurement, not part of the suite (its name is not a test's): how fast a sweep deletes a large
 * journal past the horizon, and how long each of its transactions is. Run it by name:
 * {@code mvn -B -o -q test -Dtest=RetentionMeasurement -Dretention.events=200000 [-Dretention.backend=postgres]}.
 */
class RetentionMeasurement {

  private static final int EVENTS = Integer.getInteger("retention.events", 200_000);
  private static final int DESTINATIONS = Integer.getInteger("retention.destinations", 20);
  private static final String QUEUED = DestinationEvent.ActionQueued.class.getName();

  @TempDir Path dataDir;

  @Test
  void aSweepOfALargeOldJournal() throws Exception {
    Backend backend = "postgres".equals(System.getProperty("retention.backend")) ? Backend.POSTGRES : Backend.H2;
    try (Backend.Storage storage = backend.open(dataDir)) {
      RelaySettings settings = RelaySettings.from(RelayConfig.load(storage.config()));
      try (Database database = Database.open(settings.database())) {
        database.createSchemaIfMissing();
        long old = Instant.now().minus(Duration.ofDays(40)).toEpochMilli();
        int perDestination = EVENTS / DESTINATIONS;
        long fillStarted = System.nanoTime();
        try (Connection connection = database.dataSource().getConnection()) {
          byte[] payload = new byte[600];
          try (PreparedStatement insert =
              connection.prepareStatement(
                  "INSERT INTO \"event_journal\" (\"deleted\", \"persistence_id\", \"sequence_number\", \"writer\","
                      + " \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\", \"event_ser_manifest\")"
                      + " VALUES (false, ?, ?, 'w', ?, '', ?, 33, ?)")) {
            for (int d = 0; d < DESTINATIONS; d++) {
              for (int seq = 1; seq <= perDestination; seq++) {
                insert.setString(1, "Destination|dst_" + d);
                insert.setLong(2, seq);
                insert.setLong(3, old + seq);
                insert.setBytes(4, payload);
                insert.setString(5, QUEUED);
                insert.addBatch();
                if (seq % 1000 == 0) {
                  insert.executeBatch();
                  connection.commit();
                }
              }
              insert.executeBatch();
              connection.commit();
            }
          }
          try (Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO \"event_tag\" (\"event_id\", \"tag\") SELECT \"ordering\", 'measured' FROM \"event_journal\"");
          }
          try (PreparedStatement snapshot =
              connection.prepareStatement(
                  "INSERT INTO \"snapshot\" (\"persistence_id\", \"sequence_number\", \"created\", \"snapshot_ser_id\","
                      + " \"snapshot_ser_manifest\", \"snapshot_payload\") VALUES (?, ?, ?, 33, 's', ?)")) {
            for (int d = 0; d < DESTINATIONS; d++) {
              snapshot.setString(1, "Destination|dst_" + d);
              snapshot.setLong(2, perDestination - 10);
              snapshot.setLong(3, old);
              snapshot.setBytes(4, new byte[] {0});
              snapshot.executeUpdate();
            }
          }
          connection.commit();
        }
        System.out.printf("filled %d events of %d destinations in %d ms%n", EVENTS, DESTINATIONS,
            Duration.ofNanos(System.nanoTime() - fillStarted).toMillis());

        RetentionSettings retention = settings.retention();
        long started = System.nanoTime();
        Retention.Report report =
            new Retention(database.dataSource(), retention, new SimpleMeterRegistry()).sweep(Instant.now());
        long tookMs = Duration.ofNanos(System.nanoTime() - started).toMillis();
        long deleted = report.deleted().get("event_journal");
        assertEquals((long) DESTINATIONS * (perDestination - 10), deleted, report.toString());
        long transactions = (deleted + retention.batchSize() - 1) / retention.batchSize();
        System.out.printf(
            "%s: swept %d events (and %d tags) in %d ms: %.0f events/s, %d transactions of up to %d events, %.1f ms each on average%n",
            backend, deleted, report.deleted().get("event_tag"), tookMs, deleted * 1000.0 / tookMs, transactions,
            retention.batchSize(), (double) tookMs / transactions);
      }
    }
  }
}
