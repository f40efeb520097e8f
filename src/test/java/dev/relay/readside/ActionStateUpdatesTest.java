package dev.relay.readside;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.relay.RelayConfig;
import dev.relay.RelaySettings;
import dev.relay.catalog.Outcome;
import dev.relay.catalog.OutgoingRequest;
import dev.relay.destination.DestinationEvent.ActionQueued;
import dev.relay.destination.DestinationEvent.AttemptRecorded;
import dev.relay.destination.DestinationEvent.ItemOutcome;
import dev.relay.persistence.Database;
import dev.relay.readside.ActionLogChanges.Journaled;
import dev.relay.testing.Backend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A group that changes many stored actions sets each one's state (PostgreSQL in one statement of
 * arrays, H2 in a batch of statements), and only theirs, keeping a replay's link it does not set.
 */
class ActionStateUpdatesTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final Instant T0 = Instant.parse("2026-06-01T10:00:00Z");
  private static final String DST = "dst_1";
  private static final int DELIVERED = 301;

  @TempDir Path dataDir;
  private long seq;

  @ParameterizedTest
  @EnumSource(Backend.class)
  void aGroupSetsTheStateOfEveryActionItChanges(Backend backend) throws Exception {
    try (Backend.Storage storage = backend.open(dataDir)) {
      Config config = RelayConfig.load(storage.config());
      try (Database database = Database.open(RelaySettings.from(config).database())) {
        database.createSchemaIfMissing();
        ActionLogWriter writer = new ActionLogWriter(SqlDialect.of(database.isPostgres()), MAPPER);
        try (Connection connection = database.dataSource().getConnection()) {
          List<Journaled> queued = new ArrayList<>();
          for (int i = 0; i <= DELIVERED; i++) {
            queued.add(queued("itm_" + i));
          }
          writer.project(connection, queued);
          // An action replayed before: delivering it now must keep the link to its replay.
          execute(connection, "UPDATE journal_item_state SET replayed_as = 'itm_replay' WHERE item_id = 'itm_7'");
          connection.commit();

          List<ItemOutcome> outcomes = new ArrayList<>();
          for (int i = 0; i < DELIVERED; i++) {
            outcomes.add(new ItemOutcome("itm_" + i, 1, Outcome.DELIVERED, Optional.empty()));
          }
          writer.project(
              connection,
              List.of(
                  new Journaled(
                      DST,
                      ++seq,
                      new AttemptRecorded(
                          "act_1", T0.plusSeconds(1), 5, new OutgoingRequest("POST", "http://127.0.0.1/hook", Map.of(), "[]"),
                          Optional.of(200), Optional.of("{}"), Optional.empty(), outcomes, false))));
          connection.commit();

          assertEquals(
              List.of("delivered 1 200 " + T0.plusSeconds(1).toEpochMilli() + " " + DELIVERED),
              rows(connection, "SELECT status, attempts, last_status, last_attempt_at, COUNT(*) FROM journal_item_state"
                  + " WHERE item_id <> 'itm_" + DELIVERED + "' GROUP BY status, attempts, last_status, last_attempt_at"));
          assertEquals(
              List.of("queued 0 null null 1"),
              rows(connection, "SELECT status, attempts, last_status, last_attempt_at, COUNT(*) FROM journal_item_state"
                  + " WHERE item_id = 'itm_" + DELIVERED + "' GROUP BY status, attempts, last_status, last_attempt_at"));
          assertEquals(
              List.of("itm_7 itm_replay"),
              rows(connection, "SELECT item_id, replayed_as FROM journal_item_state WHERE replayed_as IS NOT NULL"));
        }
      }
    }
  }

  private Journaled queued(String itemId) throws Exception {
    ObjectNode event =
        (ObjectNode) MAPPER.readTree("{\"type\":\"track\",\"event\":\"Order Completed\",\"messageId\":\"m-" + itemId + "\"}");
    return new Journaled(DST, ++seq, new ActionQueued(itemId, "act_1", "Send", "src_1", event, T0, false));
  }

  /** The rows of {@code sql}, each its columns joined by spaces. */
  private static List<String> rows(Connection connection, String sql) throws SQLException {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> row = new ArrayList<>();
        for (int column = 1; column <= columns; column++) {
          row.add(String.valueOf(result.getObject(column)));
        }
        rows.add(String.join(" ", row));
      }
    }
    return rows;
  }

  private static void execute(Connection connection, String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
