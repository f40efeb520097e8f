package dev.relay.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded database, opened as a node opens it, keeps every commit it acknowledged through
 * SIGKILLs: a process commits from several connections until it is killed, a number of times over on
 * the same file, and after each kill every row of every acknowledged commit is there. H2 2.5.252
 * writes chunks into the space of dead ones, and some kills lost the last commits before them (2 of
 * 14 in one run, 122 and 226 rows) until the node kept its store header naming the newest chunk:
 * see {@code H2StoreHeader}.
 */
class H2KillDurabilityIT {

  private static final int KILLS = Integer.getInteger("h2.kills", 10);
  /** Rows a process acknowledges at least before it is killed, ... */
  private static final long ROWS_PER_LIFE = 50_000;
  /** ... and how long it commits at least, a different time for each life. */
  private static final Random LIVES = new Random(Long.getLong("h2.seed", 19));

  @TempDir Path work;
  private Path dataDir;

  @Test
  void everyAcknowledgedCommitSurvivesRepeatedKills() throws Exception {
    dataDir = work.resolve("data");
    long acknowledgedInAll = 0;
    for (int kill = 1; kill <= KILLS; kill++) {
      List<long[]> acknowledged = killDuringCommits(kill);
      long rows = acknowledged.stream().mapToLong(commit -> commit[1]).sum();
      acknowledgedInAll += rows;
      try (Connection connection = H2CrashRecovery.openRecovered(H2CommitWriter.settings(dataDir))) {
        assertEquals(0, missing(connection, acknowledged), "rows of acknowledged commits lost to kill " + kill + " of " + rows + " acknowledged");
        assertTrue(count(connection) >= acknowledgedInAll, "no row of an earlier life is lost either");
      }
    }
  }

  /**
   * Runs a writer until it has acknowledged {@link #ROWS_PER_LIFE} rows and then for 1 to 6 s more,
   * kills it, returns what it acknowledged.
   */
  private List<long[]> killDuringCommits(int life) throws Exception {
    Path errors = work.resolve("writer-" + life + ".err");
    Process writer =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), H2CommitWriter.class.getName(), dataDir.toString())
            .redirectError(errors.toFile())
            .start();
    List<long[]> acknowledged = new ArrayList<>();
    AtomicLong rows = new AtomicLong();
    CompletableFuture<Void> enough = new CompletableFuture<>();
    Thread reader = new Thread(() -> read(writer, acknowledged, rows, enough), "writer-output");
    reader.start();
    try {
      enough.get(120, TimeUnit.SECONDS);
      Thread.sleep(1000 + LIVES.nextInt(5000)); // a kill at any point of its commits, not only at the count
    } finally {
      writer.destroyForcibly();
      assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer died");
    }
    reader.join(); // what it printed before the kill is what it acknowledged
    assertTrue(rows.get() >= ROWS_PER_LIFE, () -> "the writer stopped early: " + read(errors));
    return acknowledged;
  }

  private static void read(Process writer, List<long[]> acknowledged, AtomicLong rows, CompletableFuture<Void> enough) {
    try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = out.readLine()) != null; ) {
        String[] commit = line.split(" ");
        if (commit.length != 2) {
          continue; // cut short by the kill: never acknowledged whole
        }
        long count = Long.parseLong(commit[1]);
        acknowledged.add(new long[] {Long.parseLong(commit[0]), count});
        if (rows.addAndGet(count) >= ROWS_PER_LIFE) {
          enough.complete(null);
        }
      }
    } catch (IOException e) {
      enough.completeExceptionally(e);
    }
    enough.completeExceptionally(new AssertionError("the writer ended before it was killed"));
  }

  private static long missing(Connection connection, List<long[]> acknowledged) throws SQLException {
    long missing = 0;
    try (PreparedStatement query = connection.prepareStatement("select count(*) from journal where id between ? and ?")) {
      for (long[] commit : acknowledged) {
        query.setLong(1, commit[0]);
        query.setLong(2, commit[0] + commit[1] - 1);
        try (ResultSet result = query.executeQuery()) {
          result.next();
          missing += commit[1] - result.getLong(1);
        }
      }
    }
    return missing;
  }

  private static long count(Connection connection) throws SQLException {
    try (PreparedStatement query = connection.prepareStatement("select count(*) from journal");
        ResultSet result = query.executeQuery()) {
      result.next();
      return result.getLong(1);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
