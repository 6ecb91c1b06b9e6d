package dev.jdgram;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of a socket's counters ({@link DgramSocket#stats()}), or the sum over the sockets of
 * a {@link SocketGroup} ({@link SocketGroup#stats()}). Immutable. The counters start at zero when
 * the socket is created and only grow; each is exact at the moment it was read, but the snapshot
 * is not taken atomically across counters (bytes may already include a datagram whose count was
 * read a moment before), so compare two snapshots, not two fields of one, to reason about rates.
 *
 * @param datagramsReceived datagrams delivered to the socket's listeners (after the receive block list)
 * @param bytesReceived their bytes
 * @param datagramsSent datagrams the kernel took (a send's callback or future got its byte count)
 * @param bytesSent their bytes
 * @param sendErrors failed sends (and failed batches) by error code ({@code "EMSGSIZE"},
 *     {@code "ENOBUFS"}, {@code "ECANCELED"}, {@code "ERR_IP_BLOCKED"}, ...); only codes that occurred
 * @param sendsRefused sends refused at the send queue's high-water mark (also counted as
 *     {@code ENOBUFS} in {@code sendErrors})
 * @param receiveErrors receive errors emitted as {@code error} ({@code ECONNREFUSED} after an ICMP
 *     port unreachable on a connected socket, ...)
 * @param datagramsBlocked datagrams dropped because their source is on the receive block list
 * @param receiveDrops datagrams the kernel dropped because the socket's receive buffer was full
 *     ({@link DgramSocket#getRecvDropCount()}), or -1 where the transport cannot know (nio)
 * @param sendQueueSize bytes queued, not yet handed to the kernel, at the moment of the snapshot
 * @param sendQueueCount datagrams queued, at the moment of the snapshot
 * @param lastReceived wall-clock time of the last datagram received, or null if none; taken once
 *     per loop phase in which datagrams arrived, so exact to that phase (well under a millisecond
 *     on a loop that keeps up); on a socket that a {@code JdgramDatagramSocket} reads on its
 *     caller's thread (linux), at the first datagram after the kernel ran empty and at every 64th
 * @param lastSent wall-clock time of the last datagram the kernel took, or null if none; taken as
 *     {@code lastReceived} is
 */
public record SocketStats(
    long datagramsReceived,
    long bytesReceived,
    long datagramsSent,
    long bytesSent,
    Map<String, Long> sendErrors,
    long sendsRefused,
    long receiveErrors,
    long datagramsBlocked,
    long receiveDrops,
    long sendQueueSize,
    long sendQueueCount,
    Instant lastReceived,
    Instant lastSent) {

  /** A snapshot whose maps are copies: the record is immutable. */
  public SocketStats {
    sendErrors = Map.copyOf(sendErrors);
  }

  /** @return the number of failed sends, whatever their code */
  public long sendErrorCount() {
    long n = 0;
    for (long v : sendErrors.values()) {
      n += v;
    }
    return n;
  }

  /**
   * The sum of several snapshots: counters and queues add up; {@code receiveDrops} is the sum of
   * those that are known, or -1 if none is; the last times are the latest.
   *
   * @param all the snapshots
   * @return their sum; all zero for none
   */
  public static SocketStats sum(Collection<SocketStats> all) {
    long rx = 0;
    long rxBytes = 0;
    long tx = 0;
    long txBytes = 0;
    long refused = 0;
    long rxErrors = 0;
    long blocked = 0;
    long drops = -1;
    long qBytes = 0;
    long qCount = 0;
    Instant lastRx = null;
    Instant lastTx = null;
    Map<String, Long> errors = new TreeMap<>();
    for (SocketStats s : all) {
      rx += s.datagramsReceived;
      rxBytes += s.bytesReceived;
      tx += s.datagramsSent;
      txBytes += s.bytesSent;
      refused += s.sendsRefused;
      rxErrors += s.receiveErrors;
      blocked += s.datagramsBlocked;
      if (s.receiveDrops >= 0) {
        drops = Math.max(drops, 0) + s.receiveDrops;
      }
      qBytes += s.sendQueueSize;
      qCount += s.sendQueueCount;
      lastRx = later(lastRx, s.lastReceived);
      lastTx = later(lastTx, s.lastSent);
      s.sendErrors.forEach((code, n) -> errors.merge(code, n, Long::sum));
    }
    return new SocketStats(rx, rxBytes, tx, txBytes, errors, refused, rxErrors, blocked, drops, qBytes,
        qCount, lastRx, lastTx);
  }

  private static Instant later(Instant a, Instant b) {
    return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
  }
}
