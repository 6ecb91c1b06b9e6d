package dev.jdgram.transport.linux;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The kernel structs the transport fills and reads, as offsets and sizes for LP64 Linux
 * (x86_64 and aarch64), named as in the headers. Only {@code struct epoll_event} differs between
 * the two: packed (12 bytes) on x86_64, naturally aligned (16) on aarch64.
 */
final class Structs {
  private Structs() {}

  /** struct iovec { void *iov_base; size_t iov_len; } */
  static final StructLayout IOVEC = MemoryLayout.structLayout(
      ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len"));
  static final long IOV_BASE = 0;
  static final long IOV_LEN = 8;

  /** struct msghdr (56 bytes). */
  static final StructLayout MSGHDR = MemoryLayout.structLayout(
      ADDRESS.withName("msg_name"),
      JAVA_INT.withName("msg_namelen"), MemoryLayout.paddingLayout(4),
      ADDRESS.withName("msg_iov"),
      JAVA_LONG.withName("msg_iovlen"),
      ADDRESS.withName("msg_control"),
      JAVA_LONG.withName("msg_controllen"),
      JAVA_INT.withName("msg_flags"), MemoryLayout.paddingLayout(4));
  static final long MSG_NAME = 0;
  static final long MSG_NAMELEN = 8;
  static final long MSG_IOV = 16;
  static final long MSG_IOVLEN = 24;
  static final long MSG_CONTROL = 32;
  static final long MSG_CONTROLLEN = 40;
  static final long MSG_FLAGS = 48;

  /** struct mmsghdr { struct msghdr msg_hdr; unsigned int msg_len; } (64 bytes). */
  static final StructLayout MMSGHDR = MemoryLayout.structLayout(
      MSGHDR.withName("msg_hdr"), JAVA_INT.withName("msg_len"), MemoryLayout.paddingLayout(4));
  static final long MMSG_LEN = 56;

  /** struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; } then the data. */
  static final long CMSG_LEN = 0;
  static final long CMSG_LEVEL = 8;
  static final long CMSG_TYPE = 12;
  static final long CMSG_HDR = 16;

  /** CMSG_ALIGN: control data is aligned to sizeof(size_t). */
  static long cmsgAlign(long len) {
    return (len + 7) & ~7L;
  }

  /** CMSG_SPACE(len). */
  static long cmsgSpace(long len) {
    return CMSG_HDR + cmsgAlign(len);
  }

  /** struct sockaddr_in (16 bytes): family, port (big-endian), address. */
  static final long SIN_FAMILY = 0;
  static final long SIN_PORT = 2;
  static final long SIN_ADDR = 4;
  static final int SOCKADDR_IN_SIZE = 16;

  /** struct sockaddr_in6 (28 bytes): family, port, flowinfo, address, scope id. */
  static final long SIN6_PORT = 2;
  static final long SIN6_FLOWINFO = 4;
  static final long SIN6_ADDR = 8;
  static final long SIN6_SCOPE_ID = 24;
  static final int SOCKADDR_IN6_SIZE = 28;
  static final int SOCKADDR_STORAGE_SIZE = 128;

  /** struct epoll_event { uint32_t events; epoll_data_t data; }. */
  static final boolean EPOLL_PACKED = "amd64".equals(System.getProperty("os.arch"))
      || "x86_64".equals(System.getProperty("os.arch"));
  static final long EPOLL_EVENTS = 0;
  static final long EPOLL_DATA = EPOLL_PACKED ? 4 : 8;
  static final int EPOLL_EVENT_SIZE = EPOLL_PACKED ? 12 : 16;

  /** struct ip_mreq { in_addr imr_multiaddr; in_addr imr_interface; }. */
  static final int IP_MREQ_SIZE = 8;
  /** struct ip_mreq_source { imr_multiaddr; imr_interface; imr_sourceaddr; }. */
  static final int IP_MREQ_SOURCE_SIZE = 12;
  /** struct ipv6_mreq { in6_addr ipv6mr_multiaddr; unsigned ipv6mr_interface; }. */
  static final int IPV6_MREQ_SIZE = 20;
  /** struct group_source_req { uint32 gsr_interface; sockaddr_storage gsr_group, gsr_source; }. */
  static final long GSR_GROUP = 8;
  static final long GSR_SOURCE = 8 + 128;
  static final int GROUP_SOURCE_REQ_SIZE = 8 + 128 + 128;

  /** struct in_pktinfo { int ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }. */
  static final long IPI_IFINDEX = 0;
  static final long IPI_ADDR = 8;
  /** struct in6_pktinfo { in6_addr ipi6_addr; int ipi6_ifindex; }. */
  static final long IPI6_ADDR = 0;
  static final long IPI6_IFINDEX = 16;

  static {
    // The offsets above are the layouts' own: fail loudly if they ever disagree.
    check(MSGHDR.byteSize() == 56 && MMSGHDR.byteSize() == 64 && IOVEC.byteSize() == 16);
    check(JAVA_SHORT.byteSize() == 2);
  }

  private static void check(boolean ok) {
    if (!ok) {
      throw new ExceptionInInitializerError("unexpected struct layout on this platform");
    }
  }
}
