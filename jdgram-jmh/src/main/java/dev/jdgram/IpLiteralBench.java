package dev.jdgram;

import dev.jdgram.handle.IpLiteral;
import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * jdgram's IP literal handling ({@link IpLiteral}, package-private: this class lives in the same
 * package, which the class path allows; the benchmarks never run on the module path), in ns per
 * call: what every {@code send(..., port, address)} and {@code bind} does with its address text,
 * and what {@code rinfo.address()} formats. No call resolves a name.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xmx512m"})
public class IpLiteralBench {
  // not final: the JIT must not fold the parse of a constant
  public String v4 = "192.168.100.200";
  public String v6 = "2001:db8:85a3::8a2e:370:7334";
  public String mapped = "::ffff:10.1.2.3";
  InetAddress a4;
  InetAddress a6;

  @Setup
  public void setUp() {
    a4 = IpLiteral.parse(v4);
    a6 = IpLiteral.parse(v6);
  }

  /** net.isIP: validation only, no allocation. */
  @Benchmark
  public int familyV4() {
    return IpLiteral.family(v4);
  }

  @Benchmark
  public int familyV6() {
    return IpLiteral.family(v6);
  }

  /** Text to an {@code Inet4Address} (the bytes, then {@code InetAddress.getByAddress}). */
  @Benchmark
  public InetAddress parseV4() {
    return IpLiteral.parse(v4);
  }

  @Benchmark
  public InetAddress parseV6() {
    return IpLiteral.parse(v6);
  }

  @Benchmark
  public InetAddress parseV4Mapped() {
    return IpLiteral.parse(mapped);
  }

  /** Text to the raw 4 bytes only. */
  @Benchmark
  public byte[] bytesV4() {
    return IpLiteral.bytes(v4);
  }

  /** An address to the text Node prints in {@code rinfo.address}. */
  @Benchmark
  public String formatV4() {
    return IpLiteral.format(a4);
  }

  @Benchmark
  public String formatV6() {
    return IpLiteral.format(a6);
  }
}
