package dev.jdgram;

import dev.jdgram.loop.EventLoop;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;
import org.testng.annotations.AfterMethod;
import org.testng.annotations.BeforeClass;

/**
 * The Reactive Streams TCK (its Flow edition, run on TestNG through the JUnit Platform) against
 * {@link DatagramPublisher}: each publisher under test is a socket on 127.0.0.1 that a sender has
 * already sent the asked number of datagrams, which wait in the kernel's receive buffer while
 * the publisher has no demand, and the publisher completes after that many.
 */
public class DatagramPublisherTckTest extends FlowPublisherVerification<ReceivedDatagram> {
  /** Enough for every TCK rule that needs a finite stream; each waits in a 200 KiB buffer. */
  private static final long MAX_ELEMENTS = 128;

  /** Started before the class's tests, not in the constructor: TestNG may make more instances. */
  private EventLoop loop;
  private final List<DgramSocket> sockets = new ArrayList<>();

  public DatagramPublisherTckTest() {
    // generous limits for a busy CI machine; "no signal" waits stay short, as the TCK does many
    super(new TestEnvironment(Probe.TIMEOUT_MS, 200, 20));
  }

  @BeforeClass
  public void startLoop() {
    loop = EventLoop.create();
    loop.start();
  }

  @Override
  public Flow.Publisher<ReceivedDatagram> createFlowPublisher(long elements) {
    DgramSocket rx = socket();
    DatagramPublisher publisher = DatagramPublisher.of(rx, elements); // paused from here
    int port = await(rx.bindAsync(0, "127.0.0.1")).port();
    if (elements > 0) {
      DgramSocket tx = socket();
      List<CompletableFuture<Integer>> sent = new ArrayList<>();
      for (long i = 0; i < elements; i++) {
        sent.add(tx.sendAsync("datagram " + i, port, "127.0.0.1"));
      }
      sent.forEach(DatagramPublisherTckTest::await);
    }
    return publisher;
  }

  @Override
  public Flow.Publisher<ReceivedDatagram> createFailedFlowPublisher() {
    return null; // a socket's stream ends by completing (close), never with an error
  }

  @Override
  public long maxElementsFromPublisher() {
    return MAX_ELEMENTS;
  }

  private DgramSocket socket() {
    DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").loop(loop));
    synchronized (sockets) {
      sockets.add(s);
    }
    return s;
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(Probe.TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterMethod(alwaysRun = true)
  public void closeSockets() {
    synchronized (sockets) {
      for (DgramSocket s : sockets) {
        if (!s.isClosed()) {
          s.close();
        }
      }
      sockets.clear();
    }
  }

  @AfterClass(alwaysRun = true)
  public void closeLoop() {
    if (loop != null) {
      loop.close();
    }
  }
}
