package dev.jdgram.robust;

import static dev.jdgram.robust.Robust.UNRESOLVABLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.BlockList;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SendCallback;
import dev.jdgram.loop.EventLoop;
import dev.jdgram.robust.Robust.Echo;
import dev.jdgram.robust.Robust.Sock;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Random calls in random order on a udp4 and a udp6 socket: bind, connect, every send form,
 * close, memberships (interface 127.0.0.1, groups 239.x), TTLs, broadcast flag, buffer sizes,
 * ref/unref, disconnect, addresses. Only DgramException reaches the caller; each send and connect
 * callback runs exactly once; nothing hangs; an open socket still does a round trip.
 *
 * <p>Network rules: destinations are only 127.0.0.1, ::1, localhost, null/"" (loopback) and
 * strings that cannot resolve; never a multicast or broadcast address.
 */
class HostilePropertyTest {
  private static EventLoop loop;
  private static Echo echo4;
  private static Echo echo6;
  private static final Queue<Throwable> UNCAUGHT = new ConcurrentLinkedQueue<>();

  /** Destinations and bind/connect addresses: loopback, wrong family, or unresolvable. */
  private static final List<String> HOSTS;

  static {
    List<String> h = new ArrayList<>(Arrays.asList("127.0.0.1", "::1", null, "", "localhost"));
    h.addAll(UNRESOLVABLE);
    HOSTS = Collections.unmodifiableList(h);
  }

  private static final int KINDS = 24;

  @BeforeContainer
  static void up() {
    loop = EventLoop.create();
    loop.setUncaughtExceptionHandler((t, e) -> UNCAUGHT.add(e));
    loop.start();
    echo4 = new Echo(loop, false);
    echo6 = new Echo(loop, true);
  }

  @AfterContainer
  static void down() {
    echo4.close();
    echo6.close();
    loop.close();
  }

