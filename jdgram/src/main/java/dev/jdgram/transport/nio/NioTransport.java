package dev.jdgram.transport.nio;

import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.Transport;
import dev.jdgram.handle.UdpKernel;

/**
 * The portable transport: a {@link java.nio.channels.Selector} for the poll phase and a
 * {@link java.nio.channels.DatagramChannel} per handle. What java.nio cannot reach (unicast TTL,
 * IPV6_V6ONLY) fails with ENOTSUP rather than being ignored.
 */
public final class NioTransport implements Transport {
  /** The one instance. */
  public static final NioTransport INSTANCE = new NioTransport();

  private NioTransport() {}

  @Override
  public String name() {
    return "nio";
  }

  @Override
  public Poller newPoller() {
    return new NioPoller();
  }

  @Override
  public UdpKernel newUdpKernel(LoopContext ctx, boolean ipv6, Object host, UdpKernel.Watcher watcher) {
    Transport.requireNoHost(this, host);
    return new NioUdpKernel(ctx, ipv6, watcher);
  }
}
