package dev.jdgram.handle;

import dev.jdgram.transport.linux.LinuxUdpHandle;
import dev.jdgram.transport.nio.NioUdpHandle;
import dev.jdgram.transport.sim.SimUdpHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The transport-neutral UDP handle the socket layer talks to: {@code UDPWrap} over
 * {@code uv_udp_t}. Operations that Node makes synchronous ({@code setTTL},
 * {@code addMembership}, {@code getsockname}, ...) throw {@link SysError} with the errno; the hot
 * path ({@link #send}, receive) reports status codes through callbacks.
 *
 * <p>Threading: {@link #bind}, {@link #connect}, {@link #disconnect}, {@link #recvStart},
 * {@link #recvStop}, {@link #send} and {@link #close} run on the loop thread; the option setters
 * and getters may run on any thread (the socket layer serializes them with its own lock).
 */
public sealed interface UdpHandle permits NioUdpHandle, LinuxUdpHandle, SimUdpHandle {
  /** bind flag: SO_REUSEADDR (libuv's {@code UV_UDP_REUSEADDR}). */
  int REUSEADDR = 1;
  /** bind flag: IPV6_V6ONLY (libuv's {@code UV_UDP_IPV6ONLY}). */
  int IPV6ONLY = 2;
  /** bind flag: SO_REUSEPORT (libuv's {@code UV_UDP_REUSEPORT}). */
  int REUSEPORT = 4;
  /** bind flag: UDP_GRO, coalesced receives split back into datagrams. */
  int GRO = 8;

  /** @return true for a udp6 handle */
  boolean ipv6();

  /** @return true once the handle has a kernel socket (bound, explicitly or implicitly) */
  boolean hasSocket();

  /** Creates the kernel socket if needed and binds it. */
  void bind(InetSocketAddress local, int flags);

  /** Sets the default destination ({@code connect(2)}). */
  void connect(InetSocketAddress remote);

  /** Removes the default destination ({@code connect(AF_UNSPEC)}). */
  void disconnect();

  /** @return the local address ({@code getsockname}) */
  InetSocketAddress localAddress();

  /** @return the connected peer ({@code getpeername}) */
  InetSocketAddress remoteAddress();

  /** Starts delivering datagrams and receive errors to {@code listener} on the loop thread. */
  void recvStart(HandleListener listener);

  /** Stops delivering datagrams. */
  void recvStop();

  /**
   * Sends one datagram: at once if nothing is queued, else after the queue. The request's
   * completion runs on the loop thread, never inside this call.
   */
  void send(SendReq req);

  /**
   * Sends every datagram of {@code batch} to {@code dest} (null: the connected peer), in order
   * and after whatever is queued; {@code done} runs once on the loop thread, never inside this
   * call. The batch must not change until then. This default sends a request per datagram;
   * a transport that can do better (sendmmsg, GSO) overrides it.
   */
  default void sendBatch(NativeBatch batch, InetSocketAddress dest, BatchCounter.Done done) {
    int n = batch.count();
    BatchCounter counter = new BatchCounter(0, n, done);
    for (int i = 0; i < n; i++) {
      SendReq r = new SendReq(batch.view(i), dest, counter);
      send(r);
      if (r.status != SendReq.PENDING && r.status < 0) {
        counter.skip(n - i - 1); // the batch stops at its first failed datagram
        return;
      }
    }
  }

  /** @return bytes queued and not yet handed to the kernel */
  int sendQueueSize();

  /**
   * @return bytes waiting because the kernel's send buffer is full: what the send-queue
   *     high-water mark bounds (sends held briefly to be batched do not count)
   */
  default int blockedBytes() {
    return sendQueueSize();
  }

  /** @return datagrams queued and not yet handed to the kernel */
  int sendQueueCount();

  /** SO_BROADCAST. */
  void setBroadcast(boolean on);

  /** IP_TTL / IPV6_UNICAST_HOPS; 1..255. */
  void setTTL(int ttl);

  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS; 0..255. */
  void setMulticastTTL(int ttl);

  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. */
  void setMulticastLoopback(boolean on);

  /** IP_MULTICAST_IF / IPV6_MULTICAST_IF: the interface with this address (or scope). */
  void setMulticastInterface(InetAddress iface, String scope);

  /**
   * IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP; {@code iface} null lets the kernel choose.
   *
   * @param scope the interface's name or index as the user wrote it after {@code %}
   *     ({@code "::%eth1"}), or null; it names the interface of an IPv6 membership, resolved
   *     where the socket lives (a simulated host has interfaces of its own)
   */
  void membership(InetAddress group, InetAddress iface, String scope, boolean join);

  /** IP_ADD_SOURCE_MEMBERSHIP / IP_DROP_SOURCE_MEMBERSHIP; {@code scope} as for {@link #membership}. */
  void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope, boolean join);

  /**
   * SO_RCVBUF / SO_SNDBUF, like {@code uv_recv_buffer_size}: a value of 0 reads, any other sets
   * and then reads.
   *
   * @return the kernel's value (on Linux, twice what was set)
   */
  int bufferSize(boolean recv, int value);

  /**
   * Asks the kernel, from now on, for each datagram's destination address and arrival interface
   * ({@link RecvInfo}). Until then a transport leaves them unknown (null, -1), so that every
   * transport answers alike for a socket that never asked; one that cannot tell ignores it.
   */
  default void wantRecvInfo() {}

  /**
   * @return datagrams the kernel dropped because the receive buffer was full (sk_drops), or
   *     -1 where the transport cannot know
   */
  default long receiveDrops() {
    return -1;
  }

  /**
   * Closes the kernel socket; queued sends complete with {@link Errno#ECANCELED}. {@code onClosed}
   * runs on the loop thread once the kernel has released the socket (its port is free again),
   * after those completions and never inside this call: libuv's close callback.
   */
  void close(Runnable onClosed);
}
