package dev.jdgram.examples.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jdgram.RemoteInfo;
import dev.jdgram.examples.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The syslog receiver fed by util-linux logger(1) over UDP on 127.0.0.1, in both formats. */
@Timeout(120)
class SyslogReceiverTest {
  private final BlockingQueue<SyslogMessage> received = new LinkedBlockingQueue<>();
  private final BlockingQueue<Exception> invalid = new LinkedBlockingQueue<>();
  private SyslogReceiver receiver;
  private int port;

  @BeforeEach
  void start() {
    receiver = new SyslogReceiver((SyslogMessage m, RemoteInfo rinfo) -> received.add(m),
        invalid::add);
    port = receiver.listen(0, "127.0.0.1").orTimeout(Tools.WAIT_SECONDS, TimeUnit.SECONDS)
        .join().port();
  }

  @AfterEach
  void stop() {
    receiver.close();
  }

  /** logger writes gethostname(2), which Linux keeps here. */
  private static String hostname() throws Exception {
    return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
  }

  private SyslogMessage next() throws InterruptedException {
    SyslogMessage m = received.poll(Tools.WAIT_SECONDS, TimeUnit.SECONDS);
    assertNotNull(m, () -> "nothing arrived; invalid: " + invalid);
    return m;
  }

  @Test
  void rfc5424FromLogger() throws Exception {
    Tools.need("logger", "bsdutils");
    Tools.check("logger", "--udp", "--server", "127.0.0.1", "--port", String.valueOf(port),
        "--rfc5424", "-p", "local3.warning", "-t", "myapp", "--id=4242", "--msgid", "ID47",
        "--sd-id", "ex@32473", "--sd-param", "k=\"v\\]x\"", "disk almost full");
    SyslogMessage m = next();
    assertEquals("RFC5424", m.format());
    assertEquals(19, m.facility());
    assertEquals("local3", m.facilityName());
    assertEquals(4, m.severity());
    assertEquals("warning", m.severityName());
    assertEquals(hostname(), m.hostname());
    assertEquals("myapp", m.appName());
    assertEquals("4242", m.procId());
    assertEquals("ID47", m.msgId());
    // logger adds its own timeQuality element before ours; the escaped ']' stays inside.
    assertTrue(m.structuredData().endsWith("[ex@32473 k=\"v\\]x\"]"), m.structuredData());
    assertTrue(m.timestamp().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*"),
        m.timestamp());
    assertEquals("disk almost full", m.message());
  }

  @Test
  void rfc3164FromLogger() throws Exception {
    Tools.need("logger", "bsdutils");
    Tools.check("logger", "--udp", "--server", "127.0.0.1", "--port", String.valueOf(port),
        "--rfc3164", "-p", "mail.err", "-t", "postfix", "--id=77", "queue file write error");
    SyslogMessage m = next();
    assertEquals("RFC3164", m.format());
    assertEquals("mail", m.facilityName());
    assertEquals("err", m.severityName());
    // RFC 3164 wants the host name without its domain; logger cuts it at the first dot.
    assertEquals(hostname().split("\\.")[0], m.hostname());
    assertEquals("postfix", m.appName());
    assertEquals("77", m.procId());
    assertNull(m.msgId());
    assertTrue(m.timestamp().matches("[A-Z][a-z]{2} [ 1-3]\\d \\d\\d:\\d\\d:\\d\\d"),
        m.timestamp());
    assertEquals("queue file write error", m.message());
  }

  @Test
  void notSyslogGoesToTheInvalidListenerAndTheReceiverGoesOn() throws Exception {
    Tools.need("logger", "bsdutils");
    try (var sender = java.nio.channels.DatagramChannel.open()) {
      sender.send(java.nio.ByteBuffer.wrap("no pri here".getBytes()),
          new java.net.InetSocketAddress("127.0.0.1", port));
    }
    assertNotNull(invalid.poll(Tools.WAIT_SECONDS, TimeUnit.SECONDS));
    Tools.check("logger", "--udp", "--server", "127.0.0.1", "--port", String.valueOf(port),
        "--rfc5424=notq", "-p", "user.info", "-t", "after", "still here");
    SyslogMessage m = next();
    assertEquals("user", m.facilityName());
    assertEquals("info", m.severityName());
    assertNull(m.structuredData());
    assertNull(m.procId());
    assertEquals("still here", m.message());
  }
}
