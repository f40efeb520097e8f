package dev.relay.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.jdbc.PekkoSerialization$;
import org.apache.pekko.persistence.jdbc.config.ReadJournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.JournalTables;
import org.apache.pekko.persistence.jdbc.query.dao.DefaultReadJournalDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.scaladsl.Source;
import scala.Option;
import scala.Tuple2;
import scala.Tuple3;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import scala.util.Try;
import slick.dbio.DBIOAction;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;
import slick.jdbc.SimpleJdbcAction;

/**
 * The read journal's DAO with an {@code eventsByTag} query that both databases answer from the
 * range of the tag index ({@code event_tag (tag, event_id)}), whatever their statistics.
 *
 * <p>pekko-persistence-jdbc 1.1.1 bounds the ordering only on {@code event_journal}
 * (apache/pekko-persistence-jdbc#105): H2 then reads every {@code event_tag} row of the tag on each
 * poll, and PostgreSQL, with the generic plan it caches while the tables are young, joins every row
 * of the range with every row of the tag. Both get slower as the journal grows; on a fresh
 * PostgreSQL at 5,000 events/s single polls took 15 to 20 s. Bounding {@code event_id} too makes a
 * poll cost what it returns. Everything else is the default DAO's. Configured by {@code
 * jdbc-read-journal.dao}; remove when the library bounds the tag table itself.
 */
public final class TagRangeReadJournalDao extends DefaultReadJournalDao {

  // Relay's schema (db/h2.sql, db/postgres.sql): lowercase names, quoted so H2 matches them too.
  private static final String EVENTS_BY_TAG =
      """
      SELECT j."ordering", j."deleted", j."persistence_id", j."sequence_number", j."writer", j."write_timestamp",
        j."adapter_manifest", j."event_payload", j."event_ser_id", j."event_ser_manifest", j."meta_payload",
        j."meta_ser_id", j."meta_ser_manifest"
      FROM "event_tag" t JOIN "event_journal" j ON j."ordering" = t."event_id"
      WHERE t."tag" = ? AND t."event_id" > ? AND t."event_id" <= ? AND j."deleted" = FALSE
      ORDER BY t."event_id"
      LIMIT ?
      """;

  private final Serialization serialization;

  public TagRangeReadJournalDao(
      JdbcBackend.JdbcDatabaseDef db,
      JdbcProfile profile,
      ReadJournalConfig readJournalConfig,
      Serialization serialization,
      ExecutionContext ec,
      Materializer mat) {
    super(db, profile, readJournalConfig, serialization, ec, mat);
    this.serialization = serialization;
  }

  @Override
  public Source<Try<Tuple3<PersistentRepr, Set<String>, Object>>, NotUsed> eventsByTag(
      String tag, long offset, long maxOffset, long max) {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Future<List<Try<Tuple3<PersistentRepr, Set<String>, Object>>>> rows =
        db().run((DBIOAction) SimpleJdbcAction.apply(context -> query(context.connection(), tag, offset, maxOffset, max)));
    return org.apache.pekko.stream.javadsl.Source.completionStage(FutureConverters.asJava(rows))
        .<Try<Tuple3<PersistentRepr, Set<String>, Object>>>mapConcat(list -> list)
        .asScala();
  }

  private List<Try<Tuple3<PersistentRepr, Set<String>, Object>>> query(
      Connection connection, String tag, long offset, long maxOffset, long max) {
    try (PreparedStatement select = connection.prepareStatement(EVENTS_BY_TAG)) {
      select.setString(1, tag);
      select.setLong(2, offset);
      select.setLong(3, maxOffset);
      select.setLong(4, Math.min(max, Integer.MAX_VALUE)); // H2 takes no larger limit
      List<Try<Tuple3<PersistentRepr, Set<String>, Object>>> events = new ArrayList<>();
      try (ResultSet rows = select.executeQuery()) {
        while (rows.next()) {
          events.add(event(rows));
        }
      }
      return events;
    } catch (SQLException e) {
      throw new IllegalStateException("eventsByTag(" + tag + ") failed: " + e.getMessage(), e);
    }
  }

  private Try<Tuple3<PersistentRepr, Set<String>, Object>> event(ResultSet rows) throws SQLException {
    long ordering = rows.getLong(1);
    JournalTables.JournalPekkoSerializationRow row =
        new JournalTables.JournalPekkoSerializationRow(
            ordering,
            rows.getBoolean(2),
            rows.getString(3),
            rows.getLong(4),
            rows.getString(5),
            rows.getLong(6),
            rows.getString(7),
            rows.getBytes(8),
            rows.getInt(9),
            rows.getString(10),
            Option.apply(rows.getBytes(11)),
            Option.apply(rows.getObject(12, Integer.class)),
            Option.apply(rows.getString(13)));
    Try<Tuple2<PersistentRepr, Object>> event = PekkoSerialization$.MODULE$.fromRow(serialization, row);
    return event.map(pair -> new Tuple3<>(pair._1(), scala.collection.immutable.Set$.MODULE$.<String>empty(), pair._2()));
  }
}
