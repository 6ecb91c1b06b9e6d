package dev.jdgram.compat;

import dev.jdgram.AddressInfo;
import dev.jdgram.Datagram;
import dev.jdgram.Dgram;
import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import dev.jdgram.SocketOptions;
import dev.jdgram.handle.Errno;
import dev.jdgram.handle.PullReader;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.handle.UdpKernel;
import dev.jdgram.loop.EventLoop;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link java.net.DatagramSocket} whose socket is a jdgram {@link DgramSocket}: code written
 * against java.net (a library that takes a socket or a socket factory) runs on jdgram's event loop
 * and transports, the linux transport's or the simulated network's, unchanged.
 *
 * <p>Every public method of {@code DatagramSocket} behaves as the JDK's own: the same checks,
 * the same exceptions and messages, a blocking {@link #receive} that truncates to the packet's
 * buffer, {@code SO_TIMEOUT}, {@link #close} waking a blocked receive, and
 * {@link java.net.PortUnreachableException} on a connected socket after an ICMP error. What
 * differs on purpose is listed in docs/compat.md: chiefly, a socket's family is that of the
 * address it binds to ({@code new JdgramDatagramSocket()} binds {@code 0.0.0.0} and reaches IPv4
 * peers; bind {@code ::} for both families), and options set before bind reach the kernel at
 * bind.
 *
 * <p>How it works: where the transport lets another thread read the socket (linux),
 * {@code receive} reads the kernel on the caller's thread, as the JDK's socket does, a batch of
 * datagrams per system call ({@link PullReceiver}); when the kernel has nothing, the loop tells
 * it when there is more. Elsewhere (nio, the simulated network) the loop receives each datagram
 * and copies it into a queue bounded in bytes by the socket's receive buffer size, and
 * {@code receive} takes from it; a datagram that finds the queue full is dropped and counted
 * ({@link #droppedCount}), as the kernel drops what finds its buffer full. A send, connect or
 * bind hands the work to the loop and waits for its result.
 * Waiting uses {@code java.util.concurrent} locks, so a virtual thread waits without holding its
 * carrier. The jdgram socket is created when this one is bound (explicitly, or implicitly by
 * {@code send}, {@code connect}, {@code receive} or {@code joinGroup}, as the JDK does): before
 * that there is none, and no descriptor. The JDK's own implementation is never created.
 *
 * <p>The blocking methods ({@code bind}, {@code connect}, {@code send}, {@code receive},
 * {@code joinGroup}) must not be called on the socket's event-loop thread (from a jdgram
 * listener or callback): they would wait for the loop they block, so they throw
 * {@link IllegalStateException} there.
 */
public class JdgramDatagramSocket extends DatagramSocket {
  /** The largest UDP payloads: 65535 minus the IP (20 bytes for IPv4) and UDP (8) headers. */
  private static final int MAX_PAYLOAD_V4 = 65_507;
  private static final int MAX_PAYLOAD_V6 = 65_527;
  /** The queue's bound when the receive buffer size cannot be read. */
  private static final int DEFAULT_QUEUE_BYTES = 212_992;

  private static final Set<SocketOption<?>> OPTIONS = Set.of(
      StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF,
      StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_REUSEPORT,
      StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_MULTICAST_IF,
      StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP,
      StandardSocketOptions.IP_TOS);

  private final EventLoop loop;
  /** The caller's options (loop, look-up, block lists, simulated host); the type is chosen at bind. */
  private final SocketOptions baseOptions;
  /** True when the caller's options fix the family; else the bind address chooses it. */
  private final boolean familyFixed;
  /** How datagrams reach {@link #receive} where the transport reads only on the loop thread. */
  private final ReceiveQueue queue;
  /**
   * How they reach it where the transport lets the caller's thread read the kernel (linux):
   * set once, on the loop thread, when the bind completes; null until then and elsewhere.
   */
  private volatile PullReceiver pull;
  /** Shared: a packet may be received into by several sockets in turn. */
  private static final PacketLengths PACKET_LENGTHS = new PacketLengths();

  /**
   * Guards the socket's life cycle: bind, connect, disconnect, close and option changes, and the
   * fields below. Held while waiting for the loop to bind or connect (never on the loop thread,
   * which would wait for itself); never held by send or receive, which read the volatile fields.
   */
  private final ReentrantLock stateLock = new ReentrantLock();
  private volatile DgramSocket dgram; // null until bound
  private volatile boolean ipv6; // the jdgram socket's family, once bound
  private volatile boolean closed;
  private volatile InetSocketAddress peer; // null: not connected
  private volatile InetSocketAddress local; // null: not bound
  private volatile int soTimeout;
  private CompletableFuture<Void> pendingBind; // completed by the loop: listening, or the error
  private final PendingOptions pending = new PendingOptions();

  // Loop thread only: the last sender, so that a flow's address is parsed once.
  private String lastSenderText;
  private InetAddress lastSender;

  /**
   * As {@code new DatagramSocket()}: bound to the wildcard address (IPv4: {@code 0.0.0.0}) and a
   * port the kernel chooses.
   *
   * @throws SocketException if the socket could not be bound
   */
  public JdgramDatagramSocket() throws SocketException {
    this(null, new InetSocketAddress(0), true);
  }

  /**
   * @param port the local port, 0 for one the kernel chooses
   * @throws SocketException if the socket could not be bound
   * @throws IllegalArgumentException if the port is out of range
   */
  public JdgramDatagramSocket(int port) throws SocketException {
    this(port, null);
  }

  /**
   * @param port the local port, 0 for one the kernel chooses
   * @param laddr the local address; null for the wildcard address
   * @throws SocketException if the socket could not be bound
   * @throws IllegalArgumentException if the port is out of range
   */
  public JdgramDatagramSocket(int port, InetAddress laddr) throws SocketException {
    this(null, new InetSocketAddress(laddr, port), true);
  }

  /**
   * @param bindaddr the local address and port; null for an unbound socket
   * @throws SocketException if the socket could not be bound
   */
  public JdgramDatagramSocket(SocketAddress bindaddr) throws SocketException {
    this(null, bindaddr, bindaddr != null);
  }

  /**
   * A socket on jdgram with jdgram's options: the loop ({@link SocketOptions#loop}, by default
   * the default loop), a simulated host, a look-up, block lists, and the type, which then fixes
   * the family ({@code udp6} sockets reach IPv4 peers through IPv4-mapped addresses).
   *
   * @param options jdgram's options
   * @param bindaddr the local address and port; null for an unbound socket
   * @throws SocketException if the socket could not be bound
   */
  public JdgramDatagramSocket(SocketOptions options, SocketAddress bindaddr) throws SocketException {
    this(Objects.requireNonNull(options, "options"), bindaddr, bindaddr != null);
  }

  private JdgramDatagramSocket(SocketOptions options, SocketAddress bindaddr, boolean bind)
      throws SocketException {
    super(new InertDatagramSocketImpl());
    this.familyFixed = options != null;
    this.baseOptions = (options != null ? options : SocketOptions.of("udp4")).packetInfo(false);
    this.loop = baseOptions.loop() != null ? baseOptions.loop() : EventLoop.getDefault();
    this.queue = new ReceiveQueue(DEFAULT_QUEUE_BYTES, loop::setImmediate);
    if (options != null) {
      pending.reuseAddr = options.reuseAddr();
      pending.reusePort = options.reusePort();
      pending.recvBufferSize = options.recvBufferSize();
      pending.sendBufferSize = options.sendBufferSize();
    }
    if (bind) {
      try {
        bind(bindaddr);
      } catch (SocketException | RuntimeException e) {
        close();
        throw e;
      }
    }
  }

  /**
   * @return the jdgram socket underneath, or null while this socket is unbound (it is created
   *     by the bind)
   */
  public DgramSocket dgramSocket() {
    return dgram;
  }

  /**
   * @return the datagrams that arrived while the queue between the loop and {@link #receive}
   *     was full (its bound is the receive buffer size, {@code SO_RCVBUF}), and were dropped; 0
   *     where {@code receive} reads the kernel itself (linux), which has no such queue
   */
  public long droppedCount() {
    return queue.dropped();
  }

  /**
   * Every datagram lost on its way to {@link #receive}: those the kernel dropped because the
   * socket's buffer was full (where the transport can tell: {@link DgramSocket#getRecvDropCount})
   * and those this socket's queue dropped ({@link #droppedCount}).
   *
   * @return the count since bind
   */
  public long getRecvDropCount() {
    long kernel = 0;
    DgramSocket s = dgram;
    if (s != null && !closed) {
      try {
        kernel = s.getRecvDropCount();
      } catch (DgramException e) {
        kernel = 0; // ENOTSUP (nio) or closed meanwhile: only the queue's count is known
      }
    }
    return kernel + queue.dropped();
  }

  // ================================================================== bind, connect

  @Override
  public void bind(SocketAddress addr) throws SocketException {
    if (addr == null) {
      addr = new InetSocketAddress(0);
    }
    if (!(addr instanceof InetSocketAddress isa)) {
      throw new UnsupportedAddressTypeException();
    }
    stateLock.lock();
    try {
      if (closed) {
        throw new SocketException("Socket is closed");
      }
      if (dgram != null) {
        throw new SocketException("Already bound");
      }
      if (isa.isUnresolved()) {
        throw new SocketException("Unresolved address");
      }
      bindLocked(isa.getAddress(), isa.getPort());
    } finally {
      stateLock.unlock();
    }
  }

  /** Binds a socket that is not bound yet to the wildcard address of {@code forPeer}'s family. */
  private void bindImplicitly(InetAddress forPeer) throws SocketException {
    stateLock.lock();
    try {
      if (closed) {
        throw new SocketException("Socket closed");
      }
      if (dgram == null) {
        boolean v6 = forPeer instanceof Inet6Address;
        bindLocked(anyLocal(v6), 0);
      }
    } finally {
      stateLock.unlock();
    }
  }

  private void bindLocked(InetAddress address, int port) throws SocketException {
    checkNotOnLoop();
    boolean v6;
    if (familyFixed) {
      v6 = "udp6".equals(baseOptions.type());
    } else {
      v6 = address instanceof Inet6Address;
    }
    String text = addressText(address, v6);
    if (text == null) {
      throw new SocketException("Protocol family unavailable");
    }
    SocketOptions opts = baseOptions.type(v6 ? "udp6" : "udp4")
        .reuseAddr(pending.reuseAddr).reusePort(pending.reusePort)
        .recvBufferSize(pending.recvBufferSize).sendBufferSize(pending.sendBufferSize);
    DgramSocket s;
    try {
      s = Dgram.createSocket(opts);
    } catch (DgramException e) {
      throw JdkErrors.other(e);
    }
    CompletableFuture<Void> listening = new CompletableFuture<>();
    pendingBind = listening;
    s.onDatagram(this::onDatagram);
    s.onError(this::onError);
    // A loop closed under a bind ends the socket without listening or error: the bind learns
    // it here rather than wait for ever. (Sends and connects get their callbacks on close.)
    // Likewise a receive waiting on a socket whose loop was closed is woken ("Socket closed").
    s.onClose(() -> {
      listening.completeExceptionally(new DgramException("ERR_SOCKET_DGRAM_NOT_RUNNING", "Not running"));
      if (dgram == s) {
        closed = true;
        wakeReceivers();
      }
    });
    try {
      s.bind(port, text, () -> {
        // still the turn of the loop that bound it: the loop has read nothing of it yet. A receive
        // block list is applied by the socket's receiver on the loop: with one, the loop reads.
        UdpHandle h = opts.receiveBlockList() == null ? UdpHandle.Access.of(s) : null;
        PullReader r = h == null ? null : UdpHandle.Access.reader(s); // counted in s.stats()
        if (r != null) {
          pull = new PullReceiver(r, h, loop);
        }
        listening.complete(null);
      });
    } catch (DgramException e) {
      pendingBind = null;
      s.close();
      throw JdkErrors.bind(e);
    }
    try {
      await(listening);
    } catch (DgramException e) {
      pendingBind = null;
      s.close();
      throw JdkErrors.bind(e);
    }
    pendingBind = null;
    try {
      // The JDK enables SO_BROADCAST on every new DatagramSocket; the multicast options set
      // before bind reach the kernel now, when there is a socket for them.
      s.setBroadcast(pending.broadcast);
      if (pending.multicastTtl != 1) {
        s.setMulticastTTL(pending.multicastTtl);
      }
      if (!pending.multicastLoop) {
        s.setMulticastLoopback(false);
      }
      if (pending.multicastIf != null) {
        s.setMulticastInterface(interfaceText(pending.multicastIf, v6));
      }
      if (pending.tos != 0) {
        s.setTOS(pending.tos); // IP_TOS, and IPV6_TCLASS too on a udp6 socket
      }
      queue.capacity(s.getRecvBufferSize());
    } catch (DgramException e) {
      s.close();
      throw JdkErrors.other(e);
    }
    this.ipv6 = v6;
    this.dgram = s;
    refreshLocal();
  }

  @Override
  public void connect(InetAddress address, int port) {
    if (address == null) {
      throw new IllegalArgumentException("Address can't be null");
    }
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("port out of range:" + port);
    }
    try {
      connect(new InetSocketAddress(address, port));
    } catch (SocketException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void connect(SocketAddress addr) throws SocketException {
    if (addr == null) {
      throw new IllegalArgumentException("Address can't be null");
    }
    if (!(addr instanceof InetSocketAddress isa)) {
      throw new IllegalArgumentException("Unsupported address type");
    }
    if (isa.isUnresolved()) {
      throw new SocketException("Unresolved address");
    }
    if (isa.getPort() == 0) {
      throw new SocketException("Can't connect to port 0");
    }
    if (closed) {
      return; // the JDK's DatagramSocket ignores a connect once closed
    }
    checkNotOnLoop();
    if (dgram == null) {
      bindImplicitly(isa.getAddress());
    }
    stateLock.lock();
    try {
      DgramSocket s = dgram;
      if (closed || s == null) {
        return;
      }
      String text = addressText(isa.getAddress(), ipv6);
      if (text == null) {
        throw new SocketException("Protocol family unavailable");
      }
      try {
        if (peer != null) {
          s.disconnect(); // the JDK connects a connected socket elsewhere; jdgram asks for this first
          peer = null;
        }
        CompletableFuture<Void> connected = new CompletableFuture<>();
        s.connect(isa.getPort(), text, err -> {
          if (err == null) {
            // From here the kernel hands over only the peer's datagrams; what came from
            // others before is flushed, as the JDK flushes the socket's buffer on connect.
            queue.clear();
            connected.complete(null);
          } else {
            connected.completeExceptionally(err);
          }
        });
        await(connected);
      } catch (DgramException e) {
        throw JdkErrors.io(e, false);
      }
      PullReceiver pr = pull;
      if (pr != null) {
        pr.flush(); // as the queue's clear() above, for what the kernel holds
      }
      queue.clearError();
      peer = new InetSocketAddress(isa.getAddress(), isa.getPort());
      refreshLocal();
    } finally {
      stateLock.unlock();
    }
  }

  @Override
  public void disconnect() {
    stateLock.lock();
    try {
      DgramSocket s = dgram;
      if (closed || s == null || peer == null) {
        return;
      }
      try {
        s.disconnect();
      } catch (DgramException e) {
        throw new java.io.UncheckedIOException(JdkErrors.other(e));
      }
      peer = null;
      queue.clearError();
      refreshLocal();
    } finally {
      stateLock.unlock();
    }
  }

  @Override
  public boolean isBound() {
    return local != null;
  }

  @Override
  public boolean isConnected() {
    return !closed && peer != null;
  }

  @Override
  public InetAddress getInetAddress() {
    InetSocketAddress p = closed ? null : peer;
    return p == null ? null : p.getAddress();
  }

  @Override
  public int getPort() {
    InetSocketAddress p = closed ? null : peer;
    return p == null ? -1 : p.getPort();
  }

  @Override
  public SocketAddress getRemoteSocketAddress() {
    return closed ? null : peer;
  }

  @Override
  public SocketAddress getLocalSocketAddress() {
    return closed ? null : local;
  }

  @Override
  public InetAddress getLocalAddress() {
    if (closed) {
      return null;
    }
    InetSocketAddress l = local;
    return l == null ? new InetSocketAddress(0).getAddress() : l.getAddress();
  }

  @Override
  public int getLocalPort() {
    if (closed) {
      return -1;
    }
    InetSocketAddress l = local;
    return l == null ? 0 : l.getPort();
  }

  // ================================================================== send, receive

  @Override
  public void send(DatagramPacket p) throws IOException {
    Objects.requireNonNull(p, "p");
    byte[] data;
    int offset;
    int length;
    InetAddress to;
    int port;
    InetSocketAddress connectedTo = peer;
    synchronized (p) { // as the JDK: a packet's fields are read as one (no blocking inside)
      data = p.getData();
      offset = p.getOffset();
      length = p.getLength();
      to = p.getAddress();
      port = p.getPort();
      if (to == null) {
        if (connectedTo == null) {
          throw new IllegalArgumentException("Address not set");
        }
        p.setAddress(connectedTo.getAddress()); // the JDK fills in the peer
        p.setPort(connectedTo.getPort());
        to = connectedTo.getAddress();
        port = connectedTo.getPort();
      } else if (connectedTo != null
          && (port != connectedTo.getPort() || !to.equals(connectedTo.getAddress()))) {
        throw new IllegalArgumentException("Connected and packet address differ");
      }
    }
    if (connectedTo == null && port == 0) {
      throw new SocketException("Can't send to port 0");
    }
    if (closed) {
      throw new SocketException("Socket closed");
    }
    checkNotOnLoop();
    if (length > (to instanceof Inet4Address ? MAX_PAYLOAD_V4 : MAX_PAYLOAD_V6)) {
      throw new SocketException("Message too long"); // what the kernel answers (EMSGSIZE)
    }
    if (dgram == null) {
      bindImplicitly(to);
    }
    DgramSocket s = dgram;
    boolean toPeer = connectedTo != null;
    String text = toPeer ? null : addressText(to, ipv6);
    if (!toPeer && text == null) {
      throw new SocketException("Protocol family unavailable");
    }
    CompletableFuture<Void> sent = new CompletableFuture<>();
    try {
      if (toPeer) {
        s.send(data, offset, length, (err, n) -> completeSend(sent, err));
      } else {
        s.send(data, offset, length, port, text, (err, n) -> completeSend(sent, err));
      }
      await(sent);
    } catch (DgramException e) {
      if (closed) {
        throw new SocketException("Socket closed");
      }
      throw JdkErrors.io(e, toPeer);
    }
  }

  private static void completeSend(CompletableFuture<Void> sent, DgramException err) {
    if (err == null) {
      sent.complete(null);
    } else {
      sent.completeExceptionally(err);
    }
  }

  @Override
  public void receive(DatagramPacket p) throws IOException {
    Objects.requireNonNull(p, "p");
    if (closed) {
      throw new SocketException("Socket closed");
    }
    checkNotOnLoop();
    if (dgram == null) {
      bindImplicitly(anyLocal(false)); // the JDK binds an unbound socket to receive
    }
    PullReceiver pr = pull;
    if (pr != null) {
      pullReceive(pr, p);
      return;
    }
    boolean interrupted = false;
    try {
      while (true) {
        ReceiveQueue.Entry e;
        try {
          e = queue.take(soTimeout);
        } catch (InterruptedIOException ie) {
          interrupted = afterInterrupt(ie);
          continue;
        }
        InetSocketAddress connectedTo = peer;
        if (connectedTo != null && (e.port() != connectedTo.getPort()
            || !e.address().equals(connectedTo.getAddress()))) {
          continue; // queued before the connect took effect: not for this connection
        }
        synchronized (p) {
          int capacity = PACKET_LENGTHS.capacity(p);
          int n = Math.min(e.data().length, capacity);
          System.arraycopy(e.data(), 0, p.getData(), p.getOffset(), n);
          p.setLength(n);
          PACKET_LENGTHS.received(p, capacity, n);
          p.setAddress(e.address());
          p.setPort(e.port());
        }
        return;
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * {@link #receive} where this thread reads the kernel itself: into the packet's own buffer,
   * truncated to it as the JDK truncates; waiting, when the kernel has nothing, for the loop to
   * say it is readable. The interrupt, timeout and close rules are those of the queue's path.
   */
  private void pullReceive(PullReceiver pr, DatagramPacket p) throws IOException {
    int timeout = soTimeout;
    long deadline = timeout == 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          pr.lockReader(timeout);
          try {
            while (true) {
              if (pullOne(pr, p)) {
                return;
              }
              pr.awaitReadable(deadline);
            }
          } finally {
            pr.unlockReader();
          }
        } catch (InterruptedIOException ie) {
          interrupted = afterInterrupt(ie);
          timeout = remainingMillis(deadline);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * A receive's wait ended by {@code ie}: a timeout is thrown as it is; an interrupt closes the
   * socket on a virtual thread, as the JDK's does, and is remembered on a platform thread, whose
   * receive is not interruptible.
   *
   * @return true: the caller keeps waiting and sets the thread's interrupt status at the end
   */
  private boolean afterInterrupt(InterruptedIOException ie) throws IOException {
    if (ie instanceof java.net.SocketTimeoutException) {
      throw ie;
    }
    if (Thread.currentThread().isVirtual()) {
      close();
      throw new SocketException("Closed by interrupt");
    }
    return true;
  }

  /** @return SO_TIMEOUT's milliseconds left until {@code deadline} (at least 1), or 0 for no deadline */
  private static int remainingMillis(long deadline) throws java.net.SocketTimeoutException {
    if (deadline == 0) {
      return 0;
    }
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      throw new java.net.SocketTimeoutException("Receive timed out");
    }
    return (int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left));
  }

  /**
   * One read into {@code p}, the reader's turn held.
   *
   * @return true if {@code p} holds a datagram; false if the kernel has none now
   */
  private boolean pullOne(PullReceiver pr, DatagramPacket p) throws IOException {
    while (true) {
      synchronized (p) {
        int capacity = PACKET_LENGTHS.capacity(p);
        int n = pr.read(p.getData(), p.getOffset(), capacity);
        if (n == UdpKernel.AGAIN) {
          return false;
        }
        InetSocketAddress connectedTo = peer;
        if (n < 0) {
          DgramException e = new DgramException(Errno.name(n), "recvmsg " + Errno.name(n));
          if (connectedTo == null && "ECONNREFUSED".equals(e.code())) {
            continue; // an unconnected JDK socket ignores ICMP errors, as the queue's path does
          }
          throw JdkErrors.io(e, connectedTo != null);
        }
        InetSocketAddress from = pr.sender();
        if (connectedTo != null && (from.getPort() != connectedTo.getPort()
            || !from.getAddress().equals(connectedTo.getAddress()))) {
          continue; // queued before the connect took effect: not for this connection
        }
        int got = Math.min(n, capacity);
        p.setLength(got);
        PACKET_LENGTHS.received(p, capacity, got);
        p.setAddress(from.getAddress());
        p.setPort(from.getPort());
        return true;
      }
    }
  }

  /** Loop thread: a datagram for {@link #receive}. */
  private void onDatagram(Datagram d) {
    String text = d.address();
    InetAddress from;
    if (text == lastSenderText) { // the socket hands back the same text for the same sender
      from = lastSender;
    } else {
      from = literal(text);
      lastSenderText = text;
      lastSender = from;
    }
    byte[] copy = new byte[d.size()];
    java.nio.ByteBuffer data = d.data();
    data.get(data.position(), copy); // an absolute get: no view object per datagram
    queue.offer(copy, from, d.port());
  }

  /** Loop thread: the socket's {@code error} event. */
  private void onError(DgramException e) {
    CompletableFuture<Void> bind = pendingBind;
    if (bind != null && !bind.isDone()) {
      bind.completeExceptionally(e);
      return;
    }
    if ("ECONNREFUSED".equals(e.code())) {
      if (peer != null) {
        // an ICMP port unreachable for a connected socket: its next receive reports it
        queue.fail(JdkErrors.io(e, true));
      }
      return; // an unconnected JDK socket ignores ICMP errors, as the kernel does
    }
    queue.fail(JdkErrors.io(e, peer != null));
  }

  // ================================================================== close

  @Override
  public void close() {
    DgramSocket s;
    stateLock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      s = dgram;
    } finally {
      stateLock.unlock();
    }
    wakeReceivers();
    if (s != null) {
      try {
        s.close();
      } catch (DgramException e) {
        // closed already (its loop was closed): nothing left to release
      }
    }
  }

  /** Once closed: every waiting receive, on either receive path, reports "Socket closed". */
  private void wakeReceivers() {
    queue.close();
    PullReceiver pr = pull;
    if (pr != null) {
      pr.close();
    }
  }

  @Override
  public boolean isClosed() {
    return closed;
  }

  /** @return null: there is no channel; jdgram's socket is {@link #dgramSocket()} */
  @Override
  public DatagramChannel getChannel() {
    return null;
  }

  // ================================================================== options

  @Override
  public Set<SocketOption<?>> supportedOptions() {
    return OPTIONS;
  }

  @Override
  public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
    Objects.requireNonNull(name);
    if (!OPTIONS.contains(name)) {
      throw new UnsupportedOperationException("'" + name + "' not supported");
    }
    if (!name.type().isInstance(value)) {
      throw new IllegalArgumentException("Invalid value '" + value + "'");
    }
    stateLock.lock();
    try {
      if (closed) {
        throw new ClosedChannelException();
      }
      applyOption(name, value);
    } finally {
      stateLock.unlock();
    }
    return this;
  }

  private void applyOption(SocketOption<?> name, Object value) throws SocketException {
    DgramSocket s = dgram;
    try {
      if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
        int size = (Integer) value;
        if (size < 0) {
          throw new IllegalArgumentException("Invalid send/receive buffer size");
        }
        boolean recv = name == StandardSocketOptions.SO_RCVBUF;
        if (s == null) {
          if (recv) {
            pending.recvBufferSize = size;
          } else {
            pending.sendBufferSize = size;
          }
        } else if (recv) {
          s.setRecvBufferSize(size);
          queue.capacity(s.getRecvBufferSize());
        } else {
          s.setSendBufferSize(size);
        }
      } else if (name == StandardSocketOptions.SO_REUSEADDR) {
        pending.reuseAddr = (Boolean) value; // jdgram sets it at bind; afterwards it changes nothing
      } else if (name == StandardSocketOptions.SO_REUSEPORT) {
        pending.reusePort = (Boolean) value;
      } else if (name == StandardSocketOptions.SO_BROADCAST) {
        if (s != null) {
          s.setBroadcast((Boolean) value);
        }
        pending.broadcast = (Boolean) value;
      } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
        int ttl = (Integer) value;
        if (ttl < 0 || ttl > 255) {
          throw new IllegalArgumentException("Invalid TTL/hop value");
        }
        if (s != null) {
          s.setMulticastTTL(ttl);
        }
        pending.multicastTtl = ttl;
      } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
        if (s != null) {
          s.setMulticastLoopback((Boolean) value);
        }
        pending.multicastLoop = (Boolean) value;
      } else if (name == StandardSocketOptions.IP_MULTICAST_IF) {
        NetworkInterface nif = (NetworkInterface) value;
        if (s != null) {
          String text = interfaceText(nif, ipv6);
          if (text == null) {
            throw new SocketException("Network interface not configured for IPv4");
          }
          s.setMulticastInterface(text);
        }
        pending.multicastIf = nif;
      } else if (name == StandardSocketOptions.IP_TOS) {
        int tos = (Integer) value;
        if (tos < 0 || tos > 255) {
          throw new IllegalArgumentException("Invalid IP_TOS value");
        }
        if (s != null) {
          s.setTOS(tos);
        }
        pending.tos = tos;
      }
    } catch (DgramException e) {
      throw JdkErrors.other(e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> T getOption(SocketOption<T> name) throws IOException {
    Objects.requireNonNull(name);
    if (!OPTIONS.contains(name)) {
      throw new UnsupportedOperationException("'" + name + "' not supported");
    }
    stateLock.lock();
    try {
      if (closed) {
        throw new ClosedChannelException();
      }
      return (T) readOption(name);
    } finally {
      stateLock.unlock();
    }
  }

  private Object readOption(SocketOption<?> name) throws SocketException {
    DgramSocket s = dgram;
    try {
      if (name == StandardSocketOptions.SO_RCVBUF) {
        return s != null ? s.getRecvBufferSize() : unboundBufferSize(pending.recvBufferSize, "rmem_default");
      } else if (name == StandardSocketOptions.SO_SNDBUF) {
        return s != null ? s.getSendBufferSize() : unboundBufferSize(pending.sendBufferSize, "wmem_default");
      } else if (name == StandardSocketOptions.SO_REUSEADDR) {
        return pending.reuseAddr;
      } else if (name == StandardSocketOptions.SO_REUSEPORT) {
        return pending.reusePort;
      } else if (name == StandardSocketOptions.SO_BROADCAST) {
        return pending.broadcast;
      } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
        return pending.multicastTtl;
      } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
        return pending.multicastLoop;
      } else if (name == StandardSocketOptions.IP_TOS) {
        return pending.tos;
      } else {
        return pending.multicastIf;
      }
    } catch (DgramException e) {
      throw JdkErrors.other(e);
    }
  }

  /**
   * A buffer size asked of a socket that does not exist yet: what was set for it, else the size
   * Linux gives a new socket ({@code /proc/sys/net/core/rmem_default} or {@code wmem_default}).
   */
  private static int unboundBufferSize(int set, String sysctl) {
    if (set > 0) {
      return set;
    }
    // (read as a stream: a /proc file reports size 0, which Files.readString trusts)
    try (java.io.InputStream in = Files.newInputStream(Path.of("/proc/sys/net/core", sysctl))) {
      byte[] text = in.readAllBytes();
      return Integer.parseInt(new String(text, java.nio.charset.StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException | SecurityException e) {
      return DEFAULT_QUEUE_BYTES;
    }
  }

  @Override
  public void setSoTimeout(int timeout) throws SocketException {
    if (timeout < 0) {
      throw new IllegalArgumentException("timeout < 0");
    }
    ensureOpen();
    soTimeout = timeout;
  }

  @Override
  public int getSoTimeout() throws SocketException {
    ensureOpen();
    return soTimeout;
  }

  @Override
  public void setSendBufferSize(int size) throws SocketException {
    if (size <= 0) {
      throw new IllegalArgumentException("Invalid send size");
    }
    legacySet(StandardSocketOptions.SO_SNDBUF, size);
  }

  @Override
  public int getSendBufferSize() throws SocketException {
    return legacyGet(StandardSocketOptions.SO_SNDBUF);
  }

  @Override
  public void setReceiveBufferSize(int size) throws SocketException {
    if (size <= 0) {
      throw new IllegalArgumentException("Invalid receive size");
    }
    legacySet(StandardSocketOptions.SO_RCVBUF, size);
  }

  @Override
  public int getReceiveBufferSize() throws SocketException {
    return legacyGet(StandardSocketOptions.SO_RCVBUF);
  }

  @Override
  public void setReuseAddress(boolean on) throws SocketException {
    legacySet(StandardSocketOptions.SO_REUSEADDR, on);
  }

  @Override
  public boolean getReuseAddress() throws SocketException {
    return legacyGet(StandardSocketOptions.SO_REUSEADDR);
  }

  @Override
  public void setBroadcast(boolean on) throws SocketException {
    legacySet(StandardSocketOptions.SO_BROADCAST, on);
  }

  @Override
  public boolean getBroadcast() throws SocketException {
    return legacyGet(StandardSocketOptions.SO_BROADCAST);
  }

  /**
   * IP_TOS (and IPV6_TCLASS on a socket bound to an IPv6 address): the TOS byte, ECN bits
   * included, of every datagram this socket sends.
   *
   * @param tc 0 to 255
   * @throws SocketException if the socket is closed
   * @throws IllegalArgumentException if {@code tc} is out of range
   */
  @Override
  public void setTrafficClass(int tc) throws SocketException {
    legacySet(StandardSocketOptions.IP_TOS, tc);
  }

  /** @return the class last set, 0 if none (the kernel's default) */
  @Override
  public int getTrafficClass() throws SocketException {
    return legacyGet(StandardSocketOptions.IP_TOS);
  }

  private <T> void legacySet(SocketOption<T> name, T value) throws SocketException {
    stateLock.lock();
    try {
      ensureOpen();
      applyOption(name, value);
    } finally {
      stateLock.unlock();
    }
  }

  @SuppressWarnings("unchecked")
  private <T> T legacyGet(SocketOption<T> name) throws SocketException {
    stateLock.lock();
    try {
      ensureOpen();
      return (T) readOption(name);
    } finally {
      stateLock.unlock();
    }
  }

  // ================================================================== multicast

  @Override
  public void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
    membership(mcastaddr, netIf, true);
  }

  @Override
  public void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
    membership(mcastaddr, netIf, false);
  }

  private void membership(SocketAddress mcastaddr, NetworkInterface netIf, boolean join) throws IOException {
    if (!(mcastaddr instanceof InetSocketAddress isa)) {
      throw new IllegalArgumentException("Unsupported address type");
    }
    InetAddress group = isa.getAddress();
    if (group == null) {
      throw new IllegalArgumentException("Unresolved address");
    }
    if (!group.isMulticastAddress()) {
      throw new SocketException("Not a multicast address");
    }
    if (closed) {
      throw new SocketException("Socket is closed");
    }
    if (dgram == null) {
      bindImplicitly(group); // jdgram joins on a bound socket; the JDK's exists before bind
    }
    stateLock.lock();
    try {
      ensureOpen();
      NetworkInterface nif = netIf != null ? netIf : pending.multicastIf;
      String iface = null;
      if (nif != null) {
        iface = interfaceText(nif, ipv6);
        if (iface == null) {
          throw new SocketException("Network interface not configured for IPv4");
        }
      }
      String groupText = addressText(group, ipv6);
      try {
        if (join) {
          dgram.addMembership(groupText, iface);
        } else {
          dgram.dropMembership(groupText, iface);
        }
      } catch (DgramException e) {
        if (join && "EADDRINUSE".equals(e.code())) {
          throw new SocketException("Already a member of group");
        }
        if (!join && "EADDRNOTAVAIL".equals(e.code())) {
          throw new SocketException("Not a member of group");
        }
        throw JdkErrors.other(e);
      }
    } finally {
      stateLock.unlock();
    }
  }

  // ================================================================== helpers

  private void ensureOpen() throws SocketException {
    if (closed) {
      throw new SocketException("Socket is closed");
    }
  }

  private void checkNotOnLoop() {
    if (loop.inLoop()) {
      throw new IllegalStateException(
          "a blocking DatagramSocket call on its own event-loop thread would wait for itself");
    }
  }

  private void refreshLocal() {
    try {
      AddressInfo a = dgram.address();
      local = new InetSocketAddress(literal(a.address()), a.port());
    } catch (DgramException e) {
      local = null;
    }
  }

  /** Waits for the loop, uninterruptibly (it answers at once); a failure comes back as it was. */
  private static <T> T await(CompletableFuture<T> f) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (e.getCause() instanceof DgramException de) {
            throw de;
          }
          throw new IllegalStateException(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static InetAddress anyLocal(boolean v6) {
    return v6 ? literal("::") : literal("0.0.0.0");
  }

  /** An IP literal as an address, without any look-up (an IPv4-mapped one as IPv4, as the JDK). */
  private static InetAddress literal(String text) {
    try {
      return InetAddress.ofLiteral(text);
    } catch (IllegalArgumentException e) {
      try {
        return InetAddress.getByName(text); // a scoped IPv6 literal (fe80::1%eth0): still no look-up
      } catch (IOException io) {
        throw new IllegalArgumentException(text, io);
      }
    }
  }

  /**
   * @return {@code a} as jdgram's socket of that family takes it: IPv4 on an IPv6 socket as an
   *     IPv4-mapped address; null for IPv6 on an IPv4 socket
   */
  private static String addressText(InetAddress a, boolean v6Socket) {
    if (a instanceof Inet4Address) {
      if (!v6Socket) {
        return a.getHostAddress();
      }
      return a.isAnyLocalAddress() ? "::" : "::ffff:" + a.getHostAddress();
    }
    if (!v6Socket) {
      return null;
    }
    Inet6Address a6 = (Inet6Address) a;
    String text = a6.getHostAddress();
    int pct = text.indexOf('%');
    if (pct >= 0 && a6.getScopedInterface() != null) {
      text = text.substring(0, pct) + "%" + a6.getScopedInterface().getName();
    }
    return text;
  }

  /** @return the interface as jdgram's multicast calls take it, or null if it has no IPv4 address */
  private static String interfaceText(NetworkInterface nif, boolean v6Socket) {
    if (v6Socket) {
      return "::%" + nif.getName();
    }
    Enumeration<InetAddress> addrs = nif.getInetAddresses();
    while (addrs.hasMoreElements()) {
      InetAddress a = addrs.nextElement();
      if (a instanceof Inet4Address) {
        return a.getHostAddress();
      }
    }
    return null;
  }

  /** The options the socket keeps for itself: applied at bind, or remembered for the getters. */
  private static final class PendingOptions {
    boolean reuseAddr;
    boolean reusePort;
    int recvBufferSize;
    int sendBufferSize;
    boolean broadcast = true; // the JDK's default for a DatagramSocket
    int multicastTtl = 1;
    boolean multicastLoop = true;
    NetworkInterface multicastIf;
    /**
     * IP_TOS as last set: what the kernel reads back too (Linux keeps a UDP socket's whole byte,
     * ECN bits included, for IP_TOS and IPV6_TCLASS alike), and jdgram can set it, not read it.
     */
    int tos;
  }
}
