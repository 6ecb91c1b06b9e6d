package dev.jdgram.examples.ssdp;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.Timer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Advertises one service the SSDP way (UPnP Device Architecture, section 1): it announces
 * itself to the group with {@code NOTIFY ssdp:alive} when it starts and then periodically, says
 * {@code ssdp:byebye} when it stops, and answers every {@code M-SEARCH} for its type (or for
 * {@code ssdp:all}) with a unicast {@code 200 OK} to the searcher.
 *
 * <p>Two sockets: one bound to the group's address and port, which therefore receives only
 * what is sent to the group (searches, other services' notifications), and one bound to the
 * interface's address, which sends the notifications and the answers: an answer must come from
 * a unicast address.
 *
 * <pre>
 * java dev.jdgram.examples.ssdp.SsdpService 1900
 * printf 'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n' |
 *   socat -t 3 - UDP4-DATAGRAM:239.255.255.250:1900,ip-multicast-if=127.0.0.1,ip-multicast-ttl=0
 * </pre>
 *
 * <p>Fields are set before start and then touched on the loop thread only.
 */
public final class SsdpService implements AutoCloseable {
  private final MulticastScope scope;
  private final String type;
  private final String usn;
  private final String location;
  private final int maxAgeSeconds;
  private final long announceMillis;
  private final DgramSocket listener;
  private final DgramSocket sender;
  private Timer announcer;

  /**
   * @param scope the group, port, interface and TTL
   * @param type the notification type / search target ({@code urn:schemas-upnp-org:device:Basic:1})
   * @param usn the unique service name ({@code uuid:...::type})
   * @param location where the description is ({@code http://127.0.0.1:8080/desc.xml})
   * @param announceMillis how often to repeat {@code ssdp:alive} (UPnP: under half the max-age)
   */
  public SsdpService(MulticastScope scope, String type, String usn, String location,
      long announceMillis) {
    this.scope = scope;
    this.type = type;
    this.usn = usn;
    this.location = location;
    this.announceMillis = announceMillis;
    this.maxAgeSeconds = (int) Math.max(60, announceMillis * 3 / 1000);
    // reuseAddr: other SSDP programs on the host (or a second instance) share the group's port.
    this.listener = Dgram.createSocket(SocketOptions.of("udp4").reuseAddr(true), this::receive);
    this.sender = Dgram.createSocket("udp4");
  }

  /**
   * Joins the group, binds both sockets and sends the first {@code ssdp:alive}.
   *
   * @return completes when the service is listening, with the group port
   */
  public CompletableFuture<Integer> start() {
    CompletableFuture<Integer> started = new CompletableFuture<>();
    listener.onError(started::completeExceptionally);
    sender.onError(started::completeExceptionally);
    listener.bind(scope.port(), scope.group(), () -> {
      listener.addMembership(scope.group(), scope.interfaceAddress());
      sender.bind(0, scope.interfaceAddress(), () -> {
        sender.setMulticastInterface(scope.interfaceAddress());
        sender.setMulticastTTL(scope.ttl());
        notify("ssdp:alive");
        announcer = sender.loop().setInterval(() -> notify("ssdp:alive"), announceMillis);
        started.complete(groupPort());
      });
    });
    return started;
  }

  /** @return the port the group is listened on (the one asked for, or the one the kernel chose) */
  public int groupPort() {
    return listener.address().port();
  }

  /** Says {@code ssdp:byebye}, then closes both sockets. */
  @Override
  public void close() {
    sender.loop().execute(() -> {
      if (announcer != null) {
        announcer.cancel();
      }
      if (!started()) {
        listener.close();
        sender.close();
        return;
      }
      int port = groupPort();
      byte[] byebye = notifyMessage("ssdp:byebye").toBytes();
      listener.close();
      sender.send(byebye, port, scope.group(), (err, n) -> sender.close());
    });
  }

  /** @return true once both sockets are bound (loop thread) */
  private boolean started() {
    return announcer != null;
  }

  private void notify(String nts) {
    sender.send(notifyMessage(nts).toBytes(), groupPort(), scope.group(), null);
  }

  private SsdpMessage notifyMessage(String nts) {
    return nts.equals("ssdp:byebye")
        ? SsdpMessage.of("NOTIFY * HTTP/1.1", "HOST", host(), "NT", type, "NTS", nts, "USN", usn)
        : SsdpMessage.of("NOTIFY * HTTP/1.1", "HOST", host(), "CACHE-CONTROL",
            "max-age=" + maxAgeSeconds, "LOCATION", location, "NT", type, "NTS", nts,
            "SERVER", "Java/25 UPnP/1.1 jdgram-examples/1", "USN", usn);
  }

  private String host() {
    return scope.group() + ":" + groupPort();
  }

  private void receive(byte[] datagram, RemoteInfo rinfo) {
    SsdpMessage m = SsdpMessage.parse(datagram);
    if (m == null || !m.isSearch() || !"\"ssdp:discover\"".equals(m.header("MAN"))) {
      return;
    }
    String st = m.header("ST");
    if (st == null || !(st.equals("ssdp:all") || st.equals(type) || usn.startsWith(st))) {
      return;
    }
    SsdpMessage reply = SsdpMessage.of("HTTP/1.1 200 OK", "CACHE-CONTROL",
        "max-age=" + maxAgeSeconds, "EXT", "", "LOCATION", location, "SERVER",
        "Java/25 UPnP/1.1 jdgram-examples/1", "ST", st.equals("ssdp:all") ? type : st,
        "USN", usn);
    // UPnP: answer after a random delay of up to MX seconds, so that a search does not bring
    // every device's answer at the same instant. Capped at one second here.
    long delay = ThreadLocalRandom.current().nextLong(mxMillis(m.header("MX")) + 1);
    sender.loop().setTimeout(
        () -> sender.send(reply.toBytes(), rinfo.port(), rinfo.address(), null), delay);
  }

  private static long mxMillis(String mx) {
    try {
      return Math.min(1000, Math.max(0, Integer.parseInt(mx.strip())) * 1000L);
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /**
   * Advertises a basic device on 127.0.0.1 until stopped.
   *
   * @param args the group port (default 1900)
   */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : MulticastScope.SSDP_PORT;
    SsdpService service = new SsdpService(MulticastScope.loopback(port),
        "urn:schemas-upnp-org:device:Basic:1",
        "uuid:2f402f80-da50-11e1-9b23-0017880a0001::urn:schemas-upnp-org:device:Basic:1",
        "http://127.0.0.1:8080/description.xml", 30_000);
    int bound = service.start().join();
    Runtime.getRuntime().addShutdownHook(new Thread(service::close));
    System.err.println("advertising on " + MulticastScope.SSDP_GROUP + ":" + bound
        + " via 127.0.0.1");
  }
}
