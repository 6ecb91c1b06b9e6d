package dev.jdgram;

import dev.jdgram.handle.RecvInfo;
import dev.jdgram.loop.EventLoop;

/**
 * The options of {@link Dgram#createSocket(SocketOptions)}, immutable: each setter returns a new
 * instance. Node's {@code dgram.createSocket({type, reuseAddr, ...})}.
 */
public final class SocketOptions {
  /** The default bound on bytes queued for the kernel per socket: 4 MiB. */
  public static final int DEFAULT_SEND_QUEUE_HIGH_WATER_MARK = 4 * 1024 * 1024;

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
  /** What each datagram carries up beyond its sender and destination (RecvInfo's TOS, TTL, TIMESTAMP bits). */
  final int recvMeta;

  /**
   * The settings while a copy is made: every setter copies them, changes one, and freezes the
   * result into a new instance (whose fields are final, so it is safely shared between threads).
   */
  private static final class Settings {
    String type;
    boolean reuseAddr;
    boolean reusePort;
    boolean ipv6Only;
    int recvBufferSize;
    int sendBufferSize;
    Lookup lookup;
    BlockList receiveBlockList;
    BlockList sendBlockList;
    EventLoop loop;
    int sendQueueHighWaterMark = DEFAULT_SEND_QUEUE_HIGH_WATER_MARK;
    boolean udpGro;
    NetworkHost host;
    boolean packetInfo = true;
    int recvMeta;
  }

  private SocketOptions(Settings s) {
    this.type = s.type;
    this.reuseAddr = s.reuseAddr;
    this.reusePort = s.reusePort;
    this.ipv6Only = s.ipv6Only;
    this.recvBufferSize = s.recvBufferSize;
    this.sendBufferSize = s.sendBufferSize;
    this.lookup = s.lookup;
    this.receiveBlockList = s.receiveBlockList;
    this.sendBlockList = s.sendBlockList;
    this.loop = s.loop;
    this.sendQueueHighWaterMark = s.sendQueueHighWaterMark;
    this.udpGro = s.udpGro;
    this.host = s.host;
    this.packetInfo = s.packetInfo;
    this.recvMeta = s.recvMeta;
  }

  /** @return a copy of these options with {@code change} made */
  private SocketOptions with(java.util.function.Consumer<Settings> change) {
    Settings s = new Settings();
    s.type = type;
    s.reuseAddr = reuseAddr;
    s.reusePort = reusePort;
    s.ipv6Only = ipv6Only;
    s.recvBufferSize = recvBufferSize;
    s.sendBufferSize = sendBufferSize;
    s.lookup = lookup;
    s.receiveBlockList = receiveBlockList;
    s.sendBlockList = sendBlockList;
    s.loop = loop;
    s.sendQueueHighWaterMark = sendQueueHighWaterMark;
    s.udpGro = udpGro;
    s.host = host;
    s.packetInfo = packetInfo;
    s.recvMeta = recvMeta;
    change.accept(s);
    return new SocketOptions(s);
  }

  /**
   * @param type {@code "udp4"} or {@code "udp6"} (checked by {@code createSocket})
   * @return default options of that type
   */
  public static SocketOptions of(String type) {
    Settings s = new Settings();
    s.type = type;
    return new SocketOptions(s);
  }

  /**
   * @param on SO_REUSEADDR at bind
   * @return a copy with that setting
   */
  public SocketOptions reuseAddr(boolean on) {
    return with(s -> s.reuseAddr = on);
  }

  /**
   * @param on SO_REUSEPORT at bind: several sockets (on several loops) share one port and the
   *     kernel spreads datagrams over them
   * @return a copy with that setting
   */
  public SocketOptions reusePort(boolean on) {
    return with(s -> s.reusePort = on);
  }

  /**
   * @param on IPV6_V6ONLY at bind, for {@code udp6} (the nio transport answers ENOTSUP)
   * @return a copy with that setting
   */
  public SocketOptions ipv6Only(boolean on) {
    return with(s -> s.ipv6Only = on);
  }

  /**
   * @param size SO_RCVBUF, applied when the socket starts listening; 0 keeps the default
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} for a negative size
   */
  public SocketOptions recvBufferSize(int size) {
    checkSize("options.recvBufferSize", size);
    return with(s -> s.recvBufferSize = size);
  }

  /**
   * @param size SO_SNDBUF, applied when the socket starts listening; 0 keeps the default
   * @return a copy with that setting
   * @throws DgramException {@code ERR_OUT_OF_RANGE} for a negative size
   */
  public SocketOptions sendBufferSize(int size) {
    checkSize("options.sendBufferSize", size);
    return with(s -> s.sendBufferSize = size);
  }

