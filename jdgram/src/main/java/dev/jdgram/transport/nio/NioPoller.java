package dev.jdgram.transport.nio;

import dev.jdgram.handle.Poller;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;

/** The poll phase over a {@link Selector}: each ready key's attachment is told its ready set. */
final class NioPoller implements Poller {
  /** What a registered channel's attachment does when the channel is ready. */
  interface Watcher {
    /** Called on the loop thread with the key's ready operations. */
    void onReady(int readyOps);
  }

  final Selector selector;
  // Mutable state: loop thread only (wakeup() touches only the selector, which is thread-safe).
  /** Close callbacks waiting for the select that releases their channels' descriptors. */
  private final ArrayDeque<Runnable> afterPoll = new ArrayDeque<>();

  NioPoller() {
    try {
      selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a Selector", e);
    }
  }

  @Override
  public boolean hasPendingCallbacks() {
    return !afterPoll.isEmpty();
  }

  /** Runs {@code r} on the loop thread after the next select (which will not block). */
  void afterNextPoll(Runnable r) {
    afterPoll.add(r);
  }

  @Override
  public int poll(long timeoutMillis) {
    int closing = afterPoll.size();
    if (closing > 0) {
      timeoutMillis = 0;
    }
    int n;
    try {
      if (timeoutMillis == 0) {
        n = selector.selectNow(NioPoller::dispatch);
      } else if (timeoutMillis < 0) {
        n = selector.select(NioPoller::dispatch);
      } else {
        n = selector.select(NioPoller::dispatch, timeoutMillis);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("select failed", e);
    }
    for (int i = 0; i < closing; i++) {
      afterPoll.poll().run();
    }
    return n + closing;
  }

  private static void dispatch(SelectionKey key) {
    if (key.isValid()) {
      ((Watcher) key.attachment()).onReady(key.readyOps());
    }
  }

  @Override
  public void wakeup() {
    selector.wakeup();
  }

  @Override
  public void close() {
    Runnable r;
    while ((r = afterPoll.poll()) != null) {
      r.run();
    }
    try {
      for (SelectionKey k : selector.keys()) {
        k.channel().close();
      }
      selector.close();
    } catch (IOException e) {
      // nothing else holds these descriptors; the close is best effort
    }
  }
}
