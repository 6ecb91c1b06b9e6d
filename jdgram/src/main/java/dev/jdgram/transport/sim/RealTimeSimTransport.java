package dev.jdgram.transport.sim;

import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.Transport;
import dev.jdgram.handle.UdpKernel;

/**
 * {@code jdgram.transport=sim}: the simulated kernel behind ordinary loops (the default loop,
 * {@code EventLoop.create()}), so that a program or test written for the real transports runs
 * unchanged on it. One process-wide world with one host, {@code localhost}, whose only
 * interface is {@code lo} (127.0.0.0/8, ::1) and whose socket memory limits are this machine's,
 * on real time; every loop polls that world through its own {@link RealTimePoller}. Nothing
 * reaches the real network.
 */
public final class RealTimeSimTransport implements Transport {
  public static final RealTimeSimTransport INSTANCE = new RealTimeSimTransport();

  /**
   * A fixed seed: ephemeral ports are the only random choice here, and a fixed sequence makes a
   * failing run easier to repeat.
   */
  private static final long SEED = 1;

  private final World world = World.realTime(SEED);
  private final KHost localhost;

  private RealTimeSimTransport() {
    synchronized (world) {
      localhost = world.newHost("localhost", false);
      world.addHost(localhost);
      MachineLimits.applyTo(localhost);
      world.setTracing(false); // a process-long run would keep every step of every datagram
    }
  }

  @Override
  public String name() {
    return "sim";
  }

  @Override
  public Poller newPoller() {
    return new RealTimePoller(world);
  }

  @Override
  public UdpKernel newUdpKernel(LoopContext ctx, boolean ipv6, Object host, UdpKernel.Watcher watcher) {
    if (host != null) {
      throw new IllegalArgumentException(host
          + " belongs to a SimNetwork: use that network's loop (SocketOptions.loop(net.loop()))");
    }
    RealTimePoller p = (RealTimePoller) ctx.poller();
    return new KSocket(ctx, world, localhost, p.ready, ipv6, watcher);
  }
}