  /**
   * @param lookup how host names are resolved; null for the default, which resolves off the
   *     loop thread through the JDK's resolver
   * @return a copy with that setting
   */
  public SocketOptions lookup(Lookup lookup) {
    return with(s -> s.lookup = lookup);
  }

  /**
   * @param list datagrams from these addresses are dropped on arrival
   * @return a copy with that setting
   */
  public SocketOptions receiveBlockList(BlockList list) {
    return with(s -> s.receiveBlockList = list);
  }

  /**
   * @param list sends and connects to these addresses fail with {@code ERR_IP_BLOCKED}
   * @return a copy with that setting
   */
  public SocketOptions sendBlockList(BlockList list) {
    return with(s -> s.sendBlockList = list);
  }

  /**
   * @param loop the loop the socket lives on; null for {@link EventLoop#getDefault()}
   * @return a copy with that setting
   */
  public SocketOptions loop(EventLoop loop) {
    return with(s -> s.loop = loop);
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
    return with(s -> s.sendQueueHighWaterMark = bytes);
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
    return with(s -> s.udpGro = on);
  }

  /**
   * Whether an {@link DgramSocket#onDatagram} listener's datagrams tell their destination address
   * and arrival interface ({@link Datagram#localAddress()}, {@link Datagram#interfaceIndex()}):
   * on the linux transport the kernel then attaches IP_PKTINFO to every datagram, which costs a
   * receiver about 8% of its rate at 64 bytes (docs/performance.md). On by default; turn it off
   * for a zero-copy receiver that does not need them (they then answer null and -1).
   * {@link DgramSocket#onMessage} listeners never pay for it, unless the socket asks for other
   * facts of each datagram ({@link #recvTtl}, {@link #recvTos}, {@link #recvTimestamp}), which
   * bring the destination and interface along ({@link DgramSocket#currentDatagram()}).
   *
   * @param on whether to ask for each datagram's destination and interface
   * @return a copy with that setting
   */
  public SocketOptions packetInfo(boolean on) {
    return with(s -> s.packetInfo = on);
  }

  /**
   * Whether each datagram tells its TOS byte (IPv4) or traffic class (IPv6) as it arrived, whose
   * low two bits are its ECN codepoint ({@link Datagram#tos()}, {@link Datagram#ecn()}): IP_RECVTOS
   * and IPV6_RECVTCLASS. Off by default: the kernel attaches a control message per datagram for
   * it. The nio transport cannot tell it and fails the bind with ENOTSUP.
   *
   * @param on whether to ask for each datagram's TOS byte
   * @return a copy with that setting
   */
  public SocketOptions recvTos(boolean on) {
    return recvMeta(RecvInfo.TOS, on);
  }

  /**
   * Whether each datagram tells the TTL (IPv4) or hop limit (IPv6) it arrived with, one less for
   * every router it crossed ({@link Datagram#ttl()}): IP_RECVTTL and IPV6_RECVHOPLIMIT. Off by
   * default; the nio transport fails the bind with ENOTSUP.
   *
   * @param on whether to ask for each datagram's TTL
   * @return a copy with that setting
   */
  public SocketOptions recvTtl(boolean on) {
    return recvMeta(RecvInfo.TTL, on);
  }

  /**
   * Whether each datagram tells when the kernel took it in ({@link Datagram#timestampNanos()}):
   * SO_TIMESTAMPNS, nanoseconds since the epoch on the system's real-time clock
   * (CLOCK_REALTIME), stamped in the kernel's receive path, before the datagram waited in the
   * socket's buffer. On the simulated network: the network's clock. Off by default; the nio
   * transport fails the bind with ENOTSUP.
   *
   * @param on whether to ask for each datagram's receive time
   * @return a copy with that setting
   */
  public SocketOptions recvTimestamp(boolean on) {
    return recvMeta(RecvInfo.TIMESTAMP, on);
  }

  private SocketOptions recvMeta(int bit, boolean on) {
    return with(s -> s.recvMeta = on ? s.recvMeta | bit : s.recvMeta & ~bit);
  }

  /**
   * Places the socket on a host of a simulated network instead of this machine. The socket must
   * then live on that network's loop ({@link #loop}).
   *
   * @param host the host, or null for this machine
   * @return a copy with that setting
   */
  public SocketOptions host(NetworkHost host) {
    return with(s -> s.host = host);
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
    return with(s -> s.type = type);
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

  /** @return the list of senders whose datagrams are dropped on arrival, or null for none */
  public BlockList receiveBlockList() {
    return receiveBlockList;
  }

  private static void checkSize(String name, int size) {
    if (size < 0) {
      throw Errors.outOfRange(name, ">= 0 && <= 4294967295", size);
    }
  }
}
