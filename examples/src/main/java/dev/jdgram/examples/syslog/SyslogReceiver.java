package dev.jdgram.examples.syslog;

import dev.jdgram.AddressInfo;
import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A syslog receiver: binds a UDP port (514 is the standard one, RFC 5426) and hands every
 * message, parsed, to a listener on the loop thread. A datagram that is not syslog goes to the
 * {@code onInvalid} listener instead of ending the receiver: a log collector keeps running
 * whatever it is sent.
 *
 * <pre>
 * java dev.jdgram.examples.syslog.SyslogReceiver 5514
 * logger --udp --server 127.0.0.1 --port 5514 --rfc5424 -p local3.warning -t myapp hello
 * </pre>
 */
public final class SyslogReceiver implements AutoCloseable {
  private final DgramSocket socket;

  /**
   * @param onMessage called with each parsed message and its sender
   * @param onInvalid called with what could not be parsed and why
   */
  public SyslogReceiver(BiConsumer<SyslogMessage, RemoteInfo> onMessage,
      Consumer<IllegalArgumentException> onInvalid) {
    socket = Dgram.createSocket("udp4", (msg, rinfo) -> {
      SyslogMessage m;
      try {
        m = SyslogParser.parse(msg);
      } catch (IllegalArgumentException e) {
        onInvalid.accept(e);
        return;
      }
      onMessage.accept(m, rinfo);
    });
  }

  /**
   * Binds, and completes with the bound address once listening.
   *
   * @param port the UDP port, 0 for any
   * @param address the local address ({@code "127.0.0.1"}, or null for all)
   * @return the bound address
   */
  public CompletableFuture<AddressInfo> listen(int port, String address) {
    CompletableFuture<AddressInfo> bound = new CompletableFuture<>();
    // A failed bind arrives as the socket's error event (EADDRINUSE, EACCES below 1024).
    socket.onError(bound::completeExceptionally);
    socket.bind(port, address, () -> bound.complete(socket.address()));
    return bound;
  }

  @Override
  public void close() {
    socket.close();
  }

  /**
   * Prints each message as {@code facility.severity host app[pid]: text}.
   *
   * @param args the port (default 5514) and the address (default 127.0.0.1)
   */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 5514;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    SyslogReceiver receiver = new SyslogReceiver(
        (m, rinfo) -> System.out.println(rinfo.address() + " " + m),
        e -> System.err.println("not syslog: " + e.getMessage()));
    AddressInfo bound = receiver.listen(port, address).join();
    System.err.println("syslog receiver on " + bound.address() + ":" + bound.port());
    // The bound socket keeps the default loop, and so the JVM, alive.
  }
}
