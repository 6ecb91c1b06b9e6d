package dev.jdgram.jmh;

import dev.jdgram.DgramSocket;
import dev.jdgram.sim.Host;
import dev.jdgram.sim.SimNetwork;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The send path without the kernel, in ns per datagram: {@code DgramSocket.send(byte[] ...)} of
 * 64 bytes on a host of a simulated network ({@link SimNetwork}: jdgram's sim transport, a model
 * of Linux's UDP in Java that makes no system call). Each invocation sends {@link #BATCH}
 * datagrams from the benchmark thread, then runs the network until idle. So a figure covers:
 * the API's argument checks and the send request (on the caller's thread), handing it to the
 * loop, the loop's write path, and the sim transport's {@code udp_sendmsg} model (route lookup on
 * the host's {@code lo}, a packet with a copy of the payload), its loopback delivery to a bound
 * socket on the same host and that socket's {@code onDatagram} listener, which only counts. It
 * is therefore an upper bound of jdgram's own send-side cost per datagram (the real transports
 * replace the sim's kernel model with {@code sendmsg}/{@code sendmmsg}), not a kernel figure. The
 * network's trace is turned off (it records every event), but the sim still formats its trace
 * details (addresses as text) before it looks whether tracing is on: part of what this measures.
 *
 * <ul>
 *   <li>{@code sendConnected}: {@code send(msg)} on a connected socket.
 *   <li>{@code sendToLiteral}: {@code send(msg, port, "127.0.0.1")} on an unconnected socket:
 *       adds the destination's handling (IP literal parse, no look-up).
 *   <li>{@code sendConnectedWithCallback}: {@code send(msg, callback)}: adds the callback's
 *       dispatch after the send.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class SendPathBench {
  /** Datagrams per invocation (then the network runs until idle). */
  public static final int BATCH = 64;

  SimNetwork net;
  DgramSocket rx;
  DgramSocket connected;
  DgramSocket unconnected;
  byte[] msg = new byte[64];
  int port;
  long delivered;
  long sent;
  long callbacks;

  @Setup(Level.Trial)
  public void setUp() {
    net = SimNetwork.create(6);
    net.trace().enabled(false); // the trace keeps every event: on, it grows without bound (and GC with it)
    Host a = net.host("a");
    rx = a.socket("udp4");
    rx.onDatagram(d -> delivered++);
    rx.bind(7000, "127.0.0.1");
    connected = a.socket("udp4");
    connected.bind(0, "127.0.0.1");
    unconnected = a.socket("udp4");
    unconnected.bind(0, "127.0.0.1");
    net.runUntilIdle();
    port = rx.address().port();
    connected.connect(port, "127.0.0.1");
    net.runUntil(() -> connected.remoteAddress() != null, Duration.ofSeconds(1));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    net.close();
    if (delivered == 0 || delivered < sent * 9 / 10) {
      throw new IllegalStateException("sent " + sent + ", delivered " + delivered);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long sendConnected() {
    for (int k = 0; k < BATCH; k++) {
      connected.send(msg);
    }
    sent += BATCH;
    net.runUntilIdle();
    return delivered;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long sendToLiteral() {
    for (int k = 0; k < BATCH; k++) {
      unconnected.send(msg, port, "127.0.0.1");
    }
    sent += BATCH;
    net.runUntilIdle();
    return delivered;
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public long sendConnectedWithCallback() {
    for (int k = 0; k < BATCH; k++) {
      connected.send(msg, (err, n) -> callbacks++);
    }
    sent += BATCH;
    net.runUntilIdle();
    return callbacks;
  }
}
