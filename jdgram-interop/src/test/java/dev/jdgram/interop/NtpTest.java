package dev.jdgram.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.commons.net.ntp.NTPUDPClient;
import org.apache.commons.net.ntp.NtpV3Packet;
import org.apache.commons.net.ntp.TimeInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Commons Net's NTPUDPClient, on jdgram through its socket factory, reading the time from
 * chrony's {@code chronyd}, started here in the foreground as a stratum-8 server of its local
 * clock on a loopback port. {@code -x}: it never touches the system clock.
 */
class NtpTest {
  @TempDir Path dir;
  private Daemon chronyd;
  private int port;

  @BeforeEach
  void startServer() throws Exception {
    String exe = Daemon.require("chronyd", "chrony");
    for (int attempt = 0; attempt < 5; attempt++) {
      port = Daemon.freePort();
      Path conf = dir.resolve("chrony.conf");
      Files.writeString(conf, String.join("\n",
          "port " + port,
          "bindaddress 127.0.0.1",
          "allow 127.0.0.1",
          "local stratum 8", // serve the local clock: no upstream, nothing leaves the machine
          "cmdport 0",
          "pidfile " + dir.resolve("chronyd.pid"),
          "driftfile " + dir.resolve("drift"),
          ""));
      chronyd = Daemon.start(dir, "chronyd", List.of(exe, "-d", "-x", "-u",
          System.getProperty("user.name"), "-f", conf.toString()));
      Thread.sleep(500);
      if (chronyd.isAlive()) {
        return;
      }
      chronyd.close();
    }
    throw new IllegalStateException("chronyd did not start: " + chronyd.log());
  }

  @AfterEach
  void stopServer() throws Exception {
    if (chronyd != null) {
      chronyd.close();
    }
  }

  @Test
  void readsTheTimeFromChrony() throws Exception {
    JdgramSocketFactory sockets = new JdgramSocketFactory();
    NTPUDPClient client = new NTPUDPClient();
    client.setDatagramSocketFactory(sockets);
    client.setDefaultTimeout(Duration.ofSeconds(3));
    client.open();
    TimeInfo info = null;
    try {
      for (int attempt = 0; attempt < 10 && info == null; attempt++) {
        try {
          info = client.getTime(InetAddress.getLoopbackAddress(), port);
        } catch (SocketTimeoutException e) {
          // the server may still be starting
        }
      }
    } finally {
      client.close();
    }
    assertEquals(1, sockets.created.get(), "the client's socket was jdgram's");
    assertTrue(info != null, "no answer; server log: " + chronyd.log());
    NtpV3Packet m = info.getMessage();
    assertEquals(NtpV3Packet.MODE_SERVER, m.getMode());
    assertEquals(8, m.getStratum(), "chrony's 'local stratum 8'");
    long skew = Math.abs(m.getTransmitTimeStamp().getTime() - System.currentTimeMillis());
    assertTrue(skew < 60_000, "the server's clock is this machine's: off by " + skew + " ms");
  }
}
