package dev.jdgram.transport.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.nio.ByteOrder;

/**
 * The kernel structs the transport fills and reads, for LP64 Linux (x86_64 and aarch64), each
 * drawn once as a {@link MemoryLayout} under its C declaration from the glibc/UAPI headers, with
 * members named as there. Every offset and size below is read from its layout, so a struct is
 * described in exactly one place; the padding the C compiler inserts is written out where it
 * falls. Only {@code struct epoll_event} differs between the two architectures (see there).
 */
final class Structs {
  private Structs() {}

  static {
    // Every layout below is LP64's (8-byte pointers, size_t and long). Checked first, since
    // static initializers run in order: on a 32-bit JVM, refuse with this message rather than
    // fail on a misaligned layout or hand the kernel structs of the wrong shape.
    if (ADDRESS.byteSize() != 8) {
      throw new ExceptionInInitializerError(
          "jdgram's linux transport needs a 64-bit JVM; pointers here are " + ADDRESS.byteSize() + " bytes");
    }
  }

  // Scalar types of the declarations, named as in C so that a layout reads like its struct.
  /** size_t, and long/unsigned long on LP64. */
  private static final MemoryLayout SIZE_T = JAVA_LONG;
  /** sa_family_t: unsigned short, in host byte order. */
  private static final MemoryLayout SA_FAMILY_T = JAVA_SHORT;
  /** in_port_t: uint16_t, in network byte order. */
  private static final MemoryLayout IN_PORT_T = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

  /*
   * struct iovec {
   *   void  *iov_base;
   *   size_t iov_len;
   * };                                              16 bytes
   */
  static final StructLayout IOVEC = structLayout(
      ADDRESS.withName("iov_base"),
      SIZE_T.withName("iov_len"))
      .withName("iovec");
  static final long IOV_BASE = IOVEC.byteOffset(groupElement("iov_base"));
  static final long IOV_LEN = IOVEC.byteOffset(groupElement("iov_len"));

  /*
   * struct msghdr {
   *   void         *msg_name;                       0
   *   socklen_t     msg_namelen;                    8   (+4 padding)
   *   struct iovec *msg_iov;                        16
   *   size_t        msg_iovlen;                     24
   *   void         *msg_control;                    32
   *   size_t        msg_controllen;                 40
   *   int           msg_flags;                      48  (+4 padding)
   * };                                              56 bytes
   */
  static final StructLayout MSGHDR = structLayout(
      ADDRESS.withName("msg_name"),
      JAVA_INT.withName("msg_namelen"),
      paddingLayout(4),
      ADDRESS.withName("msg_iov"),
      SIZE_T.withName("msg_iovlen"),
      ADDRESS.withName("msg_control"),
      SIZE_T.withName("msg_controllen"),
      JAVA_INT.withName("msg_flags"),
      paddingLayout(4))
      .withName("msghdr");
  static final long MSG_NAME = MSGHDR.byteOffset(groupElement("msg_name"));
  static final long MSG_NAMELEN = MSGHDR.byteOffset(groupElement("msg_namelen"));
  static final long MSG_IOV = MSGHDR.byteOffset(groupElement("msg_iov"));
  static final long MSG_IOVLEN = MSGHDR.byteOffset(groupElement("msg_iovlen"));
  static final long MSG_CONTROL = MSGHDR.byteOffset(groupElement("msg_control"));
  static final long MSG_CONTROLLEN = MSGHDR.byteOffset(groupElement("msg_controllen"));
  static final long MSG_FLAGS = MSGHDR.byteOffset(groupElement("msg_flags"));

  /*
   * struct mmsghdr {                                the element of recvmmsg/sendmmsg's vector
   *   struct msghdr msg_hdr;                        0
   *   unsigned int  msg_len;                        56  (+4 padding)
   * };                                              64 bytes
   *
   * The msghdr offsets above are also the offsets inside an mmsghdr, msg_hdr being first.
   */
  static final StructLayout MMSGHDR = structLayout(
      MSGHDR.withName("msg_hdr"),
      JAVA_INT.withName("msg_len"),
      paddingLayout(4))
      .withName("mmsghdr");
  static final long MMSG_LEN = MMSGHDR.byteOffset(groupElement("msg_len"));

