package dev.jdgram.lifetime;

import dev.jdgram.loop.EventLoop;

/** Sets a referenced 500 ms timer on the default loop and returns from main. */
public final class TimerMain {
  private TimerMain() {}

  public static void main(String[] args) {
    long t0 = System.nanoTime();
    EventLoop.getDefault().setTimeout(() -> {
      System.out.println("fired " + (System.nanoTime() - t0) / 1_000_000);
      System.out.flush();
    }, 500);
    System.out.println("scheduled");
    System.out.flush();
  }
}
