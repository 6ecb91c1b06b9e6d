package dev.jdgram.transport.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The state of one simulated network: its clock, its queue of scheduled events (frames in
 * flight, local deliveries), its seed, its trace, and its hosts. Touched only while holding its
 * monitor.
 *
 * <p>The clock is virtual for a network built with the public {@code SimNetwork} (one loop,
 * whose poll advances it: {@link #poll}), or real ({@link #realTime}) for the process-wide world
 * of {@code jdgram.transport=sim}, where any number of loops poll the same world through their own
 * {@link RealTimePoller}s and time passes by itself.
 */
public final class World {
  private record Ev(long at, long seq, Runnable what) {}

  public final long seed;
  /** Real time: the clock is System.nanoTime since {@link #origin}, read at every use. */
  private final boolean realTime;
  private final long origin = System.nanoTime();
  private long now; // microseconds
  private long limit = Long.MAX_VALUE;
  private long seq;
  private final PriorityQueue<Ev> events = new PriorityQueue<>((a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
  /** The ready handles of the virtual-time network's one loop. */
  final ReadySet ready = new ReadySet(this);
  private boolean woken;
  /**
   * The last {@link #traceLimit} events: a long run must not keep every step it ever made. Kept
   * as the model's records; the facade converts them to the public type when they are read.
   */
  private final ArrayDeque<KTraceEvent> trace = new ArrayDeque<>();
  private int traceLimit = DEFAULT_TRACE_LIMIT;
  private long traceForgotten;
  private boolean tracing = true;
  public static final int DEFAULT_TRACE_LIMIT = 100_000;
  private Consumer<KTraceEvent> traceListener;
  private final Map<Object, KHost> hosts = new HashMap<>();
  final List<KHost> allHosts = new ArrayList<>();
  final List<KSwitch> switches = new ArrayList<>();
  final List<Map<KHost, Integer>> partitions = new ArrayList<>();
  private int datagrams;
  private int controls;
  private int macs;
  int ipIds;
  private Runnable onUncaught;

  public World(long seed) {
    this(seed, false);
  }

  private World(long seed, boolean realTime) {
    this.seed = seed;
    this.realTime = realTime;
  }

  /** A world whose clock is the system's monotonic clock, polled by any number of loops. */
  static World realTime(long seed) {
    return new World(seed, true);
  }

  boolean isRealTime() {
    return realTime;
  }

  // ---------------------------------------------------------------- clock and events

  public synchronized long nowMicros() {
    return now();
  }

  /** The clock: the virtual time, or (real time) the monotonic clock, never going back. */
  private long now() {
    if (realTime) {
      now = Math.max(now, (System.nanoTime() - origin) / 1000);
    }
    return now;
  }

  void at(long whenMicros, Runnable what) {
    Ev e = new Ev(Math.max(whenMicros, now()), seq++, what);
    events.add(e);
    if (realTime && events.peek() == e) {
      notifyAll(); // the new first event: waiting pollers must not sleep past it
    }
  }

  void after(long delayMicros, Runnable what) {
    at(now() + Math.max(0, delayMicros), what);
  }

  /** @return the time of the next scheduled event, or Long.MAX_VALUE */
  public synchronized long nextEventMicros() {
    Ev e = events.peek();
    return e == null ? Long.MAX_VALUE : e.at;
  }

  /** Real time: the next event's due time on the System.nanoTime scale, or Long.MAX_VALUE. */
  synchronized long nextEventNanoTime() {
    Ev e = events.peek();
    return e == null ? Long.MAX_VALUE : origin + e.at * 1000;
  }

  /** @return true if an event is due now or a socket has datagrams to hand up */
  public synchronized boolean hasDueWork() {
    Ev e = events.peek();
    return (e != null && e.at <= now()) || !ready.isEmpty();
  }

  /** Caps how far a poll may advance the clock (Long.MAX_VALUE: no cap). */
  public synchronized void setLimit(long micros) {
    limit = micros;
  }

  public synchronized boolean atLimit() {
    return limit != Long.MAX_VALUE && now >= limit;
  }

  /** Moves the clock forward (never back), without running anything. */
  public synchronized void advanceTo(long micros) {
    if (micros > now && micros != Long.MAX_VALUE) {
      now = micros;
    }
  }

  /**
   * Runs the network events due now (under this monitor: they touch only the model), then hands
   * datagrams up to the ready sockets (outside it: that runs the application's listeners).
   *
   * @return how many events and sockets ran
   */
  int runDue() {
    int n;
    List<KSocket> list;
    synchronized (this) {
      n = runDueEvents();
      if (ready.isEmpty()) {
        return n;
      }
      list = ready.drain();
    }
    return n + dispatch(list);
  }

  /**
   * Under this monitor: runs the scheduled events that are due (they touch only the model, and
   * mark the handles they queue datagrams on as ready in their loop's {@link ReadySet}).
   *
   * @return how many ran
   */
  int runDueEvents() {
    int n = 0;
    long t = now();
    for (; n < 1_000_000; n++) {
      Ev e = events.peek();
      if (e == null || e.at > t) {
        break;
      }
      events.poll();
      e.what.run();
    }
    return n;
  }

  /** Outside this monitor (it runs the application's listeners): hands up what is queued. */
  static int dispatch(List<KSocket> list) {
    for (KSocket h : list) {
      h.onReady();
    }
    return list.size();
  }

  /**
   * The poll phase: run what is due, else advance the clock as far as allowed (the next event,
   * the timeout, the run helper's limit) and run that. With no timeout, nothing scheduled and no
   * limit, it waits (in real time) for {@link #wakeup()}, as a real poll would.
   */
  int poll(long timeoutMillis) {
    int n = runDue();
    boolean moved;
    synchronized (this) {
      if (n > 0 || woken) {
        woken = false;
        return n;
      }
      if (timeoutMillis == 0) {
        return 0;
      }
      long target = timeoutMillis < 0 ? Long.MAX_VALUE : (now / 1000 + timeoutMillis) * 1000;
      Ev e = events.peek();
      if (e != null) {
        target = Math.min(target, e.at);
      }
      target = Math.min(target, limit);
      if (target == Long.MAX_VALUE) {
        while (!woken) { // nothing will ever happen here: only another thread can wake us
          try {
            wait();
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            break;
          }
        }
        woken = false;
        return 0;
      }
      moved = target > now;
      advanceTo(target);
    }
    int ran = runDue();
    // The clock moved: report progress, so that UV_RUN_ONCE (which computes its deadline after
    // the first poll, for a real clock) does not wait a second timeout on the virtual one.
    return moved ? Math.max(1, ran) : ran;
  }

  /** From any thread: makes the current or next poll return. */
  synchronized void wakeup() {
    woken = true;
    notifyAll();
  }

  // ---------------------------------------------------------------- names and randomness

  String nextDatagramTag() {
    return "d" + (++datagrams);
  }

  String nextControlTag(boolean v6) {
    return (v6 ? "mld" : "igmp") + (++controls);
  }

  String nextIcmpTag() {
    return "icmp" + (++controls);
  }

  byte[] nextMac() {
    int n = ++macs;
    return new byte[] {0x02, 0x00, 0x00, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
  }

  /** A random stream of its own for {@code name}: faults on one link do not shift another's. */
  SplittableRandom random(String name) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L ^ name.hashCode() * 0xC2B2AE3D27D4EB4FL);
  }

  // ---------------------------------------------------------------- trace

  /**
   * @return whether events are recorded: a caller on a per-packet path checks it before it builds
   *     the event's text, which costs more than the rest of the packet's way when tracing is off
   */
  boolean tracing() {
    return tracing;
  }

  void trace(String packet, String node, KLayer layer, String action, String detail) {
    if (!tracing) {
      return;
    }
    KTraceEvent ev = new KTraceEvent(now(), packet, node, layer, action, detail);
    trace.addLast(ev);
    if (trace.size() > traceLimit) {
      trace.removeFirst();
      traceForgotten++;
    }
    Consumer<KTraceEvent> l = traceListener;
    if (l != null) {
      l.accept(ev);
    }
  }

  public synchronized List<KTraceEvent> traceSnapshot() {
    return List.copyOf(trace);
  }

  public synchronized void clearTrace() {
    trace.clear();
    traceForgotten = 0;
  }

  /** Keeps at most {@code limit} events (the oldest go first). */
  public synchronized void setTraceLimit(int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("trace limit " + limit + " (at least 1)");
    }
    traceLimit = limit;
    while (trace.size() > traceLimit) {
      trace.removeFirst();
      traceForgotten++;
    }
  }

  /** @return the events recorded and then forgotten for the limit since the last clear */
  public synchronized long traceForgotten() {
    return traceForgotten;
  }

  public synchronized void setTracing(boolean on) {
    tracing = on;
  }

  public synchronized void setTraceListener(Consumer<KTraceEvent> l) {
    traceListener = l;
  }

  // ---------------------------------------------------------------- registry

  public synchronized void register(Object publicHost, KHost host) {
    hosts.put(publicHost, host);
    allHosts.add(host);
  }

  /** A host without a public handle (the real-time world's one host). */
  synchronized void addHost(KHost host) {
    allHosts.add(host);
  }

  synchronized KHost hostOf(Object h) {
    return hosts.get(h);
  }

  public synchronized KHost newHost(String name, boolean router) {
    return new KHost(this, name, router);
  }

  public synchronized KSwitch newSwitch(String name) {
    KSwitch s = new KSwitch(this, name);
    switches.add(s);
    return s;
  }

  /** Separates the groups of hosts: frames between hosts of different groups are dropped. */
  public synchronized Map<KHost, Integer> partition(List<List<KHost>> sides) {
    Map<KHost, Integer> m = new HashMap<>();
    for (int i = 0; i < sides.size(); i++) {
      for (KHost h : sides.get(i)) {
        m.put(h, i);
      }
    }
    partitions.add(m);
    return m;
  }

  public synchronized void heal(Map<KHost, Integer> p) {
    partitions.remove(p);
  }

  boolean partitioned(KHost a, KHost b) {
    if (a == null || b == null || a == b) {
      return false;
    }
    for (Map<KHost, Integer> p : partitions) {
      Integer x = p.get(a);
      Integer y = p.get(b);
      if (x != null && y != null && !x.equals(y)) {
        return true;
      }
    }
    return false;
  }

  /** @return the host that owns {@code a} as an interface address, or null */
  KHost ownerOf(java.net.InetAddress a) {
    for (KHost h : allHosts) {
      if (h.isLocalAddress(a)) {
        return h;
      }
    }
    return null;
  }
}
