package dev.relay.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A TCP relay on a loopback port in front of a real server (PostgreSQL): stopping it makes the
 * server unreachable for whoever connects through it (connections cut, new ones refused), starting
 * it again brings the server back on the same port. For tests of a database going away.
 */
public final class TcpProxy implements AutoCloseable {

  private final int port;
  private final InetSocketAddress upstream;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads =
      Executors.newCachedThreadPool(
          runnable -> {
            Thread thread = new Thread(runnable, "tcp-proxy");
            thread.setDaemon(true);
            return thread;
          });
  private ServerSocket server;

  public TcpProxy(int port, String upstreamHost, int upstreamPort) {
    this.port = port;
    this.upstream = new InetSocketAddress(upstreamHost, upstreamPort);
  }

  public int port() {
    return port;
  }

  public synchronized void start() throws IOException {
    ServerSocket listening = new ServerSocket();
    listening.setReuseAddress(true);
    listening.bind(new InetSocketAddress("127.0.0.1", port));
    server = listening;
    threads.submit(() -> accept(listening));
  }

  /** Refuses new connections and cuts the open ones. */
  public synchronized void stop() {
    if (server != null) {
      closeQuietly(server);
      server = null;
    }
    open.forEach(TcpProxy::closeQuietly);
    open.clear();
  }

  private void accept(ServerSocket listening) {
    while (!listening.isClosed()) {
      try {
        Socket client = listening.accept();
        Socket backend = new Socket();
        backend.connect(upstream, 5_000);
        open.add(client);
        open.add(backend);
        threads.submit(() -> pump(client, backend));
        threads.submit(() -> pump(backend, client));
      } catch (IOException stopped) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int read;
      while ((read = in.read(buffer)) >= 0) {
        out.write(buffer, 0, read);
        out.flush();
      }
    } catch (IOException cut) {
      // either side closed, or the proxy stopped
    } finally {
      closeQuietly(from);
      closeQuietly(to);
      open.remove(from);
      open.remove(to);
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception ignored) {
      // closing anyway
    }
  }

  @Override
  public void close() {
    stop();
    threads.shutdownNow();
  }
}
