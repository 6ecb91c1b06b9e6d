package dev.jdgram.transport.linux;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Pins the layouts in {@link Structs} to the sizes and offsets the Linux LP64 ABI gives the same
 * structs (as {@code sizeof}/{@code offsetof} print them on x86_64 and aarch64), so that a wrong
 * edit of a layout (a member dropped, reordered or mis-sized, padding forgotten) fails here
 * instead of corrupting what the kernel reads. The expected numbers are written by hand on
 * purpose: they are the independent second source.
 */
class StructsTest {
  @Test
  void iovecAndMsghdr() {
    assertEquals(16, Structs.IOVEC.byteSize());
    assertEquals(0, Structs.IOV_BASE);
    assertEquals(8, Structs.IOV_LEN);

    assertEquals(56, Structs.MSGHDR.byteSize());
    assertEquals(0, Structs.MSG_NAME);
    assertEquals(8, Structs.MSG_NAMELEN);
    assertEquals(16, Structs.MSG_IOV);
    assertEquals(24, Structs.MSG_IOVLEN);
    assertEquals(32, Structs.MSG_CONTROL);
    assertEquals(40, Structs.MSG_CONTROLLEN);
    assertEquals(48, Structs.MSG_FLAGS);
  }

  @Test
  void mmsghdr() {
    assertEquals(64, Structs.MMSGHDR.byteSize());
    assertEquals(56, Structs.MMSG_LEN);
  }

  @Test
  void cmsghdrAndItsMacros() {
    assertEquals(16, Structs.CMSGHDR.byteSize());
    assertEquals(0, Structs.CMSG_LEN);
    assertEquals(8, Structs.CMSG_LEVEL);
    assertEquals(12, Structs.CMSG_TYPE);
    assertEquals(16, Structs.CMSG_HDR);
    // CMSG_SPACE(sizeof(uint16_t)) for UDP_SEGMENT, CMSG_SPACE(sizeof(struct in_pktinfo)),
    // CMSG_SPACE(sizeof(struct in6_pktinfo)).
    assertEquals(24, Structs.cmsgSpace(2));
    assertEquals(32, Structs.cmsgSpace(12));
    assertEquals(40, Structs.cmsgSpace(20));
    assertEquals(0, Structs.cmsgAlign(0));
    assertEquals(8, Structs.cmsgAlign(1));
    assertEquals(8, Structs.cmsgAlign(8));
    assertEquals(24, Structs.cmsgAlign(20));
  }

  @Test
  void sockaddrIn() {
    assertEquals(16, Structs.SOCKADDR_IN_SIZE);
    assertEquals(0, Structs.SIN_FAMILY);
    assertEquals(2, Structs.SIN_PORT);
    assertEquals(4, Structs.SIN_ADDR);
  }

  @Test
  void sockaddrIn6() {
    assertEquals(28, Structs.SOCKADDR_IN6_SIZE);
    assertEquals(4, Structs.SOCKADDR_IN6.byteAlignment());
    assertEquals(0, Structs.SIN6_FAMILY);
    assertEquals(2, Structs.SIN6_PORT);
    assertEquals(4, Structs.SIN6_FLOWINFO);
    assertEquals(8, Structs.SIN6_ADDR);
    assertEquals(24, Structs.SIN6_SCOPE_ID);
  }

  @Test
  void sockaddrStorage() {
    assertEquals(128, Structs.SOCKADDR_STORAGE_SIZE);
    assertEquals(8, Structs.SOCKADDR_STORAGE.byteAlignment());
  }

  @Test
  void epollEventPerArchitecture() {
    // x86_64 packs the struct (12 bytes, data at 4); every other 64-bit architecture aligns
    // data to 8 (16 bytes). Both layouts are checked, wherever the test runs.
    assertEquals(12, Structs.EPOLL_EVENT_PACKED.byteSize());
    assertEquals(4, Structs.EPOLL_EVENT_PACKED.byteOffset(
        groupElement("data")));
    assertEquals(16, Structs.EPOLL_EVENT_ALIGNED.byteSize());
    assertEquals(8, Structs.EPOLL_EVENT_ALIGNED.byteOffset(
        groupElement("data")));

    String arch = System.getProperty("os.arch");
    boolean x86_64 = arch.equals("amd64") || arch.equals("x86_64");
    assertEquals(x86_64, Structs.EPOLL_PACKED, "os.arch " + arch);
    assertEquals(0, Structs.EPOLL_EVENTS);
    assertEquals(x86_64 ? 4 : 8, Structs.EPOLL_DATA);
    assertEquals(x86_64 ? 12 : 16, Structs.EPOLL_EVENT_SIZE);
  }

  @Test
  void multicastRequests() {
    assertEquals(8, Structs.IP_MREQ_SIZE);
    assertEquals(0, Structs.IMR_MULTIADDR);
    assertEquals(4, Structs.IMR_INTERFACE);

    assertEquals(12, Structs.IP_MREQ_SOURCE_SIZE);
    assertEquals(8, Structs.IMR_SOURCEADDR);

    assertEquals(20, Structs.IPV6_MREQ_SIZE);
    assertEquals(0, Structs.IPV6MR_MULTIADDR);
    assertEquals(16, Structs.IPV6MR_INTERFACE);

    assertEquals(264, Structs.GROUP_SOURCE_REQ_SIZE);
    assertEquals(0, Structs.GSR_INTERFACE);
    assertEquals(8, Structs.GSR_GROUP);
    assertEquals(136, Structs.GSR_SOURCE);
  }

  @Test
  void packetInfo() {
    assertEquals(12, Structs.IN_PKTINFO.byteSize());
    assertEquals(0, Structs.IPI_IFINDEX);
    assertEquals(8, Structs.IPI_ADDR);

    assertEquals(20, Structs.IN6_PKTINFO.byteSize());
    assertEquals(0, Structs.IPI6_ADDR);
    assertEquals(16, Structs.IPI6_IFINDEX);
  }

  @Test
  void skMeminfo() {
    // u32[SK_MEMINFO_VARS] with sk_drops at index SK_MEMINFO_DROPS (8).
    assertEquals(36, Structs.SK_MEMINFO_SIZE);
    assertEquals(32, Structs.SK_MEMINFO_DROPS_OFFSET);
  }
}