  /** One call: its kind, which socket, two small numbers, and a host index. */
  record Step(int kind, int sock, int a, int b, int host) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> step = Combinators.combine(
        Arbitraries.integers().between(0, KINDS - 1),
        Arbitraries.integers().between(0, 1),
        Arbitraries.integers().between(0, 99),
        Arbitraries.integers().between(0, 99),
        Arbitraries.integers().between(0, HOSTS.size() - 1)).as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(30);
  }

  /** Per try: the callbacks of every accepted send and connect. */
  private static final class Ledger {
    final List<AtomicInteger> calls = Collections.synchronizedList(new ArrayList<>());
    final Queue<String> problems = new ConcurrentLinkedQueue<>();

    SendCallback send(DgramSocket owner) {
      AtomicInteger n = new AtomicInteger();
      calls.add(n);
      return (err, bytes) -> {
        Robust.onLoop(owner, "send callback");
        n.incrementAndGet();
      };
    }

    java.util.function.Consumer<DgramException> connect(DgramSocket owner) {
      AtomicInteger n = new AtomicInteger();
      calls.add(n);
      return err -> {
        Robust.onLoop(owner, "connect callback");
        n.incrementAndGet();
      };
    }

    /** The call threw: its callback must never run (we check: 0 calls) — so mark it expected 0. */
    void threw() {
      calls.get(calls.size() - 1).addAndGet(-1_000_000); // any later call shows as != -1_000_000
    }

    boolean allDone() {
      synchronized (calls) {
        return calls.stream().allMatch(c -> c.get() != 0);
      }
    }

    void verify(List<Step> steps) {
      Robust.waitUntil(this::allDone, 5_000);
      Robust.waitUntil(() -> false, 5);
      synchronized (calls) {
        for (int i = 0; i < calls.size(); i++) {
          int v = calls.get(i).get();
          if (v != 1 && v != -1_000_000) {
            problems.add("callback #" + i + (v < -1 ? " of a call that threw ran " + (v + 1_000_000) + " times"
                : " ran " + v + " times"));
          }
        }
      }
      assertTrue(problems.isEmpty(), () -> problems + " for " + steps);
    }
  }

  /**
   * The round trip that shows a socket still works. A bind whose look-up is still on its way
   * (slow on a loaded machine) holds the first send, which then fails with that bind's error, as
   * it should; the socket must then work for the next one.
   */
  private static void roundTripAfterSettling(Sock s) {
    try {
      Robust.roundTrip(s, s.v6 ? echo6 : echo4);
    } catch (AssertionError first) {
      boolean heldByAFailedBind = String.valueOf(first.getMessage()).startsWith("round-trip send failed")
          && s.errors.stream().anyMatch(e -> "getaddrinfo".equals(e.syscall()) || "bind".equals(e.syscall()));
      if (!heldByAFailedBind) {
        throw first;
      }
      Robust.roundTrip(s, s.v6 ? echo6 : echo4);
    }
  }

  private static int port(Sock s, int a) {
    int echoPort = (s.v6 ? echo6 : echo4).port;
    return switch (a % 10) {
      case 0 -> 0;
      case 1 -> -1;
      case 2 -> 65536;
      case 3 -> Integer.MIN_VALUE;
      default -> echoPort;
    };
  }

  private static byte[] payload(int b) {
    return b == 99 ? new byte[70_000] : new byte[b % 17];
  }

  @Property(tries = 200, shrinking = ShrinkingMode.BOUNDED)
  void randomCallsOnlyThrowDgramExceptionAndCallBackExactlyOnce(@ForAll("steps") List<Step> steps) {
    UNCAUGHT.clear();
    Robust.WRONG_THREAD.clear();
    Sock[] socks = {new Sock(loop, "udp4"), new Sock(loop, "udp6")};
    boolean[] tainted = new boolean[2]; // a membership call on a not-yet-listening socket binds it, as libuv does
    Ledger ledger = new Ledger();
    Queue<Throwable> escaped = new ConcurrentLinkedQueue<>();
    try {
      for (Step st : steps) {
        Sock s = socks[st.sock()];
        DgramSocket d = s.socket;
        String host = HOSTS.get(st.host());
        try {
          apply(st, s, d, host, ledger, tainted);
        } catch (DgramException expected) {
          // a legal answer
        } catch (Throwable t) {
          escaped.add(new AssertionError("step " + st + " (host " + host + ") threw " + t, t));
        }
      }
      assertTrue(escaped.isEmpty(), () -> "non-DgramException escaped: " + escaped.peek());
      ledger.verify(steps);
      for (int i = 0; i < 2; i++) {
        Sock s = socks[i];
        if (s.socket.isClosed()) {
          continue;
        }
        // let a bind or connect still on its way settle
        Robust.waitUntil(() -> false, 2);
        s.socket.ref();
        if (tainted[i]) {
          finalSendAnswers(s);
        } else {
          try {
            roundTripAfterSettling(s);
          } catch (AssertionError e) {
            throw new AssertionError("socket " + i + " no longer works after " + steps + "; its errors: " + s.errors, e);
          }
        }
      }
      assertTrue(UNCAUGHT.isEmpty(), () -> "uncaught on the loop: " + UNCAUGHT);
      assertTrue(Robust.WRONG_THREAD.isEmpty(), () -> "off the loop thread: " + Robust.WRONG_THREAD);
    } finally {
      for (Sock s : socks) {
        s.closeQuietly();
      }
      for (Sock s : socks) {
        Robust.get(s.closed);
      }
    }
  }

  /** A socket bound by a membership call behind Node's back: a send still answers exactly once. */
  private static void finalSendAnswers(Sock s) {
    CompletableFuture<DgramException> done = new CompletableFuture<>();
    AtomicInteger n = new AtomicInteger();
    boolean connected;
    try {
      s.socket.remoteAddress();
      connected = true;
    } catch (DgramException e) {
      connected = false;
    }
    SendCallback cb = (err, bytes) -> {
      n.incrementAndGet();
      done.complete(err);
    };
    if (connected) {
      s.socket.send("x", cb);
    } else {
      s.socket.send("x", (s.v6 ? echo6 : echo4).port, s.loopback(), cb);
    }
    Robust.get(done);
    Robust.waitUntil(() -> false, 5);
    assertEquals(1, n.get());
  }

  private static void apply(Step st, Sock s, DgramSocket d, String host, Ledger ledger, boolean[] tainted) {
    int a = st.a();
    int b = st.b();
    int p = port(s, a);
    String loopback = s.loopback();
    switch (st.kind()) {
      case 0 -> d.bind(a % 3 == 0 ? 0 : p, a % 4 == 0 ? loopback : host);
      case 1 -> d.bind(0, loopback, () -> Robust.onLoop(d, "bind callback"));
      case 2 -> {
        // connect only to our echo's port (or a bad one); addresses: loopback, wrong family, unresolvable
        var cb = ledger.connect(d);
        try {
          d.connect(p, host, cb);
        } catch (DgramException e) {
          ledger.threw();
          throw e;
        }
      }
      case 3 -> d.connect(p, host);
      case 4, 5 -> {
        var cb = ledger.send(d);
        try {
          switch (b % 5) {
            case 0 -> d.send(payload(b), p, host, cb);
            case 1 -> d.send(payload(b), a % 5, b % 7, p, host, cb);
            case 2 -> d.send(ByteBuffer.wrap(payload(b)), p, host, cb);
            case 3 -> d.send("x".repeat(b % 9), p, host, cb);
            default -> d.send(b % 3 == 0 ? List.of("a", b) : List.of("a", new byte[b % 4], ByteBuffer.allocate(1)),
                p, host, cb);
          }
        } catch (DgramException e) {
          ledger.threw();
          throw e;
        }
      }
      case 6 -> {
        var cb = ledger.send(d);
        try {
          switch (b % 4) {
            case 0 -> d.send(payload(b), cb);
            case 1 -> d.send(ByteBuffer.wrap(payload(b)), cb);
            case 2 -> d.send("y", cb);
            default -> d.send(b % 2 == 0 ? List.of(b) : List.of("p", "q"), cb);
          }
        } catch (DgramException e) {
          ledger.threw();
          throw e;
        }
      }
      case 7 -> d.send(payload(b), p, host); // no callback: errors go to 'error'
      case 8 -> {
        if (a % 3 == 0) {
          d.close();
        } else {
          d.close(() -> Robust.onLoop(d, "close callback"));
        }
      }
      case 9 -> d.disconnect();
      case 10, 11 -> {
        if (s.listening.get() == 0) {
          tainted[st.sock()] = true;
        }
        String group = a % 5 == 0 ? "999.1.1.1" : "239.7." + (a % 4) + "." + (b % 4);
        String iface = b % 7 == 0 ? "::g" : "127.0.0.1";
        if (st.kind() == 10) {
          d.addMembership(group, iface);
        } else {
          d.dropMembership(group, iface);
        }
      }
      case 12 -> {
        if (s.listening.get() == 0) {
          tainted[st.sock()] = true;
        }
        String group = "239.8." + (a % 3) + ".1";
        String source = a % 4 == 0 ? "::g" : "127.0.0.1";
        if (b % 2 == 0) {
          d.addSourceSpecificMembership(source, group, "127.0.0.1");
        } else {
          d.dropSourceSpecificMembership(source, group, "127.0.0.1");
        }
      }
      case 13 -> d.setTTL(a * 3 - 20);
      case 14 -> d.setMulticastTTL(a * 3 - 20);
      case 15 -> d.setBroadcast(b % 2 == 0); // the flag only; nothing is ever sent to a broadcast address
      case 16 -> {
        int size = switch (b % 4) {
          case 0 -> -1;
          case 1 -> 0;
          case 2 -> 1 + a * 1000;
          default -> Integer.MAX_VALUE;
        };
        if (a % 2 == 0) {
          d.setRecvBufferSize(size == 1 ? 4096 : size);
        } else {
          d.setSendBufferSize(size);
        }
      }
      case 17 -> {
        d.getRecvBufferSize();
        d.getSendBufferSize();
      }
      case 18 -> {
        if (b % 2 == 0) {
          d.ref();
        } else {
          d.unref();
        }
      }
      case 19 -> d.address();
      case 20 -> d.remoteAddress();
      case 21 -> {
        d.setMulticastLoopback(b % 2 == 0);
        d.setMulticastInterface(b % 3 == 0 ? "::g" : "127.0.0.1");
      }
      case 22 -> {
        d.getSendQueueCount();
        d.getSendQueueSize();
      }
      default -> d.bind();
    }
  }

  /** Arbitrary text never makes BlockList or the option parsers throw anything but DgramException. */
  @Property(tries = 300)
  void arbitraryTextIsOnlyEverADgramException(@ForAll String text, @ForAll("prefixes") int prefix) {
    BlockList list = new BlockList();
    Robust.onlyDgram(() -> list.check(text));
    Robust.onlyDgram(() -> list.check(text, "ipv4"));
    Robust.onlyDgram(() -> list.check(text, "ipv6"));
    Robust.onlyDgram(() -> list.check("1.2.3.4", text));
    DgramException e = Robust.onlyDgram(() -> list.addAddress(text));
    if (e != null) {
      assertEquals("ERR_INVALID_ADDRESS", e.code(), e::toString);
    }
    Robust.onlyDgram(() -> list.addSubnet(text, prefix));
    Robust.onlyDgram(() -> list.addRange(text, text));
    Robust.onlyDgram(() -> list.addAddress(text, text));
    Robust.onlyDgram(() -> list.removeAddress(text));
    Robust.onlyDgram(() -> list.rules());
  }

  @Provide
  Arbitrary<Integer> prefixes() {
    return Arbitraries.integers().between(-200, 200);
  }

  /** Arbitrary (never-literal) text as group, interface or source: EINVAL, and no join happens. */
  @Property(tries = 100)
  void arbitraryTextInSocketOptionsIsEinval(@ForAll String text) {
    Sock s = new Sock(loop, "udp4");
    try {
      s.bindLoopback();
      String t = "x" + text; // an IP literal never starts with x: no group is ever joined here
      DgramException e = Robust.onlyDgram(() -> s.socket.setMulticastInterface(t));
      assertEquals("EINVAL", e == null ? null : e.code());
      e = Robust.onlyDgram(() -> s.socket.addMembership(t, "127.0.0.1"));
      assertEquals("EINVAL", e == null ? null : e.code());
      e = Robust.onlyDgram(() -> s.socket.addMembership("239.1.1.1", t));
      assertEquals("EINVAL", e == null ? null : e.code());
      e = Robust.onlyDgram(() -> s.socket.addSourceSpecificMembership(t, "239.1.1.1", "127.0.0.1"));
      assertEquals("EINVAL", e == null ? null : e.code());
      Robust.roundTrip(s, echo4);
    } finally {
      s.closeQuietly();
    }
  }
}
