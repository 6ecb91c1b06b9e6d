package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/sequential/test-dgram-pingpong.js}: three concurrent ping-pong runs of
 * 500 round trips, servers on {@code localhost} (twice) and on every address, clients sending to
 * {@code localhost}. Node uses fixed ports; here the kernel chooses them.
 */
@Timeout(30)
class NodePingPongTest {
  private static final int N = 500;

  /** One run; completes with the number of PONGs the client got. */
  private static CompletableFuture<Integer> pingPong(String host, CountDownLatch serverCallbacksDone,
      List<DgramException> errors) {
    CompletableFuture<Integer> result = new CompletableFuture<>();
    AtomicInteger callbacks = new AtomicInteger();
    DgramSocket server = Dgram.createSocket("udp4");
    server.onMessage((msg, rinfo) -> {
      if (new String(msg).contains("PING")) {
        server.send("PONG".getBytes(), 0, 4, rinfo.port(), rinfo.address(), (err, sent) -> {
          if (err != null) {
            errors.add(err);
          }
          if (callbacks.incrementAndGet() == N) {
            serverCallbacksDone.countDown();
          }
        });
      }
    });
    server.onError(errors::add);
    server.onListening(() -> {
      int port = server.address().port();
      byte[] ping = "PING".getBytes();
      DgramSocket client = Dgram.createSocket("udp4");
      AtomicInteger count = new AtomicInteger(1);
      client.onError(errors::add);
      client.onMessage((msg, rinfo) -> {
        if (!"PONG".equals(new String(msg))) {
          errors.add(new DgramException("BAD", new String(msg)));
        }
        if (count.incrementAndGet() <= N) {
          client.send(ping, 0, ping.length, port, "localhost", null);
        } else {
          client.close();
        }
      });
      client.onClose(() -> {
        result.complete(count.get() - 1);
        server.close();
      });
      client.send(ping, 0, ping.length, port, "localhost", (err, bytes) -> {
        if (err != null) {
          errors.add(err);
        }
      });
    });
    server.bind(0, host);
    return result;
  }

  @Test
  void threeConcurrentPingPongRunsCompleteEveryRoundTrip() {
    List<DgramException> errors = new CopyOnWriteArrayList<>();
    CountDownLatch serverCallbacks = new CountDownLatch(3);
    List<CompletableFuture<Integer>> runs = List.of(
        pingPong("localhost", serverCallbacks, errors),
        pingPong("localhost", serverCallbacks, errors),
        pingPong(null, serverCallbacks, errors));
    for (CompletableFuture<Integer> run : runs) {
      assertEquals(N, NodeMzSupport.get(run));
    }
    NodeMzSupport.await(serverCallbacks);
    assertEquals(List.of(), errors);
  }
}
