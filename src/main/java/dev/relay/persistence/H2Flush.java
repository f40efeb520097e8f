package dev.relay.persistence;

import dev.relay.core.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.h2.mvstore.MVStore;

/**
 * Group commit for the embedded H2. The node's store keeps commits in memory and writes them to its
 * file as one chunk now and then ({@code WRITE_DELAY}, see {@code RelayConfig}); whatever the node
 * acknowledges waits for {@link #flushed()} first. One thread writes: every caller that arrived
 * while the previous write ran shares the next one, so under load each chunk carries the commits of
 * many requests instead of one chunk per commit (H2 writes every page a commit changed, up to the
 * roots, into its chunk: per commit, that is kilobytes per row).
 *
 * <p>Waiting callers are those of requests in flight, bounded by the HTTP server's connections.
 */
final class H2Flush implements AutoCloseable {

  private final MVStore store;
  private final H2StoreHeader header;
  private final ConcurrentLinkedQueue<CompletableFuture<Done>> waiting = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final ExecutorService writer =
      Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "relay-h2-flush");
        thread.setDaemon(true);
        return thread;
      });

  H2Flush(MVStore store) {
    this.store = store;
    this.header = new H2StoreHeader(store);
  }

  /** Completes once every commit made before the call is in the file (a kill cannot take it back). */
  CompletionStage<Done> flushed() {
    CompletableFuture<Done> done = new CompletableFuture<>();
    waiting.add(done);
    if (writing.compareAndSet(false, true)) {
      writer.execute(this::drain);
    }
    return done;
  }

  private void drain() {
    while (true) {
      List<CompletableFuture<Done>> batch = new ArrayList<>();
      for (CompletableFuture<Done> next = waiting.poll(); next != null; next = waiting.poll()) {
        batch.add(next);
      }
      if (batch.isEmpty()) {
        writing.set(false);
        // A caller that came after the poll but saw the flag still set is taken here.
        if (waiting.isEmpty() || !writing.compareAndSet(false, true)) {
          return;
        }
        continue;
      }
      write(batch);
    }
  }

  private void write(List<CompletableFuture<Done>> batch) {
    try {
      // Stores what is not stored yet, or finds a store begun since the callers' commits covers them;
      store.commit();
      // then waits until every store begun so far, H2's own background ones too, is in the file.
      store.executeFilestoreOperation(() -> {});
      // and that a kill leaves them where H2 finds them when it opens the file again.
      header.nameLastChunk();
      batch.forEach(done -> done.complete(Done.getInstance()));
    } catch (RuntimeException e) {
      Problem failed = Problem.unavailable("the database could not write to its file; retry", e);
      batch.forEach(done -> done.completeExceptionally(failed));
    }
  }

  @Override
  public void close() {
    writer.shutdown();
  }
}
