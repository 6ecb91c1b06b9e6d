package dev.jdgram.lifetime;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Binds a referenced socket on the default loop, prints its port and returns from main; the
 * socket closes itself when it receives "close".
 */
public final class RefSocketMain {
  private RefSocketMain() {}

  public static void main(String[] args) throws Exception {
    DgramSocket s = Dgram.createSocket("udp4");
    s.onMessage((msg, rinfo) -> {
      if ("close".equals(new String(msg, StandardCharsets.UTF_8))) {
        System.out.println("closing");
        System.out.flush();
        s.close();
      }
    });
    CountDownLatch listening = new CountDownLatch(1);
    s.bind(0, "127.0.0.1", listening::countDown);
    if (!listening.await(10, TimeUnit.SECONDS)) {
      System.out.println("not listening");
      System.exit(3);
    }
    System.out.println("port " + s.address().port());
    System.out.flush();
  }
}
