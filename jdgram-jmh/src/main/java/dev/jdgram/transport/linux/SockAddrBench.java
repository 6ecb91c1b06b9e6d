package dev.jdgram.transport.linux;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The linux transport's {@code sockaddr} encoding and decoding ({@link SockAddr}, package-private:
 * this class lives in the same package on the class path), in ns per call, on native memory as
 * the transport does: {@code write} is what a send to a new destination costs (a repeated
 * destination is not encoded again), {@code read} what turning a received datagram's source into
 * an {@link InetSocketAddress} costs, and {@code same} the byte compare that recognises the
 * source as the last sender's, so that a stream from one peer is not decoded again.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class SockAddrBench {
  Arena arena;
  MemorySegment out;
  MemorySegment in4;
  MemorySegment in6;
  MemorySegment cached4;
  InetSocketAddress v4;
  InetSocketAddress v6;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    arena = Arena.ofConfined();
    out = arena.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
    in4 = arena.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
    in6 = arena.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
    cached4 = arena.allocate(Structs.SOCKADDR_IN6_SIZE, 8);
    v4 = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 41234);
    byte[] b6 = new byte[16];
    b6[0] = 0x20;
    b6[1] = 0x01;
    b6[2] = 0x0d;
    b6[3] = (byte) 0xb8;
    b6[15] = 1;
    v6 = new InetSocketAddress(InetAddress.getByAddress(b6), 41234);
    SockAddr.write(in4, v4, false);
    SockAddr.write(cached4, v4, false);
    SockAddr.write(in6, v6, true);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    arena.close();
  }

  /** sockaddr_in for an IPv4 socket. */
  @Benchmark
  public int writeV4() {
    return SockAddr.write(out, v4, false);
  }

  /** sockaddr_in6 with an IPv4-mapped address, for a dual-stack socket. */
  @Benchmark
  public int writeV4Mapped() {
    return SockAddr.write(out, v4, true);
  }

  @Benchmark
  public int writeV6() {
    return SockAddr.write(out, v6, true);
  }

  /** Is this source the last sender's? (the receive path's byte compare before decoding an address) */
  @Benchmark
  public boolean sameV4() {
    return SockAddr.same(in4, 0, cached4, Structs.SOCKADDR_IN_SIZE);
  }

  @Benchmark
  public InetSocketAddress readV4() {
    return SockAddr.read(in4);
  }

  @Benchmark
  public InetSocketAddress readV6() {
    return SockAddr.read(in6);
  }
}
