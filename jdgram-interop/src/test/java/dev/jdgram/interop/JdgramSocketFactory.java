package dev.jdgram.interop;

import dev.jdgram.compat.JdgramDatagramSocket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.net.DatagramSocketFactory;

/** Commons Net's socket factory, making jdgram sockets; it counts them so a test can tell they were used. */
final class JdgramSocketFactory implements DatagramSocketFactory {
  final AtomicInteger created = new AtomicInteger();

  @Override
  public DatagramSocket createDatagramSocket() throws SocketException {
    created.incrementAndGet();
    return new JdgramDatagramSocket();
  }

  @Override
  public DatagramSocket createDatagramSocket(int port) throws SocketException {
    created.incrementAndGet();
    return new JdgramDatagramSocket(port);
  }

  @Override
  public DatagramSocket createDatagramSocket(int port, InetAddress laddr) throws SocketException {
    created.incrementAndGet();
    return new JdgramDatagramSocket(port, laddr);
  }
}
