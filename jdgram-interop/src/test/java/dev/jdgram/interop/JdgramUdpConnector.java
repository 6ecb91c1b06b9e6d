package dev.jdgram.interop;

import dev.jdgram.compat.JdgramDatagramSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import org.eclipse.californium.elements.UDPConnector;
import org.eclipse.californium.elements.config.Configuration;

/**
 * Californium's UDP connector on jdgram. UDPConnector makes its own {@code DatagramSocket} in
 * {@code start()} and hands it to {@code init(DatagramSocket)}, which starts its receiver and
 * sender threads over it: this subclass makes that socket a {@link JdgramDatagramSocket}, set up
 * as UDPConnector sets up its own (SO_REUSEADDR before the bind).
 */
final class JdgramUdpConnector extends UDPConnector {
  volatile JdgramDatagramSocket socket;

  JdgramUdpConnector(InetSocketAddress address, Configuration config) {
    super(address, config);
  }

  @Override
  public synchronized void start() throws IOException {
    if (isRunning()) {
      return;
    }
    JdgramDatagramSocket s = new JdgramDatagramSocket((SocketAddress) null);
    s.setReuseAddress(getReuseAddress());
    s.bind(localAddr);
    socket = s;
    init(s);
  }
}
