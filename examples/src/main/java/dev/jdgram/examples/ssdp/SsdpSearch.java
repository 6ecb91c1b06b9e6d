package dev.jdgram.examples.ssdp;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Looks for services: sends one {@code M-SEARCH} to the group and collects the unicast
 * {@code 200 OK} answers that arrive within the wait, then closes its socket.
 *
 * <pre>
 * java dev.jdgram.examples.ssdp.SsdpSearch 1900 ssdp:all
 * </pre>
 */
public final class SsdpSearch {
  private SsdpSearch() {}

  /**
   * @param scope the group, port, interface and TTL
   * @param target what to look for ({@code ssdp:all}, a type, or a {@code uuid:...})
   * @param waitMillis how long to collect answers (MX is set to the whole seconds in it, 1 at
   *     least)
   * @return the answers, when the wait is over
   */
  public static CompletableFuture<List<SsdpMessage>> search(MulticastScope scope, String target,
      long waitMillis) {
    CompletableFuture<List<SsdpMessage>> done = new CompletableFuture<>();
    List<SsdpMessage> answers = new ArrayList<>(); // touched on the loop thread only
    DgramSocket socket = Dgram.createSocket("udp4", (msg, rinfo) -> {
      SsdpMessage m = SsdpMessage.parse(msg);
      if (m != null && m.isSearchResponse()) {
        answers.add(m);
      }
    });
    socket.onError(e -> {
      done.completeExceptionally(e);
      socket.close();
    });
    SsdpMessage search = SsdpMessage.of("M-SEARCH * HTTP/1.1",
        "HOST", scope.group() + ":" + scope.port(), "MAN", "\"ssdp:discover\"",
        "MX", String.valueOf(Math.max(1, waitMillis / 1000)), "ST", target);
    socket.bind(0, scope.interfaceAddress(), () -> {
      socket.setMulticastInterface(scope.interfaceAddress());
      socket.setMulticastTTL(scope.ttl());
      socket.send(search.toBytes(), scope.port(), scope.group(), null);
      socket.loop().setTimeout(() -> {
        socket.close();
        done.complete(List.copyOf(answers));
      }, waitMillis);
    });
    return done;
  }

  /**
   * Prints each answer's USN and LOCATION.
   *
   * @param args the group port (default 1900) and the search target (default ssdp:all)
   */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : MulticastScope.SSDP_PORT;
    String target = args.length > 1 ? args[1] : "ssdp:all";
    for (SsdpMessage m : search(MulticastScope.loopback(port), target, 2000).join()) {
      System.out.println(m.header("USN") + " at " + m.header("LOCATION"));
    }
  }
}