  /*
   * struct cmsghdr {                                one control message; its data follows the
   *   size_t cmsg_len;                              0   header at CMSG_DATA = CMSG_HDR
   *   int    cmsg_level;                            8
   *   int    cmsg_type;                             12
   * };                                              16 bytes
   */
  static final StructLayout CMSGHDR = structLayout(
      SIZE_T.withName("cmsg_len"),
      JAVA_INT.withName("cmsg_level"),
      JAVA_INT.withName("cmsg_type"))
      .withName("cmsghdr");
  static final long CMSG_LEN = CMSGHDR.byteOffset(groupElement("cmsg_len"));
  static final long CMSG_LEVEL = CMSGHDR.byteOffset(groupElement("cmsg_level"));
  static final long CMSG_TYPE = CMSGHDR.byteOffset(groupElement("cmsg_type"));
  /** Where the data starts: CMSG_ALIGN(sizeof(struct cmsghdr)), already aligned on Linux. */
  static final long CMSG_HDR = cmsgAlign(CMSGHDR.byteSize());

  /** CMSG_ALIGN: control messages (header and data) are aligned to sizeof(size_t). */
  static long cmsgAlign(long len) {
    long mask = SIZE_T.byteSize() - 1;
    return (len + mask) & ~mask;
  }

  /** CMSG_SPACE(len): the room one control message with {@code len} bytes of data takes. */
  static long cmsgSpace(long len) {
    return CMSG_HDR + cmsgAlign(len);
  }

  /*
   * struct in_addr {
   *   in_addr_t s_addr;                             uint32_t, network byte order
   * };                                              4 bytes
   */
  private static final StructLayout IN_ADDR = structLayout(
      JAVA_INT.withOrder(ByteOrder.BIG_ENDIAN).withName("s_addr"))
      .withName("in_addr");

  /*
   * struct in6_addr {
   *   union {
   *     uint8_t  s6_addr[16];
   *     uint16_t s6_addr16[8];
   *     uint32_t s6_addr32[4];                      hence aligned to 4
   *   };
   * };                                              16 bytes
   */
  private static final GroupLayout IN6_ADDR = unionLayout(
      sequenceLayout(16, JAVA_BYTE).withName("s6_addr"),
      sequenceLayout(8, JAVA_SHORT).withName("s6_addr16"),
      sequenceLayout(4, JAVA_INT).withName("s6_addr32"))
      .withName("in6_addr");

  /*
   * struct sockaddr_in {
   *   sa_family_t    sin_family;                    0   AF_INET
   *   in_port_t      sin_port;                      2
   *   struct in_addr sin_addr;                      4
   *   unsigned char  sin_zero[8];                   8
   * };                                              16 bytes
   */
  static final StructLayout SOCKADDR_IN = structLayout(
      SA_FAMILY_T.withName("sin_family"),
      IN_PORT_T.withName("sin_port"),
      IN_ADDR.withName("sin_addr"),
      sequenceLayout(8, JAVA_BYTE).withName("sin_zero"))
      .withName("sockaddr_in");
  static final long SIN_FAMILY = SOCKADDR_IN.byteOffset(groupElement("sin_family"));
  static final long SIN_PORT = SOCKADDR_IN.byteOffset(groupElement("sin_port"));
  static final long SIN_ADDR = SOCKADDR_IN.byteOffset(groupElement("sin_addr"));
  static final int SOCKADDR_IN_SIZE = Math.toIntExact(SOCKADDR_IN.byteSize());

