package dev.jdgram.sim;

import dev.jdgram.handle.LoopContext;
import dev.jdgram.loop.EventLoop;
import dev.jdgram.transport.sim.KHost;
import dev.jdgram.transport.sim.SimTransport;
import dev.jdgram.transport.sim.World;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A simulated network: hosts, LAN segments and routers, run by one event loop on a virtual
 * clock. Every random choice (faults, ephemeral ports) comes from the network's seed, so a run replays
 * exactly from it.
 *
 * <pre>{@code
 * try (SimNetwork net = SimNetwork.create(42)) {
 *   Lan lan = net.lan("lan0");
 *   Host a = net.host("a");
 *   a.nic("eth0", lan, "10.0.0.1/24");
 *   Host b = net.host("b");
 *   b.nic("eth0", lan, "10.0.0.2/24");
 *   DgramSocket rx = b.socket("udp4");
 *   rx.bind(5000);
 *   DgramSocket tx = a.socket("udp4");
 *   tx.send("hi".getBytes(), 5000, "10.0.0.2");
 *   net.runFor(Duration.ofMillis(10));
 * }
 * }</pre>
 *
 * <p>Drive the network from one thread with {@link #runFor}, {@link #runUntil} or
 * {@link #runUntilIdle}; between runs, that thread may build the network and call socket
 * methods (their work runs at the next run).
 */
public final class SimNetwork implements AutoCloseable {
  final World world;
  private final EventLoop loop;
  private final List<Host> hosts = new ArrayList<>();

  static {
    try { // EventLoop's static initializer installs the factory that LoopContext.newLoop uses
      Class.forName(EventLoop.class.getName(), true, EventLoop.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new AssertionError(e);
    }
  }

  private SimNetwork(long seed) {
    this.world = new World(seed);
    this.loop = (EventLoop) LoopContext.newLoop(new SimTransport(world));
  }

  /**
   * @param seed drives every random choice of the run
   * @return a new, empty network at virtual time 0
   */
  public static SimNetwork create(long seed) {
    return new SimNetwork(seed);
  }

  /** @return the network's seed, which fixes every random choice */
  public long seed() {
    return world.seed;
  }

  /** @return the loop every socket of this network runs on ({@code SocketOptions.loop}) */
  public EventLoop loop() {
    return loop;
  }

  /** @return the virtual time since creation */
  public Duration now() {
    return Duration.ofNanos(world.nowMicros() * 1000);
  }

  /** @return the virtual time since creation, in microseconds */
  public long nowMicros() {
    return world.nowMicros();
  }

  /** A new host (no interfaces yet but {@code lo}: 127.0.0.1/8 and ::1). */
  public Host host(String name) {
    return add(new Host(this, name, world.newHost(name, false)));
  }

  /**
   * A new router: a host that forwards unicast by its routing table (decrementing TTL) and
   * multicast onto the links where IGMP/MLD reported members; its cards default to
   * {@link NicMode#ALL_MULTICAST}.
   */
  public Host router(String name) {
    return add(new Host(this, name, world.newHost(name, true)));
  }

  private Host add(Host h) {
    world.register(h, h.k);
    hosts.add(h);
    return h;
  }

  /** A new LAN segment: one switch; IGMP snooping off until {@link Lan#igmpSnooping}. */
  public Lan lan(String name) {
    return new Lan(world.newSwitch(name));
  }

  /**
   * Splits the hosts into groups that cannot reach each other (frames between them are dropped
   * at the switch and at IP); hosts not named are reachable from every group.
   *
   * @param sides two or more groups
   * @return the partition, to {@link Partition#heal()}
   */
  @SafeVarargs
  public final Partition partition(List<Host>... sides) {
    List<List<KHost>> k = new ArrayList<>();
    for (List<Host> side : sides) {
      k.add(side.stream().map(h -> h.k).toList());
    }
    return new Partition(world, world.partition(k));
  }

  /** @return the trace of this run */
  public Trace trace() {
    return new Trace(world);
  }

  // ---------------------------------------------------------------- running

  /** One loop iteration that may advance the clock up to {@code limit}. */
  private void step(long limit) {
    long before = world.nowMicros();
    world.setLimit(limit);
    boolean alive;
    try {
      alive = loop.runOnce();
    } finally {
      world.setLimit(Long.MAX_VALUE);
    }
    if (!alive && world.nowMicros() == before && !world.hasDueWork()) {
      world.advanceTo(Math.min(world.nextEventMicros(), limit)); // nothing on the loop waits
    }
  }

  private void flush() {
    for (int i = 0; i < 10_000 && world.hasDueWork(); i++) {
      loop.runNoWait();
    }
    loop.runNoWait(); // tasks and next-ticks queued by the last events
  }

  /**
   * Runs the network for {@code d} of virtual time: every event, timer and callback due until
   * then, in order; returns at once in real time.
   */
  public void runFor(Duration d) {
    long deadline = world.nowMicros() + d.toNanos() / 1000;
    loop.runNoWait();
    while (world.nowMicros() < deadline) {
      step(deadline);
    }
    flush();
  }

  /**
   * Runs until {@code done} is true (checked after every step) or {@code max} of virtual time
   * has passed.
   *
   * @return whether {@code done} became true
   */
  public boolean runUntil(BooleanSupplier done, Duration max) {
    long deadline = world.nowMicros() + max.toNanos() / 1000;
    loop.runNoWait();
    while (!done.getAsBoolean()) {
      if (world.nowMicros() >= deadline) {
        flush();
        return done.getAsBoolean();
      }
      step(deadline);
    }
    flush();
    return true;
  }

  /**
   * Runs until no frame is in flight and nothing is due: every datagram sent so far has
   * arrived or been dropped. Timers further away than the last network event do not run (use
   * {@link #runFor}). Gives up after an hour of virtual time.
   */
  public void runUntilIdle() {
    long cap = world.nowMicros() + 3_600_000_000L;
    loop.runNoWait();
    for (int i = 0; i < 10_000_000; i++) {
      flush();
      long next = world.nextEventMicros();
      if (next == Long.MAX_VALUE || next > cap) {
        return;
      }
      step(next);
    }
  }

  /** Closes every socket and the loop. */
  @Override
  public void close() {
    loop.close();
  }
}
