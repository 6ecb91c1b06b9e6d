package dev.jdgram;

import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The other end of a test that wants a plain, blocking UDP socket outside jdgram's loop: a real
 * {@link DatagramChannel} on the real transports. On the simulated transport a real socket
 * cannot reach the simulated host, so there it is a jdgram socket on a loop of its own (its own
 * thread, as the real peer is), made blocking: a send returns when the simulated kernel has
 * taken the datagram, a receive waits for one. The methods are DatagramChannel's, so a test
 * reads the same either way.
 */
public abstract sealed class Peer implements AutoCloseable {
  /** A peer bound to {@code bindTo} (an IPv4 or IPv6 literal) and an ephemeral port. */
  public static Peer open(String bindTo) throws IOException {
    boolean v6 = bindTo.contains(":");
    return OnTransport.sim() ? new Sim(v6, bindTo) : new Real(v6, bindTo);
  }

  /** Sends {@code src}'s remaining bytes to {@code target}; returns how many. */
  public abstract int send(ByteBuffer src, SocketAddress target) throws IOException;

  /** Waits (at most {@link Probe#TIMEOUT_MS}) for a datagram; returns its sender. */
  public abstract SocketAddress receive(ByteBuffer dst) throws IOException;

  public abstract InetSocketAddress getLocalAddress() throws IOException;

  public int port() throws IOException {
    return getLocalAddress().getPort();
  }

  @Override
  public abstract void close() throws IOException;

  private static final class Real extends Peer {
    private final DatagramChannel ch;

    Real(boolean v6, String bindTo) throws IOException {
      ch = DatagramChannel.open(v6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
      ch.bind(new InetSocketAddress(bindTo, 0));
    }

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
      return ch.send(src, target);
    }

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
      ch.socket().setSoTimeout((int) Probe.TIMEOUT_MS);
      byte[] b = new byte[65_536];
      java.net.DatagramPacket p = new java.net.DatagramPacket(b, b.length);
      ch.socket().receive(p);
      dst.put(b, 0, p.getLength());
      return p.getSocketAddress();
    }

    @Override
    public InetSocketAddress getLocalAddress() throws IOException {
      return (InetSocketAddress) ch.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
      ch.close();
    }
  }

  private static final class Sim extends Peer {
    private final EventLoop loop = EventLoop.create();
    private final DgramSocket s;
    private final BlockingQueue<Object[]> got = Probe.queue();

    Sim(boolean v6, String bindTo) {
      loop.start();
      s = Dgram.createSocket(SocketOptions.of(v6 ? "udp6" : "udp4").loop(loop));
      s.onMessage((msg, rinfo) -> got.add(new Object[] {msg, new InetSocketAddress(rinfo.address(), rinfo.port())}));
      CompletableFuture<Void> bound = new CompletableFuture<>();
      s.onError(bound::completeExceptionally);
      s.bind(0, bindTo, () -> bound.complete(null));
      Probe.get(bound);
    }

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
      InetSocketAddress to = (InetSocketAddress) target;
      byte[] b = new byte[src.remaining()];
      src.get(b);
      CompletableFuture<Integer> sent = new CompletableFuture<>();
      s.send(b, to.getPort(), to.getAddress().getHostAddress(), (err, n) -> {
        if (err != null) {
          sent.completeExceptionally(err);
        } else {
          sent.complete(n);
        }
      });
      try {
        return sent.get(Probe.TIMEOUT_MS, TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        throw new IOException("send to " + to + " failed", e);
      }
    }

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
      try {
        Object[] m = got.poll(Probe.TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (m == null) {
          throw new IOException("no datagram within " + Probe.TIMEOUT_MS + " ms");
        }
        dst.put((byte[]) m[0]);
        return (SocketAddress) m[1];
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    @Override
    public InetSocketAddress getLocalAddress() {
      AddressInfo a = s.address();
      return new InetSocketAddress(a.address(), a.port());
    }

    @Override
    public void close() {
      loop.close();
    }
  }
}
