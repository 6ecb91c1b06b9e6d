package dev.jdgram.lifetime;

import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Binds a socket on the default loop, unref()s it, prints "bound" and returns from main. */
public final class UnrefSocketMain {
  private UnrefSocketMain() {}

  public static void main(String[] args) throws Exception {
    DgramSocket s = Dgram.createSocket("udp4");
    CountDownLatch listening = new CountDownLatch(1);
    s.bind(0, "127.0.0.1", listening::countDown);
    if (!listening.await(10, TimeUnit.SECONDS)) {
      System.out.println("not listening");
      System.exit(3);
    }
    s.unref();
    System.out.println("bound " + s.address().port());
    System.out.flush();
  }
}
