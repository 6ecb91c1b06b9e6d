package dev.jdgram.transport.nio;

import dev.jdgram.handle.Errno;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.handle.SendInfo;
import dev.jdgram.handle.SysError;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.handle.UdpKernel;
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

/**
 * A UDP socket as java.nio reaches it, a non-blocking {@link DatagramChannel}, under the one
 * {@link UdpHandle}: reads into the loop's one 64 KiB buffer, one datagram per
 * {@code receive}; sends one datagram per {@code send}. What java.nio cannot reach (unicast TTL,
 * IPV6_V6ONLY, UDP_GRO, resetting the multicast interface) fails with ENOTSUP, never silently.
 */
public final class NioUdpKernel implements UdpKernel, NioPoller.Watcher {
  private static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");

  private final LoopContext ctx;
  private final NioPoller poller;
  private final boolean ipv6;
  private final UdpKernel.Watcher watcher;
  /** java.nio cannot tell a datagram's destination or interface: always unknown. */
  private final RecvInfo recvInfo = new RecvInfo();

  // Mutable state. ch: written under the handle's monitor (bind, close), read by option calls
  // from any thread, hence volatile. memberships and multicastIf: under the handle's monitor.
  // key and readOnly: loop thread only.
  private volatile DatagramChannel ch;
  private final Map<MembershipId, MembershipKey> memberships = new HashMap<>();
  private NetworkInterface multicastIf;
  private SelectionKey key;
  private ByteBuffer readOnly;
  /** An error a receive met after it had read datagrams: told by the next receive. */
  private int pendingErrno;

  private record MembershipId(InetAddress group, NetworkInterface nif, InetAddress source) {}

  NioUdpKernel(LoopContext ctx, boolean ipv6, UdpKernel.Watcher watcher) {
    this.ctx = ctx;
    this.poller = (NioPoller) ctx.poller();
    this.ipv6 = ipv6;
    this.watcher = watcher;
  }

