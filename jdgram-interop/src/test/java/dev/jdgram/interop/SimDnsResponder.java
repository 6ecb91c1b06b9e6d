package dev.jdgram.interop;

import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import dev.jdgram.sim.Host;
import java.io.IOException;
import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * A DNS responder on jdgram for a simulated host: names {@code host-N.example.test} have the A
 * record 192.0.2.N; anything else is NXDOMAIN. Loop thread only.
 */
final class SimDnsResponder {
  final AtomicInteger questions = new AtomicInteger();
  private final DgramSocket socket;

  SimDnsResponder(Host host, String address, int port) {
    socket = host.socket("udp4");
    socket.onMessage(this::answer);
    socket.bind(port, address);
  }

  void close() {
    socket.close();
  }

  private void answer(byte[] msg, RemoteInfo from) {
    questions.incrementAndGet();
    try {
      Message q = new Message(msg);
      Record question = q.getQuestion();
      Message a = new Message(q.getHeader().getID());
      a.getHeader().setFlag(Flags.QR);
      a.getHeader().setFlag(Flags.AA);
      a.addRecord(question, Section.QUESTION);
      String label = question.getName().getLabelString(0);
      if (label.startsWith("host-") && question.getName().toString().endsWith(".example.test.")) {
        int n = Integer.parseInt(label.substring(5));
        a.addRecord(new ARecord(question.getName(), DClass.IN, 60,
            InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) n})), Section.ANSWER);
      } else {
        a.getHeader().setRcode(Rcode.NXDOMAIN);
      }
      byte[] wire = a.toWire();
      socket.send(wire, from.port(), from.address());
    } catch (IOException | RuntimeException e) {
      // a malformed question gets no answer, as a server drops what it cannot parse
    }
  }
}
