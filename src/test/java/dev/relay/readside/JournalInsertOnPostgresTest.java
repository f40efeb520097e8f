package dev.relay.readside;

import static dev.relay.readside.Traffic.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import dev.relay.testing.Backend;
import dev.relay.testing.StandInDestination;
import dev.relay.testing.TestNode;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On PostgreSQL, a journal write of many events is a few multi-row INSERTs, not one statement per
 * event, and the orderings it gives them still follow the events' sequence numbers and carry their
 * tags: the read side finds every action. A statement-level trigger counts the INSERT statements on
 * event_journal that carried the destination's queued actions.
 */
class JournalInsertOnPostgresTest {

  private static final int EVENTS = 300;

  @TempDir Path dataDir;

  @Test
  void aWriteOfManyEventsIsAFewStatementsAndEveryActionReachesTheReadSide() throws Exception {
    try (Backend.Storage storage = Backend.POSTGRES.open(dataDir);
        TestNode node = TestNode.start(storage, ConfigFactory.parseMap(Map.of("relay.delivery.allowed-networks", "127.0.0.0/8")));
        StandInDestination standIn = StandInDestination.start();
        Connection sql = storage.postgres().connect()) {
      String destination = Traffic.webhook(node, standIn);
      sql.setAutoCommit(true);
      try (Statement ddl = sql.createStatement()) {
        ddl.execute("CREATE TABLE queued_insert_statements (queued INT NOT NULL)");
        ddl.execute("CREATE FUNCTION count_queued_inserts() RETURNS trigger LANGUAGE plpgsql AS $$"
            + " BEGIN INSERT INTO queued_insert_statements SELECT count(*) FROM added"
            + " WHERE persistence_id = 'Destination|" + destination + "' AND event_ser_manifest LIKE '%$ActionQueued'"
            + " HAVING count(*) > 0; RETURN NULL; END $$");
        ddl.execute("CREATE TRIGGER count_queued_inserts AFTER INSERT ON event_journal"
            + " REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION count_queued_inserts()");
      }

      List<ObjectNode> events = new ArrayList<>();
      IntStream.range(0, EVENTS).forEach(i -> events.add(Traffic.track("Bulk " + i, "user-" + i)));
      Traffic.accept(node, destination, events);

      long[] statements = statements(sql);
      assertEquals(EVENTS, statements[1], "queued actions inserted");
      System.out.println("[journal insert] " + EVENTS + " events in " + statements[0] + " INSERT statements");
      assertTrue(statements[0] <= 10,
          "a write of " + EVENTS + " events took " + statements[0] + " INSERT statements; multi-row INSERTs take a few");

      // Orderings ascend with the sequence numbers: the read journal reads in ordering.
      try (Statement query = sql.createStatement();
          ResultSet rows = query.executeQuery("SELECT ordering FROM event_journal WHERE persistence_id = 'Destination|"
              + destination + "' ORDER BY sequence_number")) {
        long previous = Long.MIN_VALUE;
        while (rows.next()) {
          assertTrue(rows.getLong(1) > previous, "ordering " + rows.getLong(1) + " after " + previous);
          previous = rows.getLong(1);
        }
      }
      // Each tag row names its own event: the projection, reading by tag, finds every action.
      await("every queued action in the action log", Duration.ofSeconds(30),
          () -> ReadSideTables.count(node, "SELECT COUNT(*) FROM journal_item WHERE destination_id = ?", destination) == EVENTS);
      List<String> logged = new ArrayList<>();
      try (Statement query = sql.createStatement();
          ResultSet rows = query.executeQuery("SELECT message_id FROM journal_item WHERE destination_id = '"
              + destination + "' ORDER BY seq")) {
        while (rows.next()) {
          logged.add(rows.getString(1));
        }
      }
      assertEquals(events.stream().map(e -> e.path("messageId").asText()).toList(), logged);
    }
  }

  /** The INSERT statements that carried the destination's queued actions, and the actions they carried. */
  private static long[] statements(Connection sql) throws SQLException {
    try (Statement query = sql.createStatement();
        ResultSet rows = query.executeQuery("SELECT count(*), coalesce(sum(queued), 0) FROM queued_insert_statements")) {
      rows.next();
      return new long[] {rows.getLong(1), rows.getLong(2)};
    }
  }
}
