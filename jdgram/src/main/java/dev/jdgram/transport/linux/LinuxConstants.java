package dev.jdgram.transport.linux;

/**
 * Constants from the Linux UAPI headers ({@code <sys/socket.h>}, {@code <netinet/in.h>},
 * {@code <linux/udp.h>}, {@code <sys/epoll.h>}, {@code <sys/eventfd.h>}), named as there. The
 * values are the same on x86_64 and aarch64.
 */
final class LinuxConstants {
  private LinuxConstants() {}

  // <sys/socket.h>
  static final int AF_UNSPEC = 0;
  static final int AF_INET = 2;
  static final int AF_INET6 = 10;
  static final int SOCK_DGRAM = 2;
  static final int SOCK_NONBLOCK = 0x800;
  static final int SOCK_CLOEXEC = 0x80000;
  static final int SOL_SOCKET = 1;
  static final int SO_REUSEADDR = 2;
  static final int SO_BROADCAST = 6;
  static final int SO_SNDBUF = 7;
  static final int SO_RCVBUF = 8;
  static final int SO_REUSEPORT = 15;
  /** getsockopt only: the socket's memory counters, {@code u32[SK_MEMINFO_VARS]} (Linux 4.6+). */
  static final int SO_MEMINFO = 55;
  /** SO_TIMESTAMPNS (the 64-bit-time_t name on x86_64 and aarch64), also its cmsg type. */
  static final int SO_TIMESTAMPNS = 35;
  /** Index of sk_drops in SO_MEMINFO's array: datagrams the socket dropped (receive buffer full). */
  static final int SK_MEMINFO_DROPS = 8;
  static final int SK_MEMINFO_VARS = 9;
  static final int MSG_CTRUNC = 0x8;
  static final int MSG_TRUNC = 0x20;
  static final int MSG_DONTWAIT = 0x40;
  static final int MSG_ERRQUEUE = 0x2000;
  static final int SO_ERROR = 4;
  // <linux/errqueue.h>: where an error queue entry came from
  static final int SO_EE_ORIGIN_LOCAL = 1;
  static final int SO_EE_ORIGIN_ICMP = 2;
  static final int SO_EE_ORIGIN_ICMP6 = 3;

  // <netinet/in.h>
  static final int IPPROTO_IP = 0;
  static final int IPPROTO_UDP = 17;
  static final int IPPROTO_IPV6 = 41;
  static final int IP_TOS = 1;
  static final int IP_TTL = 2;
  static final int IP_PKTINFO = 8;
  static final int IP_MTU_DISCOVER = 10;
  static final int IP_RECVERR = 11;
  static final int IP_RECVTTL = 12;
  static final int IP_MTU = 14;
  /** IP_MTU_DISCOVER's (and IPV6_MTU_DISCOVER's) "always set DF, never fragment". */
  static final int IP_PMTUDISC_DO = 2;
  static final int IP_RECVTOS = 13;
  static final int IP_MULTICAST_IF = 32;
  static final int IP_MULTICAST_TTL = 33;
  static final int IP_MULTICAST_LOOP = 34;
  static final int IP_ADD_MEMBERSHIP = 35;
  static final int IP_DROP_MEMBERSHIP = 36;
  static final int IP_ADD_SOURCE_MEMBERSHIP = 39;
  static final int IP_DROP_SOURCE_MEMBERSHIP = 40;
  static final int IPV6_UNICAST_HOPS = 16;
  static final int IPV6_MULTICAST_IF = 17;
  static final int IPV6_MULTICAST_HOPS = 18;
  static final int IPV6_MULTICAST_LOOP = 19;
  static final int IPV6_ADD_MEMBERSHIP = 20;
  static final int IPV6_DROP_MEMBERSHIP = 21;
  static final int IPV6_MTU_DISCOVER = 23;
  static final int IPV6_MTU = 24;
  static final int IPV6_RECVERR = 25;
  static final int IPV6_V6ONLY = 26;
  static final int IPV6_RECVPKTINFO = 49;
  static final int IPV6_PKTINFO = 50;
  static final int IPV6_RECVHOPLIMIT = 51;
  static final int IPV6_HOPLIMIT = 52;
  static final int IPV6_RECVTCLASS = 66;
  static final int IPV6_TCLASS = 67;
  static final int MCAST_JOIN_SOURCE_GROUP = 46;
  static final int MCAST_LEAVE_SOURCE_GROUP = 47;

  // <linux/udp.h>
  static final int UDP_SEGMENT = 103;
  static final int UDP_GRO = 104;

  // <sys/epoll.h>
  static final int EPOLL_CLOEXEC = 0x80000;
  static final int EPOLL_CTL_ADD = 1;
  static final int EPOLL_CTL_DEL = 2;
  static final int EPOLL_CTL_MOD = 3;
  static final int EPOLLIN = 0x1;
  static final int EPOLLOUT = 0x4;
  static final int EPOLLERR = 0x8;
  static final int EPOLLHUP = 0x10;

  // <sys/eventfd.h>
  static final int EFD_NONBLOCK = 0x800;
  static final int EFD_CLOEXEC = 0x80000;

  // errno values (positive, as the kernel returns them)
  static final int EINTR = 4;
  static final int EAGAIN = 11;
}
