package dev.jdgram.robust;

import static dev.jdgram.robust.Robust.get;
import static dev.jdgram.robust.Robust.roundTrip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SendCallback;
import dev.jdgram.loop.EventLoop;
import dev.jdgram.robust.Robust.Echo;
import dev.jdgram.robust.Robust.Sock;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Several threads on the same sockets at once: send, close, ref/unref, membership on
 * 127.0.0.1, setTTL. Every send callback runs exactly once, nothing but DgramException reaches a
 * caller, nothing deadlocks (every join is bounded), listeners run on the loop thread.
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConcurrencyTest {
  private static final Set<String> TTL_CODES = Set.of("ENOTSUP", "EBADF", "ERR_SOCKET_DGRAM_NOT_RUNNING");

  private EventLoop loop;
  private Echo echo;
  private final Queue<Throwable> escaped = new ConcurrentLinkedQueue<>();
  private final Queue<Throwable> uncaught = new ConcurrentLinkedQueue<>();

  @BeforeAll
  void start() {
    loop = EventLoop.create();
    loop.setUncaughtExceptionHandler((t, e) -> uncaught.add(e));
    loop.start();
    echo = new Echo(loop, false);
  }

  @AfterAll
  void stop() {
    echo.close();
    loop.close();
  }

  @BeforeEach
  void clear() {
    escaped.clear();
    uncaught.clear();
    Robust.WRONG_THREAD.clear();
  }

  /** Counts the callbacks of every send id, and which ids were issued (the call did not throw). */
  private static final class Ledger {
    final AtomicIntegerArray calls;
    final AtomicIntegerArray issued;
    final AtomicInteger next = new AtomicInteger();
    final AtomicInteger called = new AtomicInteger();

    Ledger(int max) {
      calls = new AtomicIntegerArray(max);
      issued = new AtomicIntegerArray(max);
    }

    SendCallback callback(int id, DgramSocket owner) {
      return (err, n) -> {
        Robust.onLoop(owner, "send callback");
        calls.incrementAndGet(id);
        called.incrementAndGet();
      };
    }

    int issuedCount() {
      int n = 0;
      for (int i = 0; i < issued.length(); i++) {
        n += issued.get(i);
      }
      return n;
    }

    /** Waits (bounded) for every issued send's callback, then checks exactly-once. */
    void verify() {
      int expected = issuedCount();
      Robust.waitUntil(() -> called.get() >= expected, 10_000);
      try {
        Thread.sleep(50); // a late duplicate would show up here
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      List<String> bad = new ArrayList<>();
      for (int i = 0; i < next.get() && i < calls.length(); i++) {
        int want = issued.get(i);
        int got = calls.get(i);
        if (want != got && bad.size() < 20) {
          bad.add("send " + i + ": issued=" + want + " callbacks=" + got);
        }
      }
      assertTrue(bad.isEmpty(), () -> "send callbacks not called exactly once: " + bad
          + " (issued " + expected + ", called " + called.get() + ")" + Robust.jdgramStacks());
    }
  }

  private void guarded(Runnable r) {
    try {
      r.run();
    } catch (DgramException expected) {
      // any DgramException is a legal answer to a racing call
    } catch (Throwable t) {
      escaped.add(t);
    }
  }

  private static void joinAll(List<Thread> threads) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    for (Thread t : threads) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime())));
    }
    StringBuilder stuck = new StringBuilder();
    for (Thread t : threads) {
      if (t.isAlive()) {
        stuck.append(t.getName()).append(":\n");
        for (StackTraceElement e : t.getStackTrace()) {
          stuck.append("    at ").append(e).append('\n');
        }
        t.interrupt();
      }
    }
    if (!stuck.isEmpty()) {
      fail("deadlock or hang, threads still running after 20 s:\n" + stuck);
    }
  }

  private void assertClean() {
    assertTrue(escaped.isEmpty(), () -> "non-DgramException escaped: " + escaped.peek()
        + (escaped.peek() == null ? "" : " at " + List.of(escaped.peek().getStackTrace())));
    assertTrue(uncaught.isEmpty(), () -> "uncaught on the loop: " + uncaught);
    assertTrue(Robust.WRONG_THREAD.isEmpty(), () -> "listeners off the loop thread: " + Robust.WRONG_THREAD);
  }

  @Test
  void threadsHammerSharedSockets() throws Exception {
    final int threads = 6;
    final int iterations = 2_000;
    List<Sock> socks = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Sock s = new Sock(loop, "udp4");
      s.bindLoopback();
      if (i % 2 == 1) {
        CompletableFuture<DgramException> c = new CompletableFuture<>();
        s.socket.connect(echo.port, "127.0.0.1", c::complete);
        assertEquals(null, get(c));
      }
      socks.add(s);
    }
    Ledger ledger = new Ledger(threads * iterations + 16);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < threads; w++) {
      final int worker = w;
      workers.add(Thread.ofPlatform().name("hammer-" + w).start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = 0; i < iterations; i++) {
          // sockets 0 and 1 live to the end; 2 and 3 are closed part-way by worker 0
          Sock s = socks.get(rnd.nextInt(socks.size()));
          DgramSocket d = s.socket;
          int op = rnd.nextInt(10);
          if (worker == 0 && i == iterations / 3) {
            guarded(() -> socks.get(2).socket.close());
          }
          if (worker == 1 && i == iterations / 2) {
            guarded(() -> socks.get(3).socket.close(() -> { }));
          }
          switch (op) {
            case 0, 1, 2, 3 -> {
              int id = ledger.next.getAndIncrement();
              SendCallback cb = ledger.callback(id, d);
              guarded(() -> {
                if (rnd.nextBoolean()) {
                  d.send(new byte[] {(byte) id}, echo.port, "127.0.0.1", cb); // throws IS_CONNECTED on 1, 3
                } else {
                  d.send("c" + id, cb); // throws BAD_PORT on 0, 2
                }
                ledger.issued.set(id, 1);
              });
            }
            case 4 -> guarded(() -> {
              if (rnd.nextBoolean()) {
                d.ref();
              } else {
                d.unref();
              }
            });
            case 5 -> guarded(() -> d.addMembership("239.1.2.3", "127.0.0.1"));
            case 6 -> guarded(() -> d.dropMembership("239.1.2.3", "127.0.0.1"));
            case 7 -> {
              try {
                d.setTTL(1 + rnd.nextInt(255));
              } catch (DgramException e) {
                if (!TTL_CODES.contains(e.code())) {
                  escaped.add(new AssertionError("setTTL gave " + e, e));
                }
              } catch (Throwable t) {
                escaped.add(t);
              }
            }
            case 8 -> guarded(() -> {
              d.address();
              d.getSendQueueSize();
              d.getSendQueueCount();
            });
            default -> guarded(() -> {
              if (s == socks.get(2) || s == socks.get(3)) {
                d.close(); // 2 and 3 are closed (again: NOT_RUNNING) while the others hammer them
              } else {
                d.getSendQueueCount();
              }
            });
          }
        }
      }));
    }
    go.countDown();
    joinAll(workers);
    ledger.verify();
    assertTrue(ledger.issuedCount() > 100, "too few sends went through: " + ledger.issuedCount());
    for (Sock s : socks) {
      if (!s.socket.isClosed()) {
        s.socket.ref();
        roundTrip(s, echo);
      } else {
        get(s.closed); // every closed socket emitted 'close'
      }
    }
    for (Sock s : socks) {
      s.closeQuietly();
    }
    assertClean();
  }

  @Test
  void closeRacesSendsOnFreshSockets() throws Exception {
    final int rounds = 300;
    Ledger ledger = new Ledger(rounds * 3 * 8 + 16);
    List<Sock> all = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      Sock s = new Sock(loop, "udp4");
      all.add(s);
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      for (int w = 0; w < 3; w++) {
        ts.add(Thread.ofPlatform().start(() -> {
          try {
            go.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int k = 0; k < 8; k++) {
            int id = ledger.next.getAndIncrement();
            guarded(() -> {
              s.socket.send(new byte[] {1, 2, 3}, echo.port, "127.0.0.1", ledger.callback(id, s.socket));
              ledger.issued.set(id, 1);
            });
          }
        }));
      }
      int closer = r % 4;
      ts.add(Thread.ofPlatform().start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        if (closer == 1) {
          Thread.onSpinWait();
        } else if (closer == 2) {
          Thread.yield();
        } else if (closer == 3) {
          guarded(() -> s.socket.ref().unref().ref());
        }
        guarded(() -> s.socket.close());
      }));
      go.countDown();
      joinAll(ts);
    }
    ledger.verify();
    for (Sock s : all) {
      assertTrue(s.socket.isClosed());
      get(s.closed); // the close that returned normally always emits 'close'
    }
    assertClean();
  }

  @Test
  void bindConnectCloseRaceOnUnboundSockets() throws Exception {
    final int rounds = 300;
    List<Sock> all = new ArrayList<>();
    List<CompletableFuture<DgramException>> connects = new ArrayList<>();
    for (int r = 0; r < rounds; r++) {
      final boolean closeToo = (r & 1) == 0;
      Sock s = new Sock(loop, "udp4");
      all.add(s);
      CompletableFuture<DgramException> connected = new CompletableFuture<>();
      AtomicInteger connectIssued = new AtomicInteger();
      CountDownLatch go = new CountDownLatch(1);
      List<Thread> ts = new ArrayList<>();
      ts.add(Thread.ofPlatform().start(() -> {
        awaitQuietly(go);
        guarded(() -> s.socket.bind(0, "127.0.0.1"));
      }));
      ts.add(Thread.ofPlatform().start(() -> {
        awaitQuietly(go);
        guarded(() -> {
          s.socket.connect(echo.port, "127.0.0.1", err -> {
            Robust.onLoop(s.socket, "connect callback");
            if (!connected.complete(err)) {
              escaped.add(new AssertionError("connect callback called twice"));
            }
          });
          connectIssued.set(1);
        });
      }));
      ts.add(Thread.ofPlatform().start(() -> {
        awaitQuietly(go);
        if (closeToo) {
          guarded(() -> s.socket.close());
        }
      }));
      go.countDown();
      joinAll(ts);
      if (connectIssued.get() == 1) {
        connects.add(connected);
      }
    }
    for (Sock s : all) {
      if (s.socket.isClosed()) {
        get(s.closed);
      } else {
        // still open: it works (as a connected socket, or after its own bind/connect settled)
        Robust.waitUntil(() -> s.listening.get() > 0 || !s.errors.isEmpty(), 2_000);
        roundTripOrExplain(s);
        s.closeQuietly();
      }
    }
    // a connect that was accepted reaches its callback, except where Node itself drops it
    // silently (closed while the queued connect looked up: jdgram calls back NOT_RUNNING)
    for (CompletableFuture<DgramException> c : connects) {
      get(c);
    }
    assertClean();
  }

  private void roundTripOrExplain(Sock s) {
    try {
      roundTrip(s, echo);
    } catch (AssertionError e) {
      throw new AssertionError("socket open after the race does not work: errors=" + s.errors
          + " listening=" + s.listening.get(), e);
    }
  }

  private static void awaitQuietly(CountDownLatch l) {
    try {
      l.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
