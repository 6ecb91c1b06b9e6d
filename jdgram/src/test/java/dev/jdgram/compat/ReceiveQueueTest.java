package dev.jdgram.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The queue between the loop and {@code receive()} on its own, the test thread playing the loop:
 * {@link #turn} runs what the queue left for the end of the loop's I/O phase, as the loop's
 * check phase would. Receivers are virtual threads. No network.
 */
@Timeout(60)
class ReceiveQueueTest {
  private static final InetAddress FROM = InetAddress.getLoopbackAddress();
  /** Wide, for a busy machine: a receiver that should be woken is given this long. */
  private static final long PATIENCE_MS = 10_000;

  private final ArrayDeque<Runnable> afterIo = new ArrayDeque<>();

  private ReceiveQueue queue(long capacity) {
    return new ReceiveQueue(capacity, afterIo::add);
  }

  /** One turn of the loop ends: what was scheduled for after its I/O runs (more may be scheduled). */
  private void turn() {
    int n = afterIo.size(); // as the loop: tasks scheduled by these run in the next turn
    for (int i = 0; i < n; i++) {
      afterIo.poll().run();
    }
  }

  private static byte[] datagram(int tag, int size) {
    byte[] b = new byte[size];
    if (size > 0) {
      b[0] = (byte) tag;
    }
    return b;
  }

  private static CompletableFuture<ReceiveQueue.Entry> receiver(ReceiveQueue q, int timeoutMillis) {
    CompletableFuture<ReceiveQueue.Entry> got = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try {
        got.complete(q.take(timeoutMillis));
      } catch (Throwable t) {
        got.completeExceptionally(t);
      }
    });
    return got;
  }

  /** Gives a receiver just started the time to block in the queue (a wide pause). */
  private static void awaitWaiting() throws InterruptedException {
    Thread.sleep(200);
  }

  @Test
  void aDatagramReachesAReceiverThatAlreadyHasRoomToTakeIt() throws Exception {
    ReceiveQueue q = queue(10_000);
    assertTrue(q.offer(datagram(1, 10), FROM, 9));
    turn();
    ReceiveQueue.Entry e = q.take(0);
    assertEquals(1, e.data()[0]);
    assertEquals(9, e.port());
    assertEquals(FROM, e.address());
  }

  @Test
  void nothingIsHandedOverBeforeTheLoopsTurnEnds() throws Exception {
    ReceiveQueue q = queue(10_000);
    q.offer(datagram(1, 10), FROM, 9);
    assertThrows(SocketTimeoutException.class, () -> q.take(50), "still the loop's own");
    turn();
    assertEquals(1, q.take(50).data()[0]);
  }

  @Test
  void aWaitingReceiverIsWokenOnceTheLoopReadsNoMore() throws Exception {
    ReceiveQueue q = queue(1 << 20);
    CompletableFuture<ReceiveQueue.Entry> got = receiver(q, 0);
    awaitWaiting();
    q.offer(datagram(7, 10), FROM, 9);
    turn(); // the turn read something: the receiver may get more by waiting one turn
    Thread.sleep(100);
    assertFalse(got.isDone(), "woken after a turn that read more");
    turn(); // a turn that read nothing: wake
    assertEquals(7, got.get(PATIENCE_MS, TimeUnit.MILLISECONDS).data()[0]);
    assertTrue(afterIo.isEmpty(), "nothing left scheduled");
  }

  @Test
  void underAFloodAWaitingReceiverIsWokenAfterAFewTurnsAtMost() throws Exception {
    ReceiveQueue q = queue(1 << 20);
    CompletableFuture<ReceiveQueue.Entry> got = receiver(q, 0);
    awaitWaiting();
    int turns = 0;
    while (!got.isDone() && turns < 100) {
      q.offer(datagram(turns, 10), FROM, 9); // every turn reads one more
      turn();
      turns++;
      Thread.sleep(20);
    }
    assertTrue(got.isDone(), "never woken");
    assertTrue(turns <= ReceiveQueue.MAX_DEFERRALS + 2, "woken after " + turns + " turns");
    assertEquals(0, got.get().data()[0], "the oldest first");
  }

  @Test
  void enoughWaitingWakesAtOnce() throws Exception {
    ReceiveQueue q = queue(1 << 20);
    CompletableFuture<ReceiveQueue.Entry> got = receiver(q, 0);
    awaitWaiting();
    int size = 1000;
    for (long queued = 0; queued < ReceiveQueue.WAKE_BYTES; queued += size + ReceiveQueue.ENTRY_OVERHEAD) {
      q.offer(datagram(3, size), FROM, 9);
    }
    turn(); // read more, but enough is waiting
    assertEquals(3, got.get(PATIENCE_MS, TimeUnit.MILLISECONDS).data()[0]);
  }

  @Test
  void theBoundCountsWhatTheLoopHoldsAndWhatWaitsAndDropsTheRest() throws Exception {
    int size = 100;
    long cost = size + ReceiveQueue.ENTRY_OVERHEAD;
    ReceiveQueue q = queue(10 * cost);
    for (int i = 0; i < 6; i++) {
      assertTrue(q.offer(datagram(i, size), FROM, 9));
    }
    turn(); // six published
    for (int i = 6; i < 10; i++) {
      assertTrue(q.offer(datagram(i, size), FROM, 9)); // four held by the loop: ten in all
    }
    assertFalse(q.offer(datagram(10, size), FROM, 9));
    assertFalse(q.offer(datagram(11, 0), FROM, 9), "an empty datagram costs its overhead too");
    assertEquals(2, q.dropped());
    assertEquals(0, q.take(0).data()[0]); // one handed out: room for one more
    assertTrue(q.offer(datagram(12, size), FROM, 9));
    assertFalse(q.offer(datagram(13, size), FROM, 9));
    assertEquals(3, q.dropped());
    turn();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      order.add((int) q.take(100).data()[0]);
    }
    assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 12), order, "in order, none lost but the dropped");
    assertThrows(SocketTimeoutException.class, () -> q.take(50));
  }

  @Test
  void clearFlushesWhatTheLoopHoldsWhatWaitsAndWhatAReceiverTookAhead() throws Exception {
    long cost = 10 + ReceiveQueue.ENTRY_OVERHEAD;
    ReceiveQueue q = queue(4 * cost);
    for (int i = 0; i < 3; i++) {
      q.offer(datagram(i, 10), FROM, 9);
    }
    turn();
    assertEquals(0, q.take(0).data()[0]); // the receiver took the batch: two still ahead of it
    q.offer(datagram(3, 10), FROM, 9); // and one the loop holds
    q.clear();
    assertEquals(0, q.dropped(), "a flush is not a drop");
    // the room of what the receiver took ahead is freed by its next take, which drops them
    assertTrue(q.offer(datagram(10, 10), FROM, 9));
    assertTrue(q.offer(datagram(11, 10), FROM, 9));
    turn();
    assertEquals(10, q.take(100).data()[0], "nothing from before the flush");
    assertTrue(q.offer(datagram(12, 10), FROM, 9));
    assertTrue(q.offer(datagram(13, 10), FROM, 9));
    assertTrue(q.offer(datagram(14, 10), FROM, 9), "all the room is free again");
    assertFalse(q.offer(datagram(15, 10), FROM, 9));
    turn();
    for (int i = 11; i <= 14; i++) {
      assertEquals(i, q.take(100).data()[0]);
    }
  }

  @Test
  void closeWakesTheWaitingReceiverAndTheOneQueuedBehindIt() throws Exception {
    ReceiveQueue q = queue(10_000);
    CompletableFuture<ReceiveQueue.Entry> first = receiver(q, 0);
    CompletableFuture<ReceiveQueue.Entry> second = receiver(q, 0);
    awaitWaiting();
    q.close();
    for (CompletableFuture<ReceiveQueue.Entry> f : List.of(first, second)) {
      Throwable t = assertThrows(Exception.class, () -> f.get(PATIENCE_MS, TimeUnit.MILLISECONDS)).getCause();
      assertTrue(t instanceof SocketException && "Socket closed".equals(t.getMessage()), String.valueOf(t));
    }
    assertFalse(q.offer(datagram(1, 1), FROM, 9), "closed: refused");
    turn();
    assertEquals(0, q.dropped(), "what a closed socket refuses is not a drop");
  }

  @Test
  void aPendingErrorComesBeforeTheQueuedDatagramsAndOnce() throws Exception {
    ReceiveQueue q = queue(10_000);
    q.offer(datagram(1, 1), FROM, 9);
    turn();
    q.fail(new java.net.PortUnreachableException("ICMP Port Unreachable"));
    assertThrows(java.net.PortUnreachableException.class, () -> q.take(0));
    assertEquals(1, q.take(0).data()[0]);
  }

  @Test
  void aTimedReceiverQueuedBehindAnotherTimesOut() throws Exception {
    ReceiveQueue q = queue(10_000);
    CompletableFuture<ReceiveQueue.Entry> first = receiver(q, 0);
    awaitWaiting();
    long t0 = System.nanoTime();
    assertThrows(SocketTimeoutException.class, () -> q.take(300));
    assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(250));
    q.close();
    assertThrows(Exception.class, () -> first.get(PATIENCE_MS, TimeUnit.MILLISECONDS));
  }

  @Test
  void manyReceiversShareTheDatagramsWithoutLossOrRepeat() throws Exception {
    ReceiveQueue q = queue(1 << 24);
    int receivers = 4;
    int datagrams = 4000;
    List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
    List<Thread> threads = new ArrayList<>();
    for (int r = 0; r < receivers; r++) {
      threads.add(Thread.ofVirtual().start(() -> {
        try {
          while (true) {
            ReceiveQueue.Entry e = q.take(0);
            seen.add(((e.data()[0] & 0xff) << 8) | (e.data()[1] & 0xff));
          }
        } catch (IOException closed) {
          // the end
        }
      }));
    }
    for (int i = 0; i < datagrams; i++) {
      q.offer(new byte[] {(byte) (i >> 8), (byte) i}, FROM, 9);
      if (i % 37 == 0) {
        turn();
      }
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PATIENCE_MS);
    while (seen.size() < datagrams && System.nanoTime() < deadline) {
      turn();
      Thread.sleep(5);
    }
    q.close();
    for (Thread t : threads) {
      t.join(PATIENCE_MS);
    }
    List<Integer> sorted = new ArrayList<>(seen);
    Collections.sort(sorted);
    assertEquals(datagrams, sorted.size());
    for (int i = 0; i < datagrams; i++) {
      assertEquals(i, sorted.get(i));
    }
  }
}
