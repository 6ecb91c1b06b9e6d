package dev.jdgram.handle;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * What one transport does for one UDP socket: only what differs between ways of reaching the
 * network (libuv's {@code uv__udp_*} platform functions, minus their bookkeeping). The
 * {@link UdpHandle} holds every state machine (receiving, closing, the write queue, deferred
 * bind, the receive cap) and makes the checks libuv makes once before any platform code; a kernel
 * only talks to its kernel.
 *
 * <p>Calls that Node makes synchronous (bind, options, names) throw {@link SysError}; the hot path
 * ({@link #recv}, {@link #trySend}, {@link #trySendMany}, {@link #trySendBatch}) returns status
 * integers: a count or byte count, a negative errno, or {@link #AGAIN}. Every method runs on the
 * loop thread, except the option calls, which the socket layer serializes with its own lock and
 * may make from any thread.
 */
public interface UdpKernel {
  /** Readiness bit: datagrams (or a socket error) wait to be read. */
  int READABLE = 1;
  /** Readiness bit: the kernel's send buffer has room again. */
  int WRITABLE = 2;
  /** Readiness bit: a socket error is pending (an ICMP error, queued where it was asked for). */
  int ERROR = 4;
  /** "The kernel has no room, or nothing to read, now": not an errno. */
  int AGAIN = Integer.MIN_VALUE;
  /**
   * {@link #trySendBatch}'s answer when the kernel or the route refused a segmented (GSO) send
   * ({@code EIO}, {@code EINVAL} and kin): nothing was sent, and the same datagrams may go again
   * without segmentation. Not an errno.
   */
  int GSO_REFUSED = Integer.MIN_VALUE + 2;

  /** The handle's side of the poller: libuv's {@code uv__io_t} callback. */
  @FunctionalInterface
  interface Watcher {
    /**
     * On the loop thread: the socket is ready for {@code events} ({@link #READABLE}, {@link #WRITABLE}).
     *
     * @return true if the handle stopped reading at its per-wake-up cap, so the socket very
     *     likely holds more datagrams (a poller may then call again without asking the kernel
     *     which descriptors are ready); false once it met an empty queue, or did not read
     */
    boolean onReady(int events);
  }

  /** Where a receive puts each datagram: the handle's receive callback. */
  @FunctionalInterface
  interface RecvSink {
    /**
     * One datagram, valid until this call returns.
     *
     * @return false if the handle stopped receiving (or closed) inside the callback: deliver no
     *     more of this batch
     */
    boolean onDatagram(ByteBuffer data, InetSocketAddress from, RecvInfo info);
  }

  // ------------------------------------------------------------------ the socket

  /** @return true once the kernel socket exists (bound, explicitly or implicitly) */
  boolean hasSocket();

  /**
   * Creates the kernel socket and binds it to {@code local}, whose family the handle checked.
   *
   * @param flags {@link UdpHandle#REUSEADDR}, {@link UdpHandle#IPV6ONLY}, {@link UdpHandle#REUSEPORT},
   *     {@link UdpHandle#GRO}, {@link UdpHandle#RECVINFO}
   */
  void bind(InetSocketAddress local, int flags);

  /** {@code connect(2)}, on a socket that exists. */
  void connect(InetSocketAddress remote);

  /** {@code connect(AF_UNSPEC)}. */
  void disconnect();

  /** @return {@code getsockname} */
  InetSocketAddress localAddress();

  /** @return {@code getpeername}; ENOTCONN when not connected */
  InetSocketAddress remoteAddress();

  /**
   * Sets what the handle wants to be told about ({@link #READABLE}, {@link #WRITABLE}, or 0 for
   * nothing): libuv's {@code uv__io_start} / {@code uv__io_stop}. Called only with a socket.
   */
  void watch(int events);

  /**
   * Releases the socket (its port is free again when this returns, or, where the transport
   * holds on to the descriptor until its next poll, when {@code onReleased} runs). A kernel
   * without a socket only schedules {@code onReleased}. {@code onReleased} runs on the loop
   * thread, never inside this call.
   */
  void close(Runnable onReleased);

  // ------------------------------------------------------------------ the hot path

  /**
   * Reads up to {@code max} kernel receives, handing each datagram to {@code sink}; stops early
   * when the kernel's queue is empty or the sink says stop. A receive that the kernel coalesced
   * (GRO) counts as one and reaches the sink as its datagrams.
   *
   * @return receives read (fewer than {@code max} only when the queue is empty or the sink
   *     stopped), {@link #AGAIN} when nothing was there, or a negative errno (a socket error,
   *     which the read consumed)
   */
  int recv(RecvSink sink, int max);

  /**
   * A reader of this socket for a thread other than the loop's ({@link PullReader}), or null
   * where this kernel reads only on the loop thread (there, such a thread takes its datagrams
   * from the loop). Loop thread. Once a reader exists, {@link #recv} is not called again.
   */
  default PullReader pullReader() {
    return null;
  }

  /**
   * One datagram: the bytes of {@code data} from its position to its limit, to {@code dest}
   * (null: the connected peer; the handle checked that there is one and that the family fits).
   *
   * @param info what the datagram asks beyond that (TOS, TTL, source), or null
   * @return bytes sent, a negative errno, or {@link #AGAIN}
   */
  int trySend(ByteBuffer data, InetSocketAddress dest, SendInfo info);

  /**
   * One request's datagram, as {@link #trySend(ByteBuffer, InetSocketAddress, SendInfo)}; a
   * transport that hands the kernel an address overrides it to send from
   * {@link SendReq#address} where it is set (native memory: no copy).
   */
  default int trySend(SendReq req) {
    return trySend(req.data, req.dest, req.info);
  }

  /**
   * The most datagrams {@link #trySendMany} takes in one call; 1 for a kernel without
   * {@code sendmmsg}, whose write queue the handle then drains one {@link #trySend} at a time,
   * and whose sends the handle does not hold for the end of the phase.
   */
  default int maxSendMany() {
    return 1;
  }

  /**
   * Several queued datagrams in one system call, oldest first ({@code sendmmsg}). Only called
   * when {@link #maxSendMany()} is more than 1, with at most that many.
   *
   * @return how many of the first {@code count} requests the kernel took whole (at least 1), a
   *     negative errno for {@code reqs[0]}, or {@link #AGAIN}
   */
  default int trySendMany(SendReq[] reqs, int count) {
    throw new UnsupportedOperationException("this kernel sends one datagram at a time");
  }

  /**
   * Datagrams {@code from}.. of {@code batch} straight from its native memory, to one
   * destination: one segmented send (UDP_SEGMENT) when {@code gso} and they share a size, else a
   * {@code sendmmsg}, else one at a time. This default sends one.
   *
   * @return datagrams sent (at least 1), a negative errno for the datagram at {@code from},
   *     {@link #AGAIN}, or {@link #GSO_REFUSED}
   */
  default int trySendBatch(NativeBatch batch, int from, InetSocketAddress dest, boolean gso) {
    int r = trySend(batch.view(from), dest, batch.info(from));
    return r >= 0 ? 1 : r;
  }

  /**
   * Drains up to {@code max} entries of the socket's error queue into {@code sink}, for a socket
   * that asked for them ({@link RecvInfo#ERRORS}); also clears the pending socket error they set,
   * so that the next receive or send does not report it a second time. A kernel without an error
   * queue reports none.
   *
   * @return entries read, {@link #AGAIN} when the queue was empty, or a negative errno
   */
  default int recvErrors(ErrorSink sink, int max) {
    return AGAIN;
  }

  /**
   * Whether datagrams go out with don't-fragment set and are never fragmented (IP_MTU_DISCOVER /
   * IPV6_MTU_DISCOVER {@code PMTUDISC_DO}): one larger than the path MTU fails with EMSGSIZE.
   *
   * @throws SysError ENOTSUP where the transport cannot set it
   */
  default void setDontFragment(boolean on) {
    throw new SysError(Errno.ENOTSUP);
  }

  /**
   * @return the path MTU the kernel knows towards the connected peer (IP_MTU / IPV6_MTU)
   * @throws SysError ENOTCONN when not connected, ENOTSUP where the transport cannot tell
   */
  default int pathMtu() {
    throw new SysError(Errno.ENOTSUP);
  }

  // ------------------------------------------------------------------ options

  /** SO_BROADCAST. */
  void setBroadcast(boolean on);

  /** IP_TOS / IPV6_TCLASS for every datagram (a datagram's own {@link SendInfo} overrides it). */
  void setTOS(int tos);

  /** IP_TTL / IPV6_UNICAST_HOPS, 1..255 (checked by the handle). */
  void setTTL(int ttl);

  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS, 0..255 (checked by the handle). */
  void setMulticastTTL(int ttl);

  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. */
  void setMulticastLoopback(boolean on);

  /** IP_MULTICAST_IF / IPV6_MULTICAST_IF: the interface with this address, or named by {@code scope}. */
  void setMulticastInterface(InetAddress iface, String scope);

  /** IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP (and IPv6's), on a socket that exists. */
  void membership(InetAddress group, InetAddress iface, String scope, boolean join);

  /** IP_ADD_SOURCE_MEMBERSHIP / IP_DROP_SOURCE_MEMBERSHIP (and IPv6's), on a socket that exists. */
  void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope, boolean join);

  /** SO_RCVBUF / SO_SNDBUF: 0 reads, another value sets and then reads. @return the kernel's value */
  int bufferSize(boolean recv, int value);

  /**
   * From now on, fill these more of each datagram's {@link RecvInfo} facts
   * ({@link RecvInfo#PKTINFO}, {@link RecvInfo#TOS}, {@link RecvInfo#TTL},
   * {@link RecvInfo#TIMESTAMP}), on a socket that exists. The same facts come as bind flags
   * (shifted by {@link UdpHandle#RECV_SHIFT}) for a socket asked before it was bound.
   *
   * @throws SysError ENOTSUP for a fact this kernel cannot tell (destination and interface
   *     excepted: a kernel that cannot tell them leaves them unknown)
   */
  void wantRecvInfo(int what);

  /** @return datagrams dropped for want of receive buffer space (sk_drops), or -1 if unknown */
  default long receiveDrops() {
    return -1;
  }
}
