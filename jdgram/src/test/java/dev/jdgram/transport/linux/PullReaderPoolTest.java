package dev.jdgram.transport.linux;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.OnTransport;
import dev.jdgram.compat.JdgramDatagramSocket;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The pull readers' batches (512 KiB each) pass from socket to socket: a program that opens a
 * socket per request reuses one batch rather than make one per socket for the collector.
 */
class PullReaderPoolTest {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private static byte[] payload(int k, int len) {
    byte[] b = new byte[len];
    for (int i = 0; i < len; i++) {
      b[i] = (byte) (k * 7 + i);
    }
    return b;
  }

  /** One request's socket: receives {@code n} datagrams of its own, checks each, closes. */
  private static void oneSocket(DatagramSocket tx, int k, int n) throws Exception {
    try (JdgramDatagramSocket s = new JdgramDatagramSocket(0, LOOPBACK)) {
      s.setSoTimeout(10_000);
      for (int j = 0; j < n; j++) {
        byte[] b = payload(k + j, 20 + (k + j) % 200);
        tx.send(new DatagramPacket(b, b.length, s.getLocalSocketAddress()));
      }
      DatagramPacket p = new DatagramPacket(new byte[1000], 1000);
      for (int j = 0; j < n; j++) {
        p.setLength(1000);
        s.receive(p);
        byte[] want = payload(k + j, 20 + (k + j) % 200);
        assertArrayEquals(want, Arrays.copyOf(p.getData(), p.getLength()), "socket " + k + ", datagram " + j);
        assertEquals(tx.getLocalSocketAddress(), p.getSocketAddress());
      }
    }
  }

  @Test
  void aSocketPerRequestReusesOneBatch() throws Exception {
    Assumptions.assumeTrue(OnTransport.linux(), "the pull reader is the linux transport's");
    try (DatagramSocket tx = new DatagramSocket(0, LOOPBACK)) {
      oneSocket(tx, 0, 1); // a batch exists from here on
      long before = LinuxPullReader.batchesMade();
      for (int k = 1; k <= 300; k++) {
        oneSocket(tx, k, 1 + k % 3); // one to three answers, each socket's own
      }
      long made = LinuxPullReader.batchesMade() - before;
      assertTrue(made <= 1, "300 sockets, one after another, made " + made + " batches (one each without the pool)");
    }
  }

  @Test
  void aSocketClosedWithDatagramsLeftInItsBatchLeavesTheOthersTheirOwn() throws Exception {
    Assumptions.assumeTrue(OnTransport.linux(), "the pull reader is the linux transport's");
    try (DatagramSocket tx = new DatagramSocket(0, LOOPBACK)) {
      for (int k = 0; k < 50; k++) {
        // a full batch read, one datagram taken, the socket closed holding the other seven
        try (JdgramDatagramSocket s = new JdgramDatagramSocket(0, LOOPBACK)) {
          s.setSoTimeout(10_000);
          for (int j = 0; j < 2 * LinuxPullReader.BATCH; j++) {
            tx.send(new DatagramPacket(new byte[] {(byte) j}, 1, s.getLocalSocketAddress()));
          }
          Thread.sleep(1); // all of them in the kernel: the first read fills a batch
          DatagramPacket p = new DatagramPacket(new byte[10], 10);
          s.receive(p);
          assertEquals(0, p.getData()[0]);
        }
        oneSocket(tx, 1000 + k, 2); // the next socket reads its own datagrams only
      }
    }
  }
}
