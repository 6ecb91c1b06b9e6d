package dev.jdgram.compat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The two DatagramSockets the side-by-side suite runs every case on: the JDK's own and
 * jdgram's. A case makes its peers of the same kind, so that each runs in one world (on the
 * simulated transport jdgram's sockets live on the simulated localhost, which the JDK's real
 * sockets cannot reach).
 */
enum Kind {
  JDK {
    @Override
    DatagramSocket open() throws SocketException {
      return new DatagramSocket();
    }

    @Override
    DatagramSocket open(int port, InetAddress laddr) throws SocketException {
      return new DatagramSocket(port, laddr);
    }

    @Override
    DatagramSocket open(SocketAddress bindaddr) throws SocketException {
      return new DatagramSocket(bindaddr);
    }

    @Override
    DatagramSocket open(int port) throws SocketException {
      return new DatagramSocket(port);
    }
  },
  JDGRAM {
    @Override
    DatagramSocket open() throws SocketException {
      return new JdgramDatagramSocket();
    }

    @Override
    DatagramSocket open(int port, InetAddress laddr) throws SocketException {
      return new JdgramDatagramSocket(port, laddr);
    }

    @Override
    DatagramSocket open(SocketAddress bindaddr) throws SocketException {
      return new JdgramDatagramSocket(bindaddr);
    }

    @Override
    DatagramSocket open(int port) throws SocketException {
      return new JdgramDatagramSocket(port);
    }
  };

  abstract DatagramSocket open() throws SocketException;

  abstract DatagramSocket open(int port) throws SocketException;

  abstract DatagramSocket open(int port, InetAddress laddr) throws SocketException;

  abstract DatagramSocket open(SocketAddress bindaddr) throws SocketException;

  /** @return a socket bound to 127.0.0.1 and a port the kernel chooses */
  DatagramSocket loopback() throws SocketException {
    return open(0, InetAddress.getLoopbackAddress());
  }
}
