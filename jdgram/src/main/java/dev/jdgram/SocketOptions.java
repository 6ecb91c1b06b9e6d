package dev.jdgram;

import dev.jdgram.loop.EventLoop;

/**
 * The options of {@link Dgram#createSocket(SocketOptions)}, immutable: each setter returns a new
 * instance. Node's {@code dgram.createSocket({type, reuseAddr, ...})}.
 */
public final class SocketOptions {
  final String type;
  final boolean reuseAddr;
  final boolean reusePort;
  final boolean ipv6Only;
  final int recvBufferSize; // 0: leave the kernel's default
  final int sendBufferSize;
  final Lookup lookup;
  final BlockList receiveBlockList;
  final BlockList sendBlockList;
  final EventLoop loop;
  final int sendQueueHighWaterMark;
  final boolean udpGro;
  final NetworkHost host;
  final boolean packetInfo;

  /** The default bound on bytes queued for the kernel per socket: 4 MiB. */
  public static final int DEFAULT_SEND_QUEUE_HIGH_WATER_MARK = 4 * 1024 * 1024;

  private SocketOptions(SocketOptions o, int sendQueueHighWaterMark, boolean udpGro) {
    this(o.type, o.reuseAddr, o.reusePort, o.ipv6Only, o.recvBufferSize, o.sendBufferSize, o.lookup,
        o.receiveBlockList, o.sendBlockList, o.loop, sendQueueHighWaterMark, udpGro, o.host, o.packetInfo);
  }

  private SocketOptions(SocketOptions o, NetworkHost host) {
    this(o.type, o.reuseAddr, o.reusePort, o.ipv6Only, o.recvBufferSize, o.sendBufferSize, o.lookup,
        o.receiveBlockList, o.sendBlockList, o.loop, o.sendQueueHighWaterMark, o.udpGro, host, o.packetInfo);
  }

  private SocketOptions(String type, boolean reuseAddr, boolean reusePort, boolean ipv6Only,
      int recvBufferSize, int sendBufferSize, Lookup lookup, BlockList receiveBlockList,
      BlockList sendBlockList, EventLoop loop) {
    this(type, reuseAddr, reusePort, ipv6Only, recvBufferSize, sendBufferSize, lookup,
        receiveBlockList, sendBlockList, loop, DEFAULT_SEND_QUEUE_HIGH_WATER_MARK, false, null, true);
  }

  private SocketOptions(String type, boolean reuseAddr, boolean reusePort, boolean ipv6Only,
      int recvBufferSize, int sendBufferSize, Lookup lookup, BlockList receiveBlockList,
      BlockList sendBlockList, EventLoop loop, int sendQueueHighWaterMark, boolean udpGro,
      NetworkHost host, boolean packetInfo) {
    this.type = type;
    this.reuseAddr = reuseAddr;
    this.reusePort = reusePort;
    this.ipv6Only = ipv6Only;
    this.recvBufferSize = recvBufferSize;
    this.sendBufferSize = sendBufferSize;
    this.lookup = lookup;
    this.receiveBlockList = receiveBlockList;
    this.sendBlockList = sendBlockList;
    this.loop = loop;
    this.sendQueueHighWaterMark = sendQueueHighWaterMark;
    this.udpGro = udpGro;
    this.host = host;
    this.packetInfo = packetInfo;
  }

  /**
   * @param type {@code "udp4"} or {@code "udp6"} (checked by {@code createSocket})
   * @return default options of that type
   */
  public static SocketOptions of(String type) {
    return new SocketOptions(type, false, false, false, 0, 0, null, null, null, null);
  }