  /*
   * struct sockaddr_in6 {
   *   sa_family_t     sin6_family;                  0   AF_INET6
   *   in_port_t       sin6_port;                    2
   *   uint32_t        sin6_flowinfo;                4
   *   struct in6_addr sin6_addr;                    8
   *   uint32_t        sin6_scope_id;                24
   * };                                              28 bytes
   */
  static final StructLayout SOCKADDR_IN6 = structLayout(
      SA_FAMILY_T.withName("sin6_family"),
      IN_PORT_T.withName("sin6_port"),
      JAVA_INT.withName("sin6_flowinfo"),
      IN6_ADDR.withName("sin6_addr"),
      JAVA_INT.withName("sin6_scope_id"))
      .withName("sockaddr_in6");
  static final long SIN6_FAMILY = SOCKADDR_IN6.byteOffset(groupElement("sin6_family"));
  static final long SIN6_PORT = SOCKADDR_IN6.byteOffset(groupElement("sin6_port"));
  static final long SIN6_FLOWINFO = SOCKADDR_IN6.byteOffset(groupElement("sin6_flowinfo"));
  static final long SIN6_ADDR = SOCKADDR_IN6.byteOffset(groupElement("sin6_addr"));
  static final long SIN6_SCOPE_ID = SOCKADDR_IN6.byteOffset(groupElement("sin6_scope_id"));
  static final int SOCKADDR_IN6_SIZE = Math.toIntExact(SOCKADDR_IN6.byteSize());

  /*
   * struct sockaddr_storage {                       room for any address family
   *   sa_family_t   ss_family;                      0
   *   char          __ss_padding[118];              2
   *   unsigned long __ss_align;                     120 (forces alignment to 8)
   * };                                              128 bytes
   */
  static final StructLayout SOCKADDR_STORAGE = structLayout(
      SA_FAMILY_T.withName("ss_family"),
      sequenceLayout(118, JAVA_BYTE).withName("__ss_padding"),
      SIZE_T.withName("__ss_align"))
      .withName("sockaddr_storage");
  static final int SOCKADDR_STORAGE_SIZE = Math.toIntExact(SOCKADDR_STORAGE.byteSize());

  /*
   * typedef union epoll_data {
   *   void    *ptr;
   *   int      fd;
   *   uint32_t u32;
   *   uint64_t u64;
   * } epoll_data_t;                                 8 bytes
   *
   * struct epoll_event {
   *   uint32_t     events;                          0
   *   epoll_data_t data;                            x86_64: 4, aarch64: 8
   * };                                              x86_64: 12 bytes, aarch64: 16 bytes
   *
   * On x86_64 the kernel declares the struct __attribute__((packed)) (EPOLL_PACKED in
   * <linux/eventpoll.h>) so that 32- and 64-bit processes share one layout; elsewhere it is
   * naturally aligned. Both are drawn, and the one for the running architecture is chosen.
   */
  private static GroupLayout epollData(long alignment) {
    return unionLayout(
        ADDRESS.withByteAlignment(Math.min(alignment, ADDRESS.byteAlignment())).withName("ptr"),
        JAVA_INT.withName("fd"),
        JAVA_INT.withName("u32"),
        JAVA_LONG.withByteAlignment(Math.min(alignment, JAVA_LONG.byteAlignment())).withName("u64"))
        .withName("epoll_data");
  }

  static final StructLayout EPOLL_EVENT_PACKED = structLayout(
      JAVA_INT.withName("events"),
      epollData(4).withName("data"))
      .withName("epoll_event");
  static final StructLayout EPOLL_EVENT_ALIGNED = structLayout(
      JAVA_INT.withName("events"),
      paddingLayout(4),
      epollData(8).withName("data"))
      .withName("epoll_event");

  static final boolean EPOLL_PACKED = "amd64".equals(System.getProperty("os.arch"))
      || "x86_64".equals(System.getProperty("os.arch"));
  static final StructLayout EPOLL_EVENT = EPOLL_PACKED ? EPOLL_EVENT_PACKED : EPOLL_EVENT_ALIGNED;
  static final long EPOLL_EVENTS = EPOLL_EVENT.byteOffset(groupElement("events"));
  static final long EPOLL_DATA = EPOLL_EVENT.byteOffset(groupElement("data"));
  static final int EPOLL_EVENT_SIZE = Math.toIntExact(EPOLL_EVENT.byteSize());

