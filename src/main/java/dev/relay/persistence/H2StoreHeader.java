package dev.relay.persistence;

import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.Chunk;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;

/**
 * Keeps the embedded H2 file's newest chunk findable after a kill. H2 writes each store as a chunk,
 * into the space of dead chunks where there is room ({@code REUSE_SPACE}, H2's default) and at the
 * end of the file otherwise. Reopening a file it did not close, H2 finds the newest chunk from the
 * store header, by following from the chunk it names each chunk's guess of where the next will go,
 * and at the file's end. When a chunk lands where the guess did not say, H2 2.5.252 rewrites the
 * header, but naming the chunk before it ({@code RandomAccessStore.writeChunk} writes the header
 * before it makes the new chunk its last): the new chunk, and every chunk written after it up to the
 * next rewrite of the header (at least one in 20 versions), is then found from nowhere, and a kill
 * loses them, acknowledged commits with them. H2 has no public call to write its header, hence this
 * reflection: a node whose H2 lacks what it needs refuses to start.
 *
 * <p>Remove once H2 names the chunk it just wrote. No upstream issue is filed yet.
 */
final class H2StoreHeader {

  /** H2's key for the id of the chunk the header names ({@code FileStore.HDR_CHUNK}). */
  private static final String CHUNK = "chunk";
  /** H2's unit of file space ({@code FileStore.BLOCK_SIZE}, not public); the header fills one. */
  static final int BLOCK_SIZE = 4096;

  private final RandomAccessStore file;
  private final ReentrantLock saveChunkLock;
  private final Field lastChunk;
  private final Map<String, Object> header;
  private final Method writeStoreHeader;

  @SuppressWarnings("unchecked")
  H2StoreHeader(MVStore store) {
    try {
      file = (RandomAccessStore) store.getFileStore();
      saveChunkLock = (ReentrantLock) accessible(FileStore.class.getDeclaredField("saveChunkLock")).get(file);
      lastChunk = accessible(FileStore.class.getDeclaredField("lastChunk"));
      header = (Map<String, Object>) accessible(FileStore.class.getDeclaredField("storeHeader")).get(file);
      writeStoreHeader = RandomAccessStore.class.getDeclaredMethod("writeStoreHeader");
      writeStoreHeader.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException("this H2 version lacks what Relay needs to write its store header: " + e, e);
    }
  }

  /** The id of the chunk the header names: a number once H2 wrote it, hex text as H2 read it. */
  private int namedChunk() {
    Object id = header.get(CHUNK);
    return id instanceof Number number ? number.intValue() : id == null ? -1 : Integer.parseUnsignedInt(id.toString(), 16);
  }

  private static Field accessible(Field field) {
    field.setAccessible(true);
    return field;
  }

  /**
   * Makes the store header name the last chunk written, unless it sits at the end of the file, where
   * H2 finds it anyway. Called once the chunks of what the node acknowledges are written, before the
   * acknowledgement; under H2's own lock for writing chunks, so no chunk is written meanwhile.
   */
  void nameLastChunk() {
    saveChunkLock.lock();
    try {
      Chunk<?> last = (Chunk<?>) lastChunk.get(file);
      if (last == null
          || (last.block + last.len) * BLOCK_SIZE >= file.size()
          || namedChunk() == last.id) {
        return;
      }
      writeStoreHeader.invoke(file);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof RuntimeException failed ? failed : new IllegalStateException(e.getCause());
    } finally {
      saveChunkLock.unlock();
    }
  }
}