  @Override
  public boolean hasSocket() {
    return ch != null;
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public void bind(InetSocketAddress local, int flags) {
    if ((flags & (UdpHandle.IPV6ONLY | UdpHandle.GRO)) != 0) {
      throw new SysError(Errno.ENOTSUP); // java.nio has no IPV6_V6ONLY nor UDP_GRO: refuse, never ignore
    }
    checkRecvInfo(flags >>> UdpHandle.RECV_SHIFT);
    DatagramChannel c = open();
    try {
      if ((flags & UdpHandle.REUSEADDR) != 0) {
        c.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      }
      if ((flags & UdpHandle.REUSEPORT) != 0) {
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

  @Override
  public void connect(InetSocketAddress remote) {
    try {
      ch.connect(remote);
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public void disconnect() {
    try {
      ch.disconnect();
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    DatagramChannel c = ch;
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
    DatagramChannel c = ch;
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
  public void close(Runnable onReleased) {
    memberships.clear();
    DatagramChannel c = ch;
    ch = null;
    if (c != null) {
      closeQuietly(c);
    }
    if (key != null) {
      // A channel registered with a selector keeps its descriptor until the selector
      // deregisters it in its next select: report the release only after that.
      key.cancel();
      key = null;
      poller.afterNextPoll(onReleased);
    } else {
      ctx.nextTick(onReleased);
    }
  }

  private static void closeQuietly(DatagramChannel c) {
    try {
      c.close();
    } catch (IOException e) {
      // the descriptor is released whatever close reports
    }
  }

  /**
   * java.nio hands over a datagram and its sender, nothing more: a socket that asks for the TOS
   * byte, the TTL, the receive time or the error queue is refused, never answered with unknowns.
   * (Destination and interface stay unknown, as documented for this transport.)
   */
  private static void checkRecvInfo(int what) {
    if ((what & (RecvInfo.TOS | RecvInfo.TTL | RecvInfo.TIMESTAMP | RecvInfo.ERRORS)) != 0) {
      throw new SysError(Errno.ENOTSUP);
    }
  }

  @Override
  public void wantRecvInfo(int what) {
    checkRecvInfo(what);
  }

  // ------------------------------------------------------------------ poller registration

  @Override
  public void watch(int events) {
    int ops = ((events & READABLE) != 0 ? SelectionKey.OP_READ : 0) | ((events & WRITABLE) != 0 ? SelectionKey.OP_WRITE : 0);
    try {
      if (key == null) {
        if (ops == 0) {
          return;
        }
        key = ch.register(poller.selector, ops, this);
      } else {
        key.interestOps(ops);
      }
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }

  @Override
  public void onReady(int readyOps) {
    watcher.onReady(((readyOps & SelectionKey.OP_READ) != 0 ? READABLE : 0)
        | ((readyOps & SelectionKey.OP_WRITE) != 0 ? WRITABLE : 0));
  }

  // ------------------------------------------------------------------ receive

  /** One {@code receive} per datagram into the loop's buffer, until {@code max} or none is there. */
  @Override
  public int recv(RecvSink sink, int max) {
    if (pendingErrno != 0) {
      int e = pendingErrno;
      pendingErrno = 0;
      return e;
    }
    ByteBuffer buf = ctx.recvBuffer();
    DatagramChannel c = ch;
    for (int i = 0; i < max; i++) {
      buf.clear();
      SocketAddress from;
      try {
        from = c.receive(buf);
      } catch (IOException | RuntimeException e) {
        // Reading consumed the error (sk_err): keep it for the next receive if this one has
        // datagrams to report first.
        int err = NioErrors.errno(e);
        if (i == 0) {
          return err;
        }
        pendingErrno = err;
        return i;
      }
      if (from == null) {
        return i > 0 ? i : AGAIN; // nothing more now
      }
      buf.flip();
      if (readOnly == null) {
        readOnly = buf.asReadOnlyBuffer(); // one view of the loop's buffer: listeners only read
      }
      readOnly.limit(buf.limit()).position(0);
      if (!sink.onDatagram(readOnly, (InetSocketAddress) from, recvInfo)) {
        return i + 1;
      }
    }
    return max;
  }

  // ------------------------------------------------------------------ send

  /** @return bytes sent, a negative errno, or {@link #AGAIN} */
  @Override
  public int trySend(ByteBuffer data, InetSocketAddress dest, SendInfo info) {
    if (info != null) {
      return Errno.ENOTSUP; // java.nio sends no control messages: per-datagram TOS, TTL, source
    }
    DatagramChannel c = ch;
    int pos = data.position();
    int size = data.remaining();
    try {
      int n;
      if (dest == null) {
        if (size == 0) {
          // java.nio makes no system call for an empty buffer on a connected channel (write
          // and send alike): the datagram would vanish while reporting success. Refuse it.
          return Errno.ENOTSUP;
        }
        n = c.write(data);
      } else {
        n = c.send(data, dest);
      }
      if (n == 0 && size > 0) {
        data.position(pos);
        return AGAIN;
      }
      return n;
    } catch (IOException | RuntimeException e) {
      data.position(pos);
      return NioErrors.errno(e);
    }
  }

  // ------------------------------------------------------------------ options

  @Override
  public void setBroadcast(boolean on) {
    setOption(StandardSocketOptions.SO_BROADCAST, on);
  }

  /** java.nio's one per-socket TOS: IP_TOS (the JDK sets IPV6_TCLASS too on an IPv6 channel). */
  @Override
  public void setTOS(int tos) {
    setOption(StandardSocketOptions.IP_TOS, tos);
  }

  @Override
  public void setTTL(int ttl) {
    throw new SysError(Errno.ENOTSUP); // java.nio has no IP_TTL; the linux transport does
  }

  @Override
  public void setMulticastTTL(int ttl) {
    setOption(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
  }

  @Override
  public void setMulticastLoopback(boolean on) {
    setOption(StandardSocketOptions.IP_MULTICAST_LOOP, on);
  }

  @Override
  public void setMulticastInterface(InetAddress iface, String scope) {
    DatagramChannel c = ch;
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
  public void membership(InetAddress group, InetAddress iface, String scope, boolean join) {
    changeMembership(null, group, iface, scope, join);
  }

  @Override
  public void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope,
      boolean join) {
    changeMembership(source, group, iface, scope, join);
  }

  private void changeMembership(InetAddress source, InetAddress group, InetAddress iface, String scope, boolean join) {
    DatagramChannel c = ch;
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
    DatagramChannel c = ch;
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
    DatagramChannel c = ch;
    try {
      c.setOption(option, value);
    } catch (IOException | RuntimeException e) {
      throw new SysError(NioErrors.errno(e), e);
    }
  }
}
