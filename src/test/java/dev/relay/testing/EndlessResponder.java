package dev.relay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A destination on loopback that answers every request with {@code 200} and a chunked body that
 * never ends, written as fast as the client reads it (or a chunk per {@code pause}). It counts the
 * bytes it managed to write and notices when the client closes the connection.
 */
public final class EndlessResponder implements AutoCloseable {

  private static final int CHUNK = 8192;

  private final ServerSocket server;
  private final Duration pause;
  private final AtomicLong written = new AtomicLong();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closedByClient = new AtomicInteger();
  private final java.util.List<AtomicLong> perConnection = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile long lastClosedAtNanos;
  private final Thread acceptor;

  private EndlessResponder(ServerSocket server, Duration pause) {
    this.server = server;
    this.pause = pause;
    this.acceptor = new Thread(this::acceptLoop, "endless-responder");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  /** Writes as fast as the client reads. */
  public static EndlessResponder fast() {
    return start(Duration.ZERO);
  }

  /** Writes one 8 KB chunk per {@code pause}. */
  public static EndlessResponder slow(Duration pause) {
    return start(pause);
  }

  private static EndlessResponder start(Duration pause) {
    try {
      return new EndlessResponder(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), pause);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.getLocalPort() + path;
  }

  /** Bytes of the body written so far, over every connection. */
  public long written() {
    return written.get();
  }

  /** The most bytes written on any one connection. */
  public long mostWrittenOnOneConnection() {
    return perConnection.stream().mapToLong(AtomicLong::get).max().orElse(0);
  }

  public int connections() {
    return connections.get();
  }

  /** Connections the client closed while the body was being written. */
  public int closedByClient() {
    return closedByClient.get();
  }

  public long lastClosedAtNanos() {
    return lastClosedAtNanos;
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        connections.incrementAndGet();
        Thread writer = new Thread(() -> answer(socket), "endless-writer");
        writer.setDaemon(true);
        writer.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void answer(Socket socket) {
    AtomicLong mine = new AtomicLong();
    perConnection.add(mine);
    try (socket) {
      readRequestHead(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      byte[] data = new byte[CHUNK];
      Arrays.fill(data, (byte) 'x');
      byte[] head = (Integer.toHexString(CHUNK) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      byte[] tail = "\r\n".getBytes(StandardCharsets.US_ASCII);
      while (!server.isClosed()) {
        out.write(head);
        out.write(data);
        out.write(tail);
        written.addAndGet(CHUNK);
        mine.addAndGet(CHUNK);
        if (!pause.isZero()) {
          out.flush();
          Thread.sleep(pause.toMillis());
        }
      }
    } catch (IOException clientClosed) {
      lastClosedAtNanos = System.nanoTime();
      closedByClient.incrementAndGet();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Reads up to the blank line ending the request head; the body, if any, is left unread. */
  private static void readRequestHead(InputStream in) throws IOException {
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("client closed before sending a request");
      }
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
