package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ported from {@code test/parallel/test-dgram-ref.js}. */
@Timeout(20)
class NodeRefTest {
  /** Node: "should not hang" (nodejs/node-v0.x-archive#1282). */
  @Test
  void unboundSocketsDoNotKeepTheLoopAlive() throws InterruptedException {
    EventLoop loop = EventLoop.create();
    try {
      DgramSocket a = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
      DgramSocket b = Dgram.createSocket(SocketOptions.of("udp6").loop(loop));
      Thread runner = Thread.ofPlatform().daemon(true).start(loop::run);
      runner.join(NodeMzSupport.TIMEOUT_MS);
      boolean hung = runner.isAlive();
      if (hung) {
        a.close();
        b.close();
        loop.stop();
        runner.join(NodeMzSupport.TIMEOUT_MS);
      }
      assertFalse(hung, "run() must return while only unbound sockets exist");
    } finally {
      loop.close();
    }
  }

  @Test
  void refOnClosedSocketDoesNotThrow() {
    DgramSocket s = Dgram.createSocket("udp4");
    CompletableFuture<DgramSocket> refd = new CompletableFuture<>();
    s.close(() -> {
      try {
        refd.complete(s.ref());
      } catch (Throwable t) {
        refd.completeExceptionally(t);
      }
    });
    assertSame(s, assertDoesNotThrow(() -> NodeMzSupport.get(refd)));
  }
}
