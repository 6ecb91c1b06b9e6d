package dev.jdgram;

import dev.jdgram.loop.EventLoop;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Several sockets sharing one port with SO_REUSEPORT, each on its own loop and thread: the way
 * to use more than one core for one UDP port. The kernel spreads incoming datagrams over the
 * sockets by flow (source address and port), so one peer's datagrams stay in order on one loop.
 *
 * <pre>{@code
 * try (SocketGroup group = SocketGroup.create(SocketOptions.of("udp4"), Runtime.getRuntime().availableProcessors())) {
 *   group.onMessage((msg, rinfo) -> handle(msg, rinfo));   // runs on each socket's own loop
 *   group.bind(5353, "127.0.0.1");
 *   ...
 * }
 * }</pre>
 */
public final class SocketGroup implements AutoCloseable {
  private final List<EventLoop> loops;
  private final List<DgramSocket> sockets;

  private SocketGroup(List<EventLoop> loops, List<DgramSocket> sockets) {
    this.loops = loops;
    this.sockets = sockets;
  }

  /**
   * Starts {@code size} loops and creates one socket on each with {@code reusePort(true)}.
   *
   * @param options the sockets' options (their loop and reusePort are set by the group)
   * @param size how many sockets and loops, at least 1 (usually one per core)
   * @return the group, not yet bound
   * @throws DgramException {@code ERR_OUT_OF_RANGE} for a size below 1, and as
   *     {@link Dgram#createSocket(SocketOptions)}
   */
  public static SocketGroup create(SocketOptions options, int size) {
    if (options == null) {
      throw Errors.invalidArgType("options", "of type SocketOptions", null);
    }
    if (size < 1) {
      throw Errors.outOfRange("size", ">= 1", size);
    }
    List<EventLoop> loops = new ArrayList<>();
    List<DgramSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < size; i++) {
        EventLoop loop = EventLoop.create();
        loops.add(loop);
        loop.start();
        sockets.add(Dgram.createSocket(options.reusePort(true).loop(loop)));
      }
    } catch (RuntimeException e) {
      loops.forEach(EventLoop::close);
      throw e;
    }
    return new SocketGroup(Collections.unmodifiableList(loops), Collections.unmodifiableList(sockets));
  }

  /** @return the sockets, one per loop */
  public List<DgramSocket> sockets() {
    return sockets;
  }

  /** @return the loops, one per socket */
  public List<EventLoop> loops() {
    return loops;
  }

  /**
   * Adds {@code l} to every socket; each socket calls it on its own loop thread, so a listener
   * shared by the group must be thread-safe.
   *
   * @param l the listener
   * @return this group
   */
  public SocketGroup onMessage(MessageListener l) {
    sockets.forEach(s -> s.onMessage(l));
    return this;
  }

  /**
   * Adds {@code l} to every socket, as {@link #onMessage}.
   *
   * @param l the listener
   * @return this group
   */
  public SocketGroup onDatagram(DatagramListener l) {
    sockets.forEach(s -> s.onDatagram(l));
    return this;
  }

  /**
   * Adds {@code l} to every socket.
   *
   * @param l the listener
   * @return this group
   */
  public SocketGroup onError(Consumer<DgramException> l) {
    sockets.forEach(s -> s.onError(l));
    return this;
  }

  /**
   * Binds every socket to {@code port} and waits until all are listening. With port 0 the first
   * socket's port is taken by the others.
   *
   * @param port the port, or 0
   * @param address the address, or null for every address
   * @return the port
   * @throws DgramException the first bind error (the group stays unbound for the rest), or
   *     {@code ETIMEDOUT} if the sockets are not listening within 10 seconds
   */
  public int bind(int port, String address) {
    int p = port;
    for (DgramSocket s : sockets) {
      p = bindOne(s, p, address);
    }
    return p;
  }

  private static int bindOne(DgramSocket s, int port, String address) {
    CountDownLatch done = new CountDownLatch(1);
    DgramException[] error = new DgramException[1];
    Consumer<DgramException> onError = e -> {
      error[0] = e;
      done.countDown();
    };
    s.onError(onError);
    s.bind(port, address, done::countDown);
    try {
      if (!done.await(10, TimeUnit.SECONDS)) {
        throw new DgramException("ETIMEDOUT", "bind ETIMEDOUT");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DgramException("EINTR", "bind EINTR");
    } finally {
      s.off(onError);
    }
    if (error[0] != null) {
      throw error[0];
    }
    return s.address().port();
  }

  /**
   * The sum of the sockets' {@link DgramSocket#stats()} (see {@link SocketStats#sum}).
   *
   * @return the group's counters
   */
  public SocketStats stats() {
    List<SocketStats> all = new ArrayList<>(sockets.size());
    for (DgramSocket s : sockets) {
      all.add(s.stats());
    }
    return SocketStats.sum(all);
  }

  /** Closes every socket, then every loop (waiting for their threads). */
  @Override
  public void close() {
    for (DgramSocket s : sockets) {
      if (!s.isClosed()) {
        try {
          s.close();
        } catch (DgramException alreadyClosed) {
          // closed concurrently
        }
      }
    }
    loops.forEach(EventLoop::close);
  }
}