  /*
   * struct ip_mreq {                                IP_ADD_MEMBERSHIP, IP_DROP_MEMBERSHIP
   *   struct in_addr imr_multiaddr;                 0   the group
   *   struct in_addr imr_interface;                 4   the local interface's address
   * };                                              8 bytes
   */
  static final StructLayout IP_MREQ = structLayout(
      IN_ADDR.withName("imr_multiaddr"),
      IN_ADDR.withName("imr_interface"))
      .withName("ip_mreq");
  static final long IMR_MULTIADDR = IP_MREQ.byteOffset(groupElement("imr_multiaddr"));
  static final long IMR_INTERFACE = IP_MREQ.byteOffset(groupElement("imr_interface"));
  static final int IP_MREQ_SIZE = Math.toIntExact(IP_MREQ.byteSize());

  /*
   * struct ip_mreq_source {                         IP_ADD_SOURCE_MEMBERSHIP, IP_DROP_...
   *   struct in_addr imr_multiaddr;                 0   the group
   *   struct in_addr imr_interface;                 4   the local interface's address
   *   struct in_addr imr_sourceaddr;                8   the source (Linux order; BSD differs)
   * };                                              12 bytes
   */
  static final StructLayout IP_MREQ_SOURCE = structLayout(
      IN_ADDR.withName("imr_multiaddr"),
      IN_ADDR.withName("imr_interface"),
      IN_ADDR.withName("imr_sourceaddr"))
      .withName("ip_mreq_source");
  static final long IMR_SOURCEADDR = IP_MREQ_SOURCE.byteOffset(groupElement("imr_sourceaddr"));
  static final int IP_MREQ_SOURCE_SIZE = Math.toIntExact(IP_MREQ_SOURCE.byteSize());

  /*
   * struct ipv6_mreq {                              IPV6_ADD_MEMBERSHIP, IPV6_DROP_MEMBERSHIP
   *   struct in6_addr ipv6mr_multiaddr;             0   the group
   *   unsigned int    ipv6mr_interface;             16  the interface index
   * };                                              20 bytes
   */
  static final StructLayout IPV6_MREQ = structLayout(
      IN6_ADDR.withName("ipv6mr_multiaddr"),
      JAVA_INT.withName("ipv6mr_interface"))
      .withName("ipv6_mreq");
  static final long IPV6MR_MULTIADDR = IPV6_MREQ.byteOffset(groupElement("ipv6mr_multiaddr"));
  static final long IPV6MR_INTERFACE = IPV6_MREQ.byteOffset(groupElement("ipv6mr_interface"));
  static final int IPV6_MREQ_SIZE = Math.toIntExact(IPV6_MREQ.byteSize());

  /*
   * struct group_source_req {                       MCAST_JOIN_SOURCE_GROUP, MCAST_LEAVE_...
   *   uint32_t                gsr_interface;        0   the interface index (+4 padding)
   *   struct sockaddr_storage gsr_group;            8
   *   struct sockaddr_storage gsr_source;           136
   * };                                              264 bytes
   */
  static final StructLayout GROUP_SOURCE_REQ = structLayout(
      JAVA_INT.withName("gsr_interface"),
      paddingLayout(4),
      SOCKADDR_STORAGE.withName("gsr_group"),
      SOCKADDR_STORAGE.withName("gsr_source"))
      .withName("group_source_req");
  static final long GSR_INTERFACE = GROUP_SOURCE_REQ.byteOffset(groupElement("gsr_interface"));
  static final long GSR_GROUP = GROUP_SOURCE_REQ.byteOffset(groupElement("gsr_group"));
  static final long GSR_SOURCE = GROUP_SOURCE_REQ.byteOffset(groupElement("gsr_source"));
  static final int GROUP_SOURCE_REQ_SIZE = Math.toIntExact(GROUP_SOURCE_REQ.byteSize());

