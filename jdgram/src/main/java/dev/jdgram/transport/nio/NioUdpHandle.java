package dev.jdgram.transport.nio;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.HandleListener;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.handle.SendReq;
import dev.jdgram.handle.SysError;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.handle.WriteQueue;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.SelectionKey;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A UDP handle over a non-blocking {@link DatagramChannel}, shaped like libuv's
 * {@code uv_udp_t}: the kernel socket is created at bind (or implicitly, as libuv does, by a
 * membership call on an unbound handle); reads take up to {@value #RECV_BATCH} datagrams per
 * wake-up into the loop's one 64 KiB buffer; sends go to the kernel at once when nothing is
 * queued, else wait on the write queue for writability.
 */
public final class NioUdpHandle implements UdpHandle, NioPoller.Watcher {
  /** libuv's cap on datagrams read per wake-up, so one busy socket cannot starve the others. */
  static final int RECV_BATCH = 32;
  /** trySend's "the kernel has no room now" answer. */
  private static final int AGAIN = WriteQueue.AGAIN;
  /** One send attempt, made once: the hot path allocates no method reference. */
  private final WriteQueue.KernelSend trySend = this::trySend;
  private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");

  private final LoopContext ctx;
  private final NioPoller poller;
  private final boolean ipv6;
  private final WriteQueue writeQueue;
  private final Map<MembershipId, MembershipKey> memberships = new HashMap<>();
  private volatile DatagramChannel ch;
  private SelectionKey key;
  private HandleListener listener;
  private boolean receiving;
  private boolean connected;
  private volatile boolean closed;
  private NetworkInterface multicastIf;
  private final RecvInfo recvInfo = new RecvInfo();
  private ByteBuffer readOnly;

  private record MembershipId(InetAddress group, NetworkInterface nif, InetAddress source) {}

  NioUdpHandle(LoopContext ctx, NioPoller poller, boolean ipv6) {
    this.ctx = ctx;
    this.poller = poller;
    this.ipv6 = ipv6;
    this.writeQueue = new WriteQueue(ctx);
  }

  @Override
  public boolean ipv6() {
    return ipv6;
  }

  @Override
  public boolean hasSocket() {
    return ch != null;
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public synchronized void bind(InetSocketAddress local, int flags) {
    checkOpen();
    if ((flags & (IPV6ONLY | GRO)) != 0) {
      throw new SysError(Errno.ENOTSUP); // java.nio has no IPV6_V6ONLY nor UDP_GRO: refuse, never ignore
    }
    if (ch != null) {
      throw new SysError(Errno.EINVAL); // the kernel socket is bound already (libuv: EINVAL)
    }
    if (!ipv6 && local.getAddress() instanceof Inet6Address) {
      throw new SysError(Errno.EINVAL);
    }
    DatagramChannel c = open();
    try {
      if ((flags & REUSEADDR) != 0) {
        c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      }
      if ((flags & REUSEPORT) != 0) {
        c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      c.bind(local);
    } catch (IOException | RuntimeException e) {
      closeQuietly(c);
      throw new SysError(NioErrors.errno(e), e);
    }
    ch = c;
  }

  private DatagramChannel open() {
    try {
      DatagramChannel c = DatagramChannel.open(ipv6 ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
      c.configureBlocking(false);
      return c;
    } catch (IOException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  /** libuv's {@code uv__udp_maybe_deferred_bind}: membership on an unbound handle binds it. */
  private DatagramChannel socketForOption(boolean bindIfNeeded) {
    DatagramChannel c = ch;
    if (c != null) {
      return c;
    }
    if (!bindIfNeeded) {
      throw new SysError(Errno.EBADF);
    }
    bind(new InetSocketAddress(wildcard(), 0), REUSEADDR);
    return ch;
  }

  private InetAddress wildcard() {
    try {
      return InetAddress.getByAddress(new byte[ipv6 ? 16 : 4]);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public synchronized void connect(InetSocketAddress remote) {
    DatagramChannel c = socketForOption(false);
    if (!ipv6 && remote.getAddress() instanceof Inet6Address) {
      throw new SysError(Errno.EINVAL);
    }
    try {
      c.connect(remote);
      connected = true;
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public synchronized void disconnect() {
    DatagramChannel c = socketForOption(false);
    try {
      c.disconnect();
      connected = false;
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    DatagramChannel c = socketForOption(false);
    try {
      SocketAddress a = c.getLocalAddress();
      if (a == null) {
        throw new SysError(Errno.EBADF);
      }
      return (InetSocketAddress) a;
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public InetSocketAddress remoteAddress() {
    DatagramChannel c = socketForOption(false);
    try {
      SocketAddress a = c.getRemoteAddress();
      if (a == null) {
        throw new SysError(Errno.ENOTCONN);
      }
      return (InetSocketAddress) a;
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public synchronized void close(Runnable onClosed) {
    if (closed) {
      ctx.nextTick(onClosed);
      return;
    }
    closed = true;
    receiving = false;
    listener = null;
    // Every queued request learns its fate: ECANCELED, as libuv's uv__udp_finish_close does.
    writeQueue.cancelAll();
    memberships.clear();
    DatagramChannel c = ch;
    if (c != null) {
      closeQuietly(c);
    }
    if (key != null) {
      // A channel registered with a selector keeps its descriptor until the selector
      // deregisters it in its next select: report the close only after that.
      key.cancel();
      key = null;
      poller.afterNextPoll(onClosed);
    } else {
      ctx.nextTick(onClosed);
    }
  }

  private static void closeQuietly(DatagramChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // the descriptor is released whatever close reports
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new SysError(Errno.EBADF);
    }
  }

  // ------------------------------------------------------------------ poller registration

  private void updateInterest() {
    DatagramChannel c = ch;
    if (closed || c == null) {
      return;
    }
    int ops = (receiving ? SelectionKey.OP_READ : 0) | (writeQueue.isEmpty() ? 0 : SelectionKey.OP_WRITE);
    try {
      if (key == null) {
        if (ops == 0) {
          return;
        }
        key = c.register(poller.selector, ops, this);
      } else if (key.interestOps() != ops) {
        key.interestOps(ops);
      }
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public void onReady(int readyOps) {
    if ((readyOps & SelectionKey.OP_WRITE) != 0) {
      drainWriteQueue();
    }
    if ((readyOps & SelectionKey.OP_READ) != 0) {
      readBatch();
    }
  }

  // ------------------------------------------------------------------ receive

  @Override
  public void recvStart(HandleListener l) {
    checkOpen();
    listener = Objects.requireNonNull(l);
    receiving = true;
    updateInterest();
  }

  @Override
  public void recvStop() {
    receiving = false;
    updateInterest();
  }

  /** libuv's {@code uv__udp_recvmsg}: at most {@value #RECV_BATCH} datagrams, then yield. */
  private void readBatch() {
    ByteBuffer buf = ctx.recvBuffer();
    DatagramChannel c = ch;
    for (int i = 0; i < RECV_BATCH && receiving && !closed; i++) {
      buf.clear();
      SocketAddress from;
      try {
        from = c.receive(buf);
      } catch (IOException | RuntimeException e) {
        if (closed) {
          return;
        }
        int err = NioErrors.errno(e);
        listener.onRecvError(err);
        continue; // the error was consumed from the socket's queue; read on
      }
      if (from == null) {
        return; // EAGAIN: nothing more now
      }
      buf.flip();
      if (readOnly == null) {
        readOnly = buf.asReadOnlyBuffer(); // one view of the loop's buffer: listeners only read
      }
      readOnly.limit(buf.limit()).position(0);
      listener.onRecv(readOnly, (InetSocketAddress) from, recvInfo); // java.nio cannot tell more
    }
  }

  // ------------------------------------------------------------------ send

  @Override
  public void send(SendReq req) {
    if (writeQueue.sendOrQueue(req, closed, trySend)) {
      updateInterest();
    }
  }

  /** @return bytes sent, a negative errno, or {@link #AGAIN} */
  private int trySend(SendReq req) {
    DatagramChannel c = ch;
    if (c == null) {
      return Errno.EBADF;
    }
    ByteBuffer data = req.data;
    int pos = data.position();
    try {
      int n;
      if (req.dest == null) {
        if (!connected) {
          return Errno.EDESTADDRREQ;
        }
        if (req.size == 0) {
          // java.nio makes no system call for an empty buffer on a connected channel (write
          // and send alike): the datagram would vanish while reporting success. Refuse it.
          return Errno.ENOTSUP;
        }
        n = c.write(data);
      } else {
        if (!ipv6 && req.dest.getAddress() instanceof Inet6Address) {
          return Errno.EINVAL;
        }
        n = c.send(data, req.dest);
      }
      if (n == 0 && req.size > 0) {
        data.position(pos);
        return AGAIN;
      }
      return n;
    } catch (IOException | RuntimeException e) {
      data.position(pos);
      return NioErrors.errno(e);
    }
  }

  private void drainWriteQueue() {
    while (!closed) {
      writeQueue.dropCancelledHead(); // the rest of a batch that stopped at a failed datagram
      SendReq r = writeQueue.peek();
      if (r == null) {
        break;
      }
      int status = trySend(r);
      if (status == AGAIN) {
        break;
      }
      writeQueue.dequeue();
      writeQueue.completeLater(r, status);
    }
    updateInterest();
    if (writeQueue.isEmpty() && listener != null) {
      listener.onWriteQueueDrained();
    }
  }

  @Override
  public int sendQueueSize() {
    return writeQueue.bytes();
  }

  @Override
  public int sendQueueCount() {
    return writeQueue.count();
  }

  // ------------------------------------------------------------------ options

  @Override
  public void setBroadcast(boolean on) {
    setOption(StandardSocketOptions.SO_BROADCAST, on);
  }

  @Override
  public void setTTL(int ttl) {
    if (ttl < 1 || ttl > 255) {
      throw new SysError(Errno.EINVAL);
    }
    socketForOption(false);
    throw new SysError(Errno.ENOTSUP); // java.nio has no IP_TTL; the linux transport does
  }

  @Override
  public void setMulticastTTL(int ttl) {
    if (ttl < 0 || ttl > 255) {
      throw new SysError(Errno.EINVAL);
    }
    setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
  }

  @Override
  public void setMulticastLoopback(boolean on) {
    setOption(StandardSocketOptions.IP_MULTICAST_LOOP, on);
  }

  @Override
  public synchronized void setMulticastInterface(InetAddress iface, String scope) {
    DatagramChannel c = socketForOption(false);
    NetworkInterface nif;
    if (iface == null || iface.isAnyLocalAddress()) {
      nif = scope == null ? null : interfaceByScope(scope);
      if (nif == null) {
        // java.nio cannot reset IP_MULTICAST_IF to "any"; refuse rather than pretend.
        throw new SysError(Errno.ENOTSUP); // an unknown scope means "any" too, as in libuv
      }
    } else {
      nif = interfaceOf(iface, Errno.EADDRNOTAVAIL);
    }
    try {
      c.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
      multicastIf = nif;
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public synchronized void membership(InetAddress group, InetAddress iface, String scope, boolean join) {
    changeMembership(null, group, iface, scope, join);
  }

  @Override
  public synchronized void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope,
      boolean join) {
    changeMembership(source, group, iface, scope, join);
  }

  private void changeMembership(InetAddress source, InetAddress group, InetAddress iface, String scope, boolean join) {
    checkOpen();
    if (!group.isMulticastAddress() || (source != null && source.isMulticastAddress())) {
      throw new SysError(Errno.EINVAL);
    }
    if (!ipv6 && (group instanceof Inet6Address || source instanceof Inet6Address)) {
      throw new SysError(Errno.EINVAL);
    }
    DatagramChannel c = socketForOption(true);
    NetworkInterface scoped = scope != null && iface instanceof Inet6Address ? interfaceByScope(scope)
        : iface instanceof Inet6Address a6 ? a6.getScopedInterface() : null;
    NetworkInterface nif = scoped != null ? scoped // "::%eth1": the scope names the interface
        : iface == null || iface.isAnyLocalAddress() ? defaultMulticastInterface() : interfaceOf(iface, Errno.ENODEV);
    MembershipId id = new MembershipId(group, nif, source);
    MembershipKey existing = memberships.get(id);
    if (existing != null && !existing.isValid()) {
      memberships.remove(id);
      existing = null;
    }
    if (!join) {
      if (existing == null) {
        // the kernel's answers for a group never joined: any-source EADDRNOTAVAIL, SSM EINVAL
        throw new SysError(source == null ? Errno.EADDRNOTAVAIL : Errno.EINVAL);
      }
      existing.drop();
      memberships.remove(id);
      return;
    }
    if (existing != null) {
      // the kernel's answers for a second join: any-source EADDRINUSE, SSM EADDRNOTAVAIL
      throw new SysError(source == null ? Errno.EADDRINUSE : Errno.EADDRNOTAVAIL);
    }
    try {
      MembershipKey k = source == null ? c.join(group, nif) : c.join(group, nif, source);
      memberships.put(id, k);
    } catch (IllegalStateException e) {
      // java.nio refuses to mix any-source and source-specific joins of one group
      throw new SysError(Errno.EINVAL, e);
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  /**
   * java.nio needs an interface where the kernel would choose one by route: take the one set
   * with setMulticastInterface, else the first multicast-capable interface that is up and not
   * loopback, else loopback.
   */
  private NetworkInterface defaultMulticastInterface() {
    if (multicastIf != null) {
      return multicastIf;
    }
    try {
      NetworkInterface loopback = null;
      Enumeration<NetworkInterface> all = NetworkInterface.getNetworkInterfaces();
      while (all != null && all.hasMoreElements()) {
        NetworkInterface n = all.nextElement();
        if (!n.isUp()) {
          continue;
        }
        if (n.isLoopback()) {
          loopback = n;
        } else if (n.supportsMulticast() && hasFamily(n)) {
          return n;
        }
      }
      if (loopback != null) {
        return loopback;
      }
    } catch (SocketException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
    throw new SysError(Errno.ENODEV);
  }

  private boolean hasFamily(NetworkInterface n) {
    return n.inetAddresses().anyMatch(a -> ipv6 ? a instanceof Inet6Address : a instanceof Inet4Address);
  }

  private static NetworkInterface interfaceOf(InetAddress addr, int errnoIfNone) {
    try {
      NetworkInterface n = NetworkInterface.getByInetAddress(addr);
      if (n == null && addr instanceof Inet6Address a6 && a6.getScopedInterface() != null) {
        n = a6.getScopedInterface();
      }
      if (n == null) {
        throw new SysError(errnoIfNone);
      }
      return n;
    } catch (SocketException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  private static NetworkInterface interfaceByScope(String scope) {
    try {
      NetworkInterface n = NetworkInterface.getByName(scope);
      if (n == null && scope.chars().allMatch(Character::isDigit)) {
        n = NetworkInterface.getByIndex(Integer.parseInt(scope));
      }
      return n;
    } catch (SocketException | NumberFormatException e) {
      return null;
    }
  }

  @Override
  public int bufferSize(boolean recv, int value) {
    DatagramChannel c = socketForOption(false);
    try {
      var opt = recv ? StandardSocketOptions.SO_RCVBUF : StandardSocketOptions.SO_SNDBUF;
      if (value != 0) {
        c.setOption(opt, value);
      }
      // The kernel doubles what is set and reports the doubled value (libuv and Node show it);
      // the JDK halves it back on Linux, so undo that to report what the kernel holds.
      int v = c.getOption(opt);
      return LINUX ? v * 2 : v;
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  private <T> void setOption(java.net.SocketOption<T> option, T value) {
    DatagramChannel c = socketForOption(false);
    try {
      c.setOption(option, value);
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }
}
