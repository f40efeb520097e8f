package dev.relay.persistence;

import java.lang.reflect.Field;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How much the embedded H2 store may change in memory before it writes a store of its own
 * ({@code relay.db.h2-store-buffer}). Each store writes every page changed since the last one, up
 * to the roots, as a new chunk, and most of those pages are changed again a store or two later:
 * the more stores, the more of the file is pages already dead. The node's
 * commits reach the file through the group commit ({@link H2Flush}) and H2's {@code WRITE_DELAY};
 * besides those, H2 stores whenever its estimate of the page copies made since the last store
 * passes a threshold, 19 MB at most, which a busy node passes several times a second (two stores in
 * three under the disk benchmark's load). H2 takes the threshold only when its store is built
 * ({@code autoCommitBufferSize}) and the database does not pass it on, hence this reflection, as
 * for {@link H2Housekeeping}'s lock. A larger threshold keeps no acknowledged commit from the file
 * longer: every acknowledgement still waits for its flush.
 */
final class H2StoreBuffer {

  private static final Logger log = LoggerFactory.getLogger(H2StoreBuffer.class);

  private H2StoreBuffer() {}

  /**
   * Lets {@code store} change {@code bytes} (H2's estimate), at most a quarter of the heap, before
   * it writes a store of its own.
   */
  static void set(MVStore store, long bytes) {
    long capped = Math.min(bytes, Runtime.getRuntime().maxMemory() / 4);
    if (capped < bytes) {
      log.info("relay.db.h2-store-buffer is {} bytes, a quarter of the heap, instead of {}", capped, bytes);
    }
    try {
      Field threshold = MVStore.class.getDeclaredField("autoCommitMemory");
      threshold.setAccessible(true);
      threshold.setInt(store, Math.toIntExact(capped));
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("this H2 version has no MVStore.autoCommitMemory to set: " + e, e);
    }
  }
}
