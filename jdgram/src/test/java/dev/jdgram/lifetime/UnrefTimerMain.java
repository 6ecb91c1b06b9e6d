package dev.jdgram.lifetime;

import dev.jdgram.loop.EventLoop;

/** Sets an unref()ed 30 s timer on the default loop and returns from main. */
public final class UnrefTimerMain {
  private UnrefTimerMain() {}

  public static void main(String[] args) {
    EventLoop.getDefault().setTimeout(() -> {
      System.out.println("fired");
      System.out.flush();
    }, 30_000).unref();
    System.out.println("scheduled");
    System.out.flush();
  }
}
