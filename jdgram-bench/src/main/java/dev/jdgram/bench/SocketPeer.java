package dev.jdgram.bench;

import dev.jdgram.compat.JdgramDatagramSocket;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The blocking java.net.DatagramSocket peers, each on one virtual thread: the JDK's own
 * ({@code jdk-socket-vt}) and jdgram's adapter ({@code jdgram-compat-vt},
 * {@link JdgramDatagramSocket}, on the transport the suite gives the process). The same code for
 * both; only the constructor differs. One packet per socket, reused, as such servers do.
 */
final class SocketPeer {
  private SocketPeer() {}

  static boolean handles(String system) {
    return system.equals("jdk-socket-vt") || system.equals("jdgram-compat-vt");
  }

  static DatagramSocket open(String system, int port) throws IOException {
    SocketAddress local = port < 0 ? null : new InetSocketAddress(Peer.LO, port);
    DatagramSocket s = system.equals("jdk-socket-vt") ? new DatagramSocket((SocketAddress) null)
        : new JdgramDatagramSocket((SocketAddress) null);
    s.setReceiveBufferSize(Peer.RCVBUF);
    s.setSendBufferSize(Peer.RCVBUF);
    s.bind(local);
    return s;
  }

  static void rx(String system, int port, Meter m) throws IOException {
    DatagramSocket s = open(system, port);
    Thread.ofVirtual().name(system + "-rx").start(() -> {
      DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
      try {
        while (true) {
          s.receive(p);
          m.add(p.getLength());
        }
      } catch (IOException e) {
        // closed at exit
      }
    });
  }

  static void echo(String system, int port) throws IOException {
    DatagramSocket s = open(system, port);
    Thread.ofVirtual().name(system + "-echo").start(() -> {
      DatagramPacket p = new DatagramPacket(new byte[65536], 65536);
      try {
        while (true) {
          s.receive(p);
          s.send(p); // back to its sender, its length the datagram's
        }
      } catch (IOException e) {
        // closed at exit
      }
    });
  }

  /** Fills {@code rtt} with round-trip times after {@code warm} unmeasured ones. */
  static boolean ping(String system, int port, int size, int warm, long[] rtt) throws Exception {
    DatagramSocket s = open(system, 0);
    s.connect(new InetSocketAddress(Peer.LO, port));
    CountDownLatch done = new CountDownLatch(1);
    Thread.ofVirtual().name(system + "-ping").start(() -> {
      DatagramPacket out = new DatagramPacket(new byte[size], size);
      DatagramPacket in = new DatagramPacket(new byte[65536], 65536);
      try {
        for (int k = 0; k < warm + rtt.length; k++) {
          long t0 = System.nanoTime();
          s.send(out);
          s.receive(in);
          rtt[k % rtt.length] = System.nanoTime() - t0; // every sample: no branch flips as the window starts
        }
        done.countDown();
      } catch (IOException e) {
        e.printStackTrace();
      }
    });
    return done.await(60, TimeUnit.SECONDS);
  }
}
