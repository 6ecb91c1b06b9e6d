package dev.jdgram.sim;

import dev.jdgram.DgramException;
import dev.jdgram.DgramSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Helpers shared by the simulation tests. */
final class SimFixtures {
  private SimFixtures() {}

  static final Duration MS10 = Duration.ofMillis(10);

  /** Collects the text of received datagrams with their sender. */
  static final class Inbox {
    final List<String> got = Collections.synchronizedList(new ArrayList<>());

    void attach(DgramSocket s) {
      s.onMessage((msg, r) -> got.add(new String(msg, StandardCharsets.UTF_8) + "@" + r.address() + ":" + r.port()));
    }

    List<String> texts() {
      List<String> out = new ArrayList<>();
      for (String g : got) {
        out.add(g.substring(0, g.indexOf('@')));
      }
      return out;
    }
  }

  /** Collects errors (socket error events and send callbacks). */
  static final class Errors {
    final List<DgramException> seen = Collections.synchronizedList(new ArrayList<>());

    void attach(DgramSocket s) {
      s.onError(seen::add);
    }

    dev.jdgram.SendCallback cb() {
      return (e, n) -> {
        if (e != null) {
          seen.add(e);
        }
      };
    }

    List<String> codes() {
      return seen.stream().map(DgramException::code).toList();
    }
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Two hosts a (10.0.0.1) and b (10.0.0.2) on one LAN. */
  static final class TwoHosts implements AutoCloseable {
    final SimNetwork net;
    final Lan lan;
    final Host a;
    final Host b;

    TwoHosts(long seed) {
      net = SimNetwork.create(seed);
      lan = net.lan("lan0");
      a = net.host("a");
      a.nic("eth0", lan, "10.0.0.1/24", "fd00::1/64");
      b = net.host("b");
      b.nic("eth0", lan, "10.0.0.2/24", "fd00::2/64");
    }

    @Override
    public void close() {
      net.close();
    }
  }
}
