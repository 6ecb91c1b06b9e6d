package dev.jdgram.node;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ported from {@code test/parallel/test-dgram-unref.js}: an unref'd bound socket (and an unref'd
 * timer) does not keep the loop running; unref on a closed socket does not throw. Node's process
 * exit is a private loop's {@code run()} returning here.
 */
@Timeout(20)
class NodeUnrefTest {
  @Test
  void unrefdBoundSocketLetsTheLoopEnd() throws InterruptedException {
    EventLoop loop = EventLoop.create();
    DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
    AtomicBoolean timerFired = new AtomicBoolean();
    try {
      s.bind(0, "127.0.0.1");
      s.unref();
      loop.setTimeout(() -> timerFired.set(true), 1000).unref();
      Thread runner = Thread.ofPlatform().daemon(true).start(loop::run);
      runner.join(NodeMzSupport.TIMEOUT_MS);
      boolean hung = runner.isAlive();
      if (hung) {
        s.close();
        loop.stop();
        runner.join(NodeMzSupport.TIMEOUT_MS);
      }
      assertFalse(hung, "run() must return when only an unref'd socket and timer remain");
      assertFalse(timerFired.get(), "the unref'd timer must not fire");
    } finally {
      loop.close();
    }
  }

  @Test
  void unrefOnClosedSocketDoesNotThrow() {
    DgramSocket s = Dgram.createSocket("udp4");
    CompletableFuture<DgramSocket> unrefd = new CompletableFuture<>();
    s.close(() -> {
      try {
        unrefd.complete(s.unref());
      } catch (Throwable t) {
        unrefd.completeExceptionally(t);
      }
    });
    assertSame(s, assertDoesNotThrow(() -> NodeMzSupport.get(unrefd)));
  }
}