  /**
   * @param on SO_REUSEADDR at bind
   * @return a copy with that setting
   */
  public SocketOptions reuseAddr(boolean on) {
    return new SocketOptions(type, on, reusePort, ipv6Only, recvBufferSize, sendBufferSize, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * @param on SO_REUSEPORT at bind: several sockets (on several loops) share one port and the
   *     kernel spreads datagrams over them
   * @return a copy with that setting
   */
  public SocketOptions reusePort(boolean on) {
    return new SocketOptions(type, reuseAddr, on, ipv6Only, recvBufferSize, sendBufferSize, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * @param on IPV6_V6ONLY at bind, for {@code udp6} (the nio transport answers ENOTSUP)
   * @return a copy with that setting
   */
  public SocketOptions ipv6Only(boolean on) {
    return new SocketOptions(type, reuseAddr, reusePort, on, recvBufferSize, sendBufferSize, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * @param size SO_RCVBUF, applied when the socket starts listening; 0 keeps the default
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} for a negative size
   */
  public SocketOptions recvBufferSize(int size) {
    checkSize("options.recvBufferSize", size);
    return new SocketOptions(type, reuseAddr, reusePort, ipv6Only, size, sendBufferSize, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * @param size SO_SNDBUF, applied when the socket starts listening; 0 keeps the default
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} for a negative size
   */
  public SocketOptions sendBufferSize(int size) {
    checkSize("options.sendBufferSize", size);
    return new SocketOptions(type, reuseAddr, reusePort, ipv6Only, recvBufferSize, size, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * @param lookup how host names are resolved; null for the default, which resolves off the
   *     loop thread through the JDK's resolver
   * @return a copy with that setting
   */
  public SocketOptions lookup(Lookup lookup) {
    return new SocketOptions(type, reuseAddr, reusePort, ipv6Only, recvBufferSize, sendBufferSize, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * @param list datagrams from these addresses are dropped on arrival
   * @return a copy with that setting
   */
  public SocketOptions receiveBlockList(BlockList list) {
    return new SocketOptions(type, reuseAddr, reusePort, ipv6Only, recvBufferSize, sendBufferSize, lookup, list, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * @param list sends and connects to these addresses fail with {@code ERR_IP_BLOCKED}
   * @return a copy with that setting
   */
  public SocketOptions sendBlockList(BlockList list) {
    return new SocketOptions(type, reuseAddr, reusePort, ipv6Only, recvBufferSize, sendBufferSize, lookup, receiveBlockList, list, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * @param loop the loop the socket lives on; null for {@link EventLoop#getDefault()}
   * @return a copy with that setting
   */
  public SocketOptions loop(EventLoop loop) {
    return new SocketOptions(type, reuseAddr, reusePort, ipv6Only, recvBufferSize, sendBufferSize, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /**
   * Bounds the bytes a socket keeps queued for the kernel (when the kernel's send buffer is
   * full). A send that would pass the mark fails at once with {@code ENOBUFS} through its
   * callback, and {@code drain} is emitted once the queue has emptied again.
   *
   * @param bytes the mark, at least 1; the default is {@link #DEFAULT_SEND_QUEUE_HIGH_WATER_MARK}
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} for a mark below 1
   */
  public SocketOptions sendQueueHighWaterMark(int bytes) {
    if (bytes < 1) {
      throw Errors.outOfRange("options.sendQueueHighWaterMark", ">= 1 && <= 2147483647", bytes);
    }
    return new SocketOptions(this, bytes, udpGro);
  }

  /**
   * UDP_GRO at bind (linux transport): the kernel may hand several datagrams of one flow over
   * in one receive; jdgram splits them back, so listeners still see one datagram per call. The
   * nio transport answers ENOTSUP.
   *
   * @param on whether to ask for GRO
   * @return a copy with that setting
   */
  public SocketOptions udpGro(boolean on) {
    return new SocketOptions(this, sendQueueHighWaterMark, on);
  }

  /**
   * Whether an {@link DgramSocket#onDatagram} listener's datagrams tell their destination address
   * and arrival interface ({@link Datagram#localAddress()}, {@link Datagram#interfaceIndex()}):
   * on the linux transport the kernel then attaches IP_PKTINFO to every datagram, which costs a
   * receiver about 8% of its rate at 64 bytes (docs/performance.md). On by default; turn it off
   * for a zero-copy receiver that does not need them (they then answer null and -1).
   * {@link DgramSocket#onMessage} listeners never pay for it.
   *
   * @param on whether to ask for each datagram's destination and interface
   * @return a copy with that setting
   */
  public SocketOptions packetInfo(boolean on) {
    return new SocketOptions(type, reuseAddr, reusePort, ipv6Only, recvBufferSize, sendBufferSize, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, on);
  }

  /**
   * Places the socket on a host of a simulated network instead of this machine. The socket must
   * then live on that network's loop ({@link #loop}).
   *
   * @param host the host, or null for this machine
   * @return a copy with that setting
   */
  public SocketOptions host(NetworkHost host) {
    return new SocketOptions(this, host);
  }

  /** @return the socket type */
  public String type() {
    return type;
  }

  // ---------------------------------------------------------------- for adapters
  // An adapter such as dev.jdgram.compat.JdgramDatagramSocket learns a socket's family only at
  // bind (from the address), and keeps the caller's other settings: it needs a copy of another
  // type and to read back what the caller asked for.

  /**
   * @param type {@code "udp4"} or {@code "udp6"} (checked by {@code createSocket})
   * @return a copy of that type, every other setting kept
   */
  public SocketOptions type(String type) {
    return new SocketOptions(type, reuseAddr, reusePort, ipv6Only, recvBufferSize, sendBufferSize, lookup, receiveBlockList, sendBlockList, loop, sendQueueHighWaterMark, udpGro, host, packetInfo);
  }

  /** @return whether SO_REUSEADDR is set at bind */
  public boolean reuseAddr() {
    return reuseAddr;
  }

  /** @return whether SO_REUSEPORT is set at bind */
  public boolean reusePort() {
    return reusePort;
  }

  /** @return SO_RCVBUF applied at bind, 0 for the default */
  public int recvBufferSize() {
    return recvBufferSize;
  }

  /** @return SO_SNDBUF applied at bind, 0 for the default */
  public int sendBufferSize() {
    return sendBufferSize;
  }

  /** @return the loop, or null for {@link EventLoop#getDefault()} */
  public EventLoop loop() {
    return loop;
  }

  private static void checkSize(String name, int size) {
    if (size < 0) {
      throw Errors.outOfRange(name, ">= 0 && <= 4294967295", size);
    }
  }
}
