package dev.jdgram.micrometer;

import dev.jdgram.AddressInfo;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketGroup;
import dev.jdgram.SocketStats;
import dev.jdgram.loop.EventLoop;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for a jdgram socket or {@link SocketGroup}, read from their
 * {@code stats()} whenever the registry polls:
 *
 * <table>
 * <caption>meters</caption>
 * <tr><th>name</th><th>type</th><th>unit</th></tr>
 * <tr><td>{@code jdgram.datagrams.received}, {@code jdgram.datagrams.sent}</td><td>function counter</td><td>datagrams</td></tr>
 * <tr><td>{@code jdgram.bytes.received}, {@code jdgram.bytes.sent}</td><td>function counter</td><td>bytes</td></tr>
 * <tr><td>{@code jdgram.receive.drops} (kernel drops; absent where the transport cannot know, nio)</td><td>function counter</td><td>datagrams</td></tr>
 * <tr><td>{@code jdgram.receive.errors}, {@code jdgram.receive.blocked}</td><td>function counter</td><td>errors, datagrams</td></tr>
 * <tr><td>{@code jdgram.send.errors}, tagged {@code code} (the common codes, and {@code other})</td><td>function counter</td><td>errors</td></tr>
 * <tr><td>{@code jdgram.send.refused} (at the high-water mark)</td><td>function counter</td><td>sends</td></tr>
 * <tr><td>{@code jdgram.send.queue.size}, {@code jdgram.send.queue.count}</td><td>gauge</td><td>bytes, datagrams</td></tr>
 * </table>
 *
 * <p>Every meter is tagged {@code local} (the socket's address, {@code 127.0.0.1:41234}, or
 * {@code unbound}) and {@code transport} ({@code linux}, {@code nio}, {@code sim}), plus the tags
 * given. Bind the socket first, so that its address is known. One poll of the registry reads
 * {@code stats()} once, however many meters it reads: the snapshot is kept for
 * {@value #FRESH_MILLIS} ms.
 *
 * <pre>{@code
 * socket.bind(41234, "127.0.0.1", () -> JdgramMetrics.of(socket).bindTo(registry));
 * }</pre>
 */
public final class JdgramMetrics implements MeterBinder {
  /** How long one stats() snapshot serves the meters of one poll. */
  static final long FRESH_MILLIS = 50;

  /** The send error codes given a meter of their own; any other counts as {@code other}. */
  static final List<String> SEND_ERROR_CODES = List.of("EMSGSIZE", "ENOBUFS", "ECANCELED", "ERR_IP_BLOCKED",
      "ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "EACCES", "EPERM", "EINVAL", "ENOTFOUND",
      "ERR_SOCKET_DGRAM_NOT_RUNNING", "ERR_SOCKET_DGRAM_NOT_CONNECTED");

  /**
   * The socket or group: what Micrometer holds weakly (a meter reads NaN once its socket is
   * gone). The meters' functions hold this binder, and with it the snapshot cache.
   */
  private final Object owner;
  private final Supplier<SocketStats> source;
  private final Tags tags;
  private volatile SocketStats last;
  private volatile long lastAt;

  private JdgramMetrics(Object owner, Supplier<SocketStats> source, Tags tags) {
    this.owner = owner;
    this.source = source;
    this.tags = tags;
  }

  /**
   * @param socket the socket (bound, for its {@code local} tag)
   * @param extraTags more tags for every meter
   * @return the binder
   */
  public static JdgramMetrics of(DgramSocket socket, Tag... extraTags) {
    Objects.requireNonNull(socket, "socket");
    return new JdgramMetrics(socket, socket::stats,
        Tags.of("local", local(socket), "transport", socket.loop().transportName()).and(extraTags));
  }

  /**
   * @param group the group (bound, for its {@code local} tag): its sockets' stats, summed
   * @param extraTags more tags for every meter
   * @return the binder
   */
  public static JdgramMetrics of(SocketGroup group, Tag... extraTags) {
    Objects.requireNonNull(group, "group");
    DgramSocket first = group.sockets().get(0);
    EventLoop loop = group.loops().get(0);
    return new JdgramMetrics(group, group::stats,
        Tags.of("local", local(first), "transport", loop.transportName()).and(extraTags));
  }

  private static String local(DgramSocket s) {
    try {
      AddressInfo a = s.address();
      return (a.address().indexOf(':') >= 0 ? "[" + a.address() + "]" : a.address()) + ":" + a.port();
    } catch (DgramException notBound) {
      return "unbound";
    }
  }

  /** One snapshot for all the meters of one poll. */
  private SocketStats stats() {
    long now = System.nanoTime();
    SocketStats s = last;
    if (s == null || now - lastAt > FRESH_MILLIS * 1_000_000) {
      s = source.get();
      last = s;
      lastAt = now;
    }
    return s;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    counter(registry, "jdgram.datagrams.received", "datagrams", "Datagrams delivered to the socket's listeners",
        SocketStats::datagramsReceived);
    counter(registry, "jdgram.datagrams.sent", "datagrams", "Datagrams the kernel took", SocketStats::datagramsSent);
    counter(registry, "jdgram.bytes.received", "bytes", "Bytes of the datagrams received", SocketStats::bytesReceived);
    counter(registry, "jdgram.bytes.sent", "bytes", "Bytes of the datagrams sent", SocketStats::bytesSent);
    if (stats().receiveDrops() >= 0) {
      counter(registry, "jdgram.receive.drops", "datagrams",
          "Datagrams the kernel dropped because the receive buffer was full", SocketStats::receiveDrops);
    }
    counter(registry, "jdgram.receive.errors", "errors", "Receive errors emitted as 'error'",
        SocketStats::receiveErrors);
    counter(registry, "jdgram.receive.blocked", "datagrams", "Datagrams dropped by the receive block list",
        SocketStats::datagramsBlocked);
    for (String code : SEND_ERROR_CODES) {
      FunctionCounter.builder("jdgram.send.errors", owner, o -> stats().sendErrors().getOrDefault(code, 0L))
          .baseUnit("errors").description("Failed sends, by error code").tags(tags).tag("code", code)
          .register(registry);
    }
    FunctionCounter.builder("jdgram.send.errors", owner, o -> otherSendErrors())
        .baseUnit("errors").description("Failed sends, by error code").tags(tags).tag("code", "other")
        .register(registry);
    counter(registry, "jdgram.send.refused", "sends", "Sends refused at the send queue's high-water mark",
        SocketStats::sendsRefused);
    gauge(registry, "jdgram.send.queue.size", "bytes", "Bytes queued, not yet handed to the kernel",
        SocketStats::sendQueueSize);
    gauge(registry, "jdgram.send.queue.count", "datagrams", "Datagrams queued, not yet handed to the kernel",
        SocketStats::sendQueueCount);
  }

  private double otherSendErrors() {
    SocketStats s = stats();
    long other = 0;
    for (var e : s.sendErrors().entrySet()) {
      if (!SEND_ERROR_CODES.contains(e.getKey())) {
        other += e.getValue();
      }
    }
    return other;
  }

  private void counter(MeterRegistry registry, String name, String unit, String description,
      ToDoubleFunction<SocketStats> value) {
    FunctionCounter.builder(name, owner, o -> value.applyAsDouble(stats()))
        .baseUnit(unit).description(description).tags(tags).register(registry);
  }

  private void gauge(MeterRegistry registry, String name, String unit, String description,
      ToDoubleFunction<SocketStats> value) {
    Gauge.builder(name, owner, o -> value.applyAsDouble(stats()))
        .baseUnit(unit).description(description).tags(tags).register(registry);
  }
}
