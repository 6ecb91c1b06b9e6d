package dev.jdgram.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.commons.net.tftp.TFTP;
import org.apache.commons.net.tftp.TFTPClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Commons Net's TFTPClient, on jdgram through its socket factory, fetching a 1 MiB file
 * from and putting one to tftpd-hpa ({@code in.tftpd}), started here in the foreground on a
 * loopback port (2048 blocks each way: the block number and the server's per-transfer port are
 * exercised).
 */
class TftpTest {
  private static final int SIZE = 1 << 20;
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @TempDir Path dir;
  private Daemon tftpd;
  private int port;
  private Path root;

  @BeforeEach
  void startServer() throws Exception {
    String exe = Daemon.require("in.tftpd", "tftpd-hpa");
    root = dir.resolve("root");
    Files.createDirectories(root);
    Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxrwxrwx"));
    for (int attempt = 0; attempt < 5; attempt++) {
      port = Daemon.freePort();
      // -L: foreground; -a: listen on this address only; -c: allow creating files (puts);
      // -p and -u root: no further permission checks or user switch, as the test's user;
      // -s: serve only the directory (chroot)
      tftpd = Daemon.start(dir, "tftpd", List.of(exe, "-L", "-a", "127.0.0.1:" + port, "-c", "-p",
          "-u", System.getProperty("user.name"), "-s", root.toString()));
      Thread.sleep(300);
      if (tftpd.isAlive()) {
        return;
      }
      tftpd.close();
    }
    throw new IllegalStateException("in.tftpd did not start: " + tftpd.log());
  }

  @AfterEach
  void stopServer() throws Exception {
    if (tftpd != null) {
      tftpd.close();
    }
  }

  private static byte[] randomBytes(long seed) {
    byte[] b = new byte[SIZE];
    new Random(seed).nextBytes(b);
    return b;
  }

  private TFTPClient client(JdgramSocketFactory sockets) throws IOException {
    TFTPClient c = new TFTPClient();
    c.setDatagramSocketFactory(sockets);
    c.setDefaultTimeout(Duration.ofSeconds(5));
    c.setMaxTimeouts(5);
    return c;
  }

  @Test
  void fetchesAFile() throws Exception {
    byte[] content = randomBytes(1);
    Files.write(root.resolve("get.bin"), content);
    JdgramSocketFactory sockets = new JdgramSocketFactory();
    TFTPClient c = client(sockets);
    c.open();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      c.receiveFile("get.bin", TFTP.BINARY_MODE, out, LOOPBACK, port);
    } finally {
      c.close();
    }
    assertEquals(1, sockets.created.get(), "the client's socket was jdgram's");
    assertArrayEquals(content, out.toByteArray(), "server log: " + tftpd.log());
  }

  @Test
  void putsAFile() throws Exception {
    byte[] content = randomBytes(2);
    JdgramSocketFactory sockets = new JdgramSocketFactory();
    TFTPClient c = client(sockets);
    c.open();
    try {
      c.sendFile("put.bin", TFTP.BINARY_MODE, new ByteArrayInputStream(content), LOOPBACK, port);
    } finally {
      c.close();
    }
    assertEquals(1, sockets.created.get());
    Path written = root.resolve("put.bin");
    // the server writes the last block after its final ACK: give it a moment
    for (int i = 0; i < 50 && (!Files.exists(written) || Files.size(written) < SIZE); i++) {
      Thread.sleep(100);
    }
    assertTrue(Files.exists(written), "server log: " + tftpd.log());
    assertArrayEquals(content, Files.readAllBytes(written));
  }
}
