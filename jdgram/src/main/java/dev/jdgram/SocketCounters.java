package dev.jdgram;

import dev.jdgram.handle.LoopContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A socket's counters behind {@link DgramSocket#stats()}.
 *
 * <p>Threading: the loop thread is the only writer of the per-datagram counters, which are plain
 * long fields stored with {@link VarHandle#setOpaque}: on x86 and ARM that is the same store as a
 * plain one (no fence, no atomic read-modify-write, no contention), but the JIT may not tear it,
 * drop it or keep it in a register, so a reader on any thread ({@link VarHandle#getOpaque}) sees
 * each counter's latest or a recent value, and never one going backwards. The snapshot is thus
 * exact per counter, not across counters; that is the price of a hot path with no atomics. The
 * alternative, having {@code stats()} hop to the loop thread and wait, would block the caller
 * (another loop, if called from a listener) and would stall exactly when the loop is overloaded,
 * which is when someone wants the numbers. Send errors are rare and may be counted from more than
 * one thread (a queued send failed by a closing socket): they go to a concurrent map.
 */
final class SocketCounters {
  private static final VarHandle RX;
  private static final VarHandle RX_BYTES;
  private static final VarHandle TX;
  private static final VarHandle TX_BYTES;
  private static final VarHandle REFUSED;
  private static final VarHandle RX_ERRORS;
  private static final VarHandle BLOCKED;
  private static final VarHandle LAST_RX;
  private static final VarHandle LAST_TX;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      RX = l.findVarHandle(SocketCounters.class, "rx", long.class);
      RX_BYTES = l.findVarHandle(SocketCounters.class, "rxBytes", long.class);
      TX = l.findVarHandle(SocketCounters.class, "tx", long.class);
      TX_BYTES = l.findVarHandle(SocketCounters.class, "txBytes", long.class);
      REFUSED = l.findVarHandle(SocketCounters.class, "refused", long.class);
      RX_ERRORS = l.findVarHandle(SocketCounters.class, "rxErrors", long.class);
      BLOCKED = l.findVarHandle(SocketCounters.class, "blocked", long.class);
      LAST_RX = l.findVarHandle(SocketCounters.class, "lastRxMillis", long.class);
      LAST_TX = l.findVarHandle(SocketCounters.class, "lastTxMillis", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LoopContext ctx;

  // Written by the loop thread only (opaque stores); read from any thread (opaque loads).
  private long rx;
  private long rxBytes;
  private long tx;
  private long txBytes;
  private long refused;
  private long rxErrors;
  private long blocked;
  private long lastRxMillis; // 0: never
  private long lastTxMillis; // 0: never

  // Loop thread only: the wall clock is read once per phase in which datagrams moved, at the
  // phase's end, not once per datagram.
  private boolean rxStampDue;
  private boolean txStampDue;
  private final Runnable stampRx = this::stampRx;
  private final Runnable stampTx = this::stampTx;
  /** The receive side of a phase, for the receive-batch event (see {@link PhaseObserver}). */
  long rxAtPhaseStart;
  long rxBytesAtPhaseStart;
  private PhaseObserver phaseObserver;

  private final Map<String, Long> sendErrors = new ConcurrentHashMap<>();

  /** Told at the end of each phase in which datagrams arrived (the receive-batch event). */
  interface PhaseObserver {
    void receivedInPhase(long datagrams, long bytes);
  }

  SocketCounters(LoopContext ctx) {
    this.ctx = ctx;
  }

  void phaseObserver(PhaseObserver o) {
    this.phaseObserver = o;
  }

  /** Loop thread: a datagram was delivered. */
  void received(int bytes) {
    RX.setOpaque(this, rx + 1);
    RX_BYTES.setOpaque(this, rxBytes + bytes);
    if (!rxStampDue) {
      rxStampDue = true;
      ctx.atPhaseEnd(stampRx);
    }
  }

  /**
   * The thread of a pull reader ({@link PulledCounts}; one at a time, and the loop then reads
   * none of the socket, so no other thread writes these): a datagram read. The wall clock is read
   * for the first datagram after the kernel ran empty and for every 64th, not for each: a reader
   * that keeps finding datagrams waiting is stamped at least every 64 of them.
   */
  void pulled(int bytes, boolean afterEmpty) {
    long n = rx + 1;
    RX.setOpaque(this, n);
    RX_BYTES.setOpaque(this, rxBytes + bytes);
    if (afterEmpty || (n & 63) == 0) {
      LAST_RX.setOpaque(this, System.currentTimeMillis());
    }
  }

  private void stampRx() {
    rxStampDue = false;
    LAST_RX.setOpaque(this, System.currentTimeMillis());
    PhaseObserver o = phaseObserver;
    if (o != null) {
      o.receivedInPhase(rx - rxAtPhaseStart, rxBytes - rxBytesAtPhaseStart);
    }
    rxAtPhaseStart = rx;
    rxBytesAtPhaseStart = rxBytes;
  }

  /** Loop thread: the kernel took {@code datagrams} datagrams of {@code bytes} bytes in all. */
  void sent(int datagrams, long bytes) {
    TX.setOpaque(this, tx + datagrams);
    TX_BYTES.setOpaque(this, txBytes + bytes);
    if (!txStampDue) {
      txStampDue = true;
      ctx.atPhaseEnd(stampTx);
    }
  }

  private void stampTx() {
    txStampDue = false;
    LAST_TX.setOpaque(this, System.currentTimeMillis());
  }

  /** Loop thread: a send was refused at the high-water mark. */
  void refused() {
    REFUSED.setOpaque(this, refused + 1);
  }

  /** Loop thread: a receive error. */
  void receiveError() {
    RX_ERRORS.setOpaque(this, rxErrors + 1);
  }

  /** Loop thread: a datagram from a source on the receive block list was dropped. */
  void blocked() {
    BLOCKED.setOpaque(this, blocked + 1);
  }

  /** Any thread: a send (or a batch) failed with {@code code}. */
  void sendError(String code) {
    sendErrors.merge(code, 1L, Long::sum);
  }

  /** Any thread. */
  SocketStats snapshot(long receiveDrops, long queueBytes, long queueCount) {
    long lastRx = (long) LAST_RX.getOpaque(this);
    long lastTx = (long) LAST_TX.getOpaque(this);
    return new SocketStats(
        (long) RX.getOpaque(this),
        (long) RX_BYTES.getOpaque(this),
        (long) TX.getOpaque(this),
        (long) TX_BYTES.getOpaque(this),
        new TreeMap<>(sendErrors),
        (long) REFUSED.getOpaque(this),
        (long) RX_ERRORS.getOpaque(this),
        (long) BLOCKED.getOpaque(this),
        receiveDrops,
        queueBytes,
        queueCount,
        lastRx == 0 ? null : Instant.ofEpochMilli(lastRx),
        lastTx == 0 ? null : Instant.ofEpochMilli(lastTx));
  }
}
