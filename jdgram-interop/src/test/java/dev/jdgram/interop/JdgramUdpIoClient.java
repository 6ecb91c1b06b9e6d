package dev.jdgram.interop;

import dev.jdgram.compat.JdgramDatagramSocket;
import java.net.DatagramPacket;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Message;
import org.xbill.DNS.io.UdpIoClient;

/**
 * dnsjava's UDP transport on jdgram: each query is a blocking exchange on a virtual thread over a
 * {@link JdgramDatagramSocket} connected to the server (a stray datagram with another id is
 * ignored, as dnsjava's own client ignores it). Counts exchanges and truncated answers, so a
 * test can tell that UDP ran here and that a TC answer sent dnsjava on to TCP.
 */
final class JdgramUdpIoClient implements UdpIoClient {
  /** Opens the socket for one exchange, bound to the given local address. */
  interface Opener {
    JdgramDatagramSocket open(InetSocketAddress local) throws java.io.IOException;
  }

  final AtomicInteger exchanges = new AtomicInteger();
  final AtomicInteger truncated = new AtomicInteger();
  private final Opener opener;

  /** Sockets on this machine, on jdgram's default loop. */
  JdgramUdpIoClient() {
    this(JdgramDatagramSocket::new);
  }

  /** Sockets made by {@code opener}: on a simulated host, for example. */
  JdgramUdpIoClient(Opener opener) {
    this.opener = opener;
  }

  @Override
  public CompletableFuture<byte[]> sendAndReceiveUdp(InetSocketAddress local, InetSocketAddress remote,
      Message query, byte[] data, int max, Duration timeout) {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    Thread.ofVirtual().name("dns-udp").start(() -> {
      InetSocketAddress bindTo = local != null ? local
          : new InetSocketAddress(remote.getAddress() instanceof Inet6Address ? "::" : "0.0.0.0", 0);
      try (JdgramDatagramSocket s = opener.open(bindTo)) {
        s.connect(remote);
        s.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        s.send(new DatagramPacket(data, data.length));
        exchanges.incrementAndGet();
        byte[] buf = new byte[max];
        while (true) {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          s.receive(p);
          if (p.getLength() < 12 || buf[0] != data[0] || buf[1] != data[1]) {
            continue; // not the answer to this query
          }
          if ((buf[2] & 0x02) != 0) {
            truncated.incrementAndGet(); // the TC flag
          }
          answer.complete(Arrays.copyOf(buf, p.getLength()));
          return;
        }
      } catch (Throwable t) {
        answer.completeExceptionally(t);
      }
    });
    return answer;
  }
}
