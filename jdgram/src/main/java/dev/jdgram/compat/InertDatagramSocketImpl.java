package dev.jdgram.compat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;

/**
 * The implementation handed to {@code java.net.DatagramSocket}'s only accessible constructor.
 * That constructor wraps it in the JDK's legacy socket without opening anything (the JDK opens
 * an implementation's descriptor on first use); {@link JdgramDatagramSocket} overrides every
 * public method, so nothing ever uses it, and no second descriptor exists per adapter. Should
 * the JDK ever call it, every method fails loudly rather than open a socket behind jdgram's back.
 */
final class InertDatagramSocketImpl extends DatagramSocketImpl {
  private static SocketException unused() {
    return new SocketException("jdgram: the JDK's own DatagramSocket implementation is not used");
  }

  @Override
  protected void create() throws SocketException {
    throw unused();
  }

  @Override
  protected void bind(int lport, InetAddress laddr) throws SocketException {
    throw unused();
  }

  @Override
  protected void send(DatagramPacket p) throws IOException {
    throw unused();
  }

  @Override
  protected int peek(InetAddress i) throws IOException {
    throw unused();
  }

  @Override
  protected int peekData(DatagramPacket p) throws IOException {
    throw unused();
  }

  @Override
  protected void receive(DatagramPacket p) throws IOException {
    throw unused();
  }

  @Override
  @Deprecated
  @SuppressWarnings("removal")
  protected void setTTL(byte ttl) throws IOException {
    throw unused();
  }

  @Override
  @Deprecated
  @SuppressWarnings("removal")
  protected byte getTTL() throws IOException {
    throw unused();
  }

  @Override
  protected void setTimeToLive(int ttl) throws IOException {
    throw unused();
  }

  @Override
  protected int getTimeToLive() throws IOException {
    throw unused();
  }

  @Override
  protected void join(InetAddress inetaddr) throws IOException {
    throw unused();
  }

  @Override
  protected void leave(InetAddress inetaddr) throws IOException {
    throw unused();
  }

  @Override
  protected void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
    throw unused();
  }

  @Override
  protected void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
    throw unused();
  }

  @Override
  protected void close() {
    // nothing was opened
  }

  @Override
  public void setOption(int optID, Object value) throws SocketException {
    throw unused();
  }

  @Override
  public Object getOption(int optID) throws SocketException {
    throw unused();
  }
}