  /*
   * struct in_pktinfo {                             IP_PKTINFO control message data
   *   int            ipi_ifindex;                   0   the receiving interface
   *   struct in_addr ipi_spec_dst;                  4   the local address routing chose
   *   struct in_addr ipi_addr;                      8   the datagram's destination address
   * };                                              12 bytes
   */
  static final StructLayout IN_PKTINFO = structLayout(
      JAVA_INT.withName("ipi_ifindex"),
      IN_ADDR.withName("ipi_spec_dst"),
      IN_ADDR.withName("ipi_addr"))
      .withName("in_pktinfo");
  static final long IPI_IFINDEX = IN_PKTINFO.byteOffset(groupElement("ipi_ifindex"));
  static final long IPI_SPEC_DST = IN_PKTINFO.byteOffset(groupElement("ipi_spec_dst"));
  static final long IPI_ADDR = IN_PKTINFO.byteOffset(groupElement("ipi_addr"));

  /*
   * struct in6_pktinfo {                            IPV6_PKTINFO control message data
   *   struct in6_addr ipi6_addr;                    0   the datagram's destination address
   *   unsigned int    ipi6_ifindex;                 16  the receiving interface
   * };                                              20 bytes
   */
  static final StructLayout IN6_PKTINFO = structLayout(
      IN6_ADDR.withName("ipi6_addr"),
      JAVA_INT.withName("ipi6_ifindex"))
      .withName("in6_pktinfo");
  static final long IPI6_ADDR = IN6_PKTINFO.byteOffset(groupElement("ipi6_addr"));
  static final long IPI6_IFINDEX = IN6_PKTINFO.byteOffset(groupElement("ipi6_ifindex"));

  /*
   * struct sock_extended_err {                      IP_RECVERR / IPV6_RECVERR control message data
   *   __u32 ee_errno;                               0   the error, as a positive errno
   *   __u8  ee_origin;                              4   SO_EE_ORIGIN_LOCAL, _ICMP, _ICMP6
   *   __u8  ee_type;                                5   the ICMP type
   *   __u8  ee_code;                                6   the ICMP code
   *   __u8  ee_pad;                                 7
   *   __u32 ee_info;                                8   the MTU, for "fragmentation needed"
   *   __u32 ee_data;                                12
   * };                                              16 bytes, then the offender's sockaddr
   *                                                 (SO_EE_OFFENDER: the host that reported it)
   */
  static final StructLayout SOCK_EXTENDED_ERR = structLayout(
      JAVA_INT.withName("ee_errno"),
      JAVA_BYTE.withName("ee_origin"),
      JAVA_BYTE.withName("ee_type"),
      JAVA_BYTE.withName("ee_code"),
      JAVA_BYTE.withName("ee_pad"),
      JAVA_INT.withName("ee_info"),
      JAVA_INT.withName("ee_data"))
      .withName("sock_extended_err");
  static final long EE_ERRNO = SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_errno"));
  static final long EE_ORIGIN = SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_origin"));
  static final long EE_TYPE = SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_type"));
  static final long EE_CODE = SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_code"));
  static final long EE_INFO = SOCK_EXTENDED_ERR.byteOffset(groupElement("ee_info"));
  /** SO_EE_OFFENDER(ee): the reporter's sockaddr right after the struct. */
  static final long EE_OFFENDER = SOCK_EXTENDED_ERR.byteSize();

  /*
   * getsockopt(SO_MEMINFO) fills
   *   __u32 meminfo[SK_MEMINFO_VARS];               <linux/sock_diag.h>
   * indexed by SK_MEMINFO_RMEM_ALLOC ... SK_MEMINFO_DROPS (see LinuxConstants).
   */
  static final SequenceLayout SK_MEMINFO = sequenceLayout(LinuxConstants.SK_MEMINFO_VARS, JAVA_INT)
      .withName("sk_meminfo");
  static final int SK_MEMINFO_SIZE = Math.toIntExact(SK_MEMINFO.byteSize());
  static final long SK_MEMINFO_DROPS_OFFSET =
      SK_MEMINFO.byteOffset(sequenceElement(LinuxConstants.SK_MEMINFO_DROPS));
}
