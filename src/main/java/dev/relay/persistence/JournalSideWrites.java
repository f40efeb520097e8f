package dev.relay.persistence;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * Tables written in the journal's own transaction, from the events it writes: state that must change
 * exactly when an event is journaled, neither before nor after, such as a destination's pending
 * actions. {@link BatchInsertJournalDao} hands each registered table the events it wants, in journal
 * order, inside the transaction that inserts them; if either fails, neither is written. Tables
 * register once at the node's start, before any entity writes.
 */
public final class JournalSideWrites implements Extension {

  /** One table kept by journal writes. */
  public interface Table {

    /** True if {@code event} (the payload as the entity persisted it) changes this table. */
    boolean wants(Object event);

    /** Applies {@code events}, in journal order, on {@code connection}, inside the journal's transaction. */
    void write(Connection connection, List<Written> events) throws SQLException;
  }

  /** An event being journaled, with its place in its entity's journal. */
  public record Written(String persistenceId, long sequenceNr, Object event) {}

  public static final ExtensionId<JournalSideWrites> ID =
      new ExtensionId<>() {
        @Override
        public JournalSideWrites createExtension(ActorSystem<?> system) {
          return new JournalSideWrites();
        }
      };

  private final List<Table> tables = new CopyOnWriteArrayList<>();

  private JournalSideWrites() {}

  public static JournalSideWrites get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public void register(Table table) {
    tables.add(table);
  }

  List<Table> tables() {
    return tables;
  }

  /** The table that wants {@code event}, if one does (at most one table per kind of event). */
  Table tableFor(Object event) {
    for (Table table : tables) {
      if (table.wants(event)) {
        return table;
      }
    }
    return null;
  }
}
