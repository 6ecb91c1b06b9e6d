package dev.jdgram;

import dev.jdgram.handle.LoopContext;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Flow;

/**
 * The datagrams a socket receives as a {@link Flow.Publisher}, whose demand drives the socket:
 * while the subscriber has no outstanding demand the socket stops reading (its handle stops
 * polling, libuv's {@code uv_udp_recv_stop}), so the kernel's receive buffer fills and the kernel
 * drops what does not fit, and counts it ({@link SocketStats#receiveDrops()}), instead of the
 * JVM buffering without bound. New demand starts reading again.
 *
 * <pre>{@code
 * DgramSocket socket = Dgram.createSocket("udp4");
 * Flow.Publisher<ReceivedDatagram> datagrams = socket.publisher(); // the socket pauses until demand
 * datagrams.subscribe(mySubscriber);
 * socket.bind(41234);
 * }</pre>
 *
 * <p>Unicast: one subscriber; a second one gets {@code onSubscribe} and then {@code onError} with
 * an {@link IllegalStateException}. Every signal runs on the socket's loop thread, so a slow
 * {@code onNext} slows the loop; hand work to an executor of your own. The stream completes
 * when the socket closes, or after {@code maxDatagrams} datagrams; a cancelled or completed
 * stream lets the socket read as before (its other listeners go on receiving). Datagrams that
 * arrive with the subscriber's demand spent, within the wake-up that spent it, are held until the
 * next request (at most {@value #HELD_MAX}; the handle reads at most a batch per wake-up, and
 * the socket stops reading at the end of that phase); datagrams still held when the socket
 * closes, and any beyond that bound, are dropped and counted in {@link #dropped()}.
 *
 * <p>While the publisher waits for demand its socket reads nothing, for every listener: the
 * publisher is meant to be the socket's consumer.
 */
public final class DatagramPublisher implements Flow.Publisher<ReceivedDatagram> {
  /** The most datagrams held past the demand: well above one wake-up's receive batch (32). */
  static final int HELD_MAX = 1024;

  private final DgramSocket socket;
  private final LoopContext ctx;
  private final long maxDatagrams;
  private final MessageListener onMessage = this::onMessage;
  private final Runnable onClose = this::onClose;
  private final Runnable pauseAtPhaseEnd = this::pauseIfIdle;

  // Loop thread only.
  private Sub sub; // the subscription, while active
  private boolean subscribedOnce;
  private boolean paused;
  private boolean pauseDue;
  private boolean ended; // completed, cancelled or failed: the publisher let the socket go
  private long delivered;
  private final ArrayDeque<ReceivedDatagram> held = new ArrayDeque<>();
  private volatile long dropped;

  private DatagramPublisher(DgramSocket socket, long maxDatagrams) {
    this.socket = socket;
    this.ctx = socket.ctx();
    this.maxDatagrams = maxDatagrams;
    socket.onLoop(this::attach);
  }

  /**
   * A publisher of every datagram {@code socket} receives, until it closes. The socket stops
   * reading at once, until a subscriber requests.
   *
   * @param socket the socket, bound or not
   * @return the publisher
   */
  public static DatagramPublisher of(DgramSocket socket) {
    return of(socket, Long.MAX_VALUE);
  }

  /**
   * A publisher of at most {@code maxDatagrams} datagrams: after the last, it completes.
   *
   * @param socket the socket, bound or not
   * @param maxDatagrams how many, 0 or more ({@code Long.MAX_VALUE}: no limit)
   * @return the publisher
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for a null socket,
   *     {@code ERR_OUT_OF_RANGE} for a negative count
   */
  public static DatagramPublisher of(DgramSocket socket, long maxDatagrams) {
    if (socket == null) {
      throw Errors.invalidArgType("socket", "of type DgramSocket", null);
    }
    if (maxDatagrams < 0) {
      throw Errors.outOfRange("maxDatagrams", ">= 0", maxDatagrams);
    }
    return new DatagramPublisher(socket, maxDatagrams);
  }

  /** @return datagrams this publisher dropped (held past the bound, or held when the socket closed) */
  public long dropped() {
    return dropped;
  }

  private void attach() {
    if (maxDatagrams == 0) {
      ended = true; // nothing to publish: the socket is never paused
      return;
    }
    socket.onMessage(onMessage);
    socket.onClose(onClose);
    pause();
  }

  @Override
  public void subscribe(Flow.Subscriber<? super ReceivedDatagram> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber"); // Reactive Streams 1.9
    socket.onLoop(() -> start(subscriber));
  }

  private void start(Flow.Subscriber<? super ReceivedDatagram> s) {
    if (subscribedOnce) {
      signalRejection(s, new IllegalStateException("this DatagramPublisher already has its subscriber"));
      return;
    }
    subscribedOnce = true;
    Sub subscription = new Sub(s);
    sub = subscription;
    try {
      s.onSubscribe(subscription);
    } catch (Throwable t) {
      end(); // 2.13: a subscriber that throws is cancelled
      ctx.uncaught(t);
      return;
    }
    if (sub == subscription && (ended || socket.isClosed())) {
      complete(); // nothing more will come
    }
  }

  private static void signalRejection(Flow.Subscriber<? super ReceivedDatagram> s, Throwable why) {
    s.onSubscribe(new Flow.Subscription() {
      @Override
      public void request(long n) {}

      @Override
      public void cancel() {}
    });
    s.onError(why);
  }

  /** The socket's {@code message} listener: deliver within demand, else hold. */
  private void onMessage(byte[] msg, RemoteInfo rinfo) {
    if (ended) {
      return;
    }
    if (held.size() < HELD_MAX) {
      held.add(new ReceivedDatagram(msg, rinfo));
    } else {
      dropped++;
    }
    Sub s = sub;
    if (s != null && !s.draining) {
      drain(s);
    }
    if (sub == null || sub.demand == 0) {
      pauseIfIdleLater();
    }
  }

  /** Delivers held datagrams within demand. Trampolined: a request from inside onNext only adds. */
  private void drain(Sub s) {
    s.draining = true;
    try {
      while (s.demand > 0 && !held.isEmpty() && sub == s) {
        deliver(s, held.poll());
      }
    } finally {
      s.draining = false;
    }
  }

  private void deliver(Sub s, ReceivedDatagram d) {
    s.demand--;
    delivered++;
    try {
      s.subscriber.onNext(d);
    } catch (Throwable t) {
      s.cancelled = true;
      end();
      ctx.uncaught(t);
      return;
    }
    if (delivered == maxDatagrams && sub == s) {
      complete();
    }
  }

  /**
   * The socket stops reading at the end of the phase in which demand ran out, not inside the
   * handle's callback: a handle that stops mid-batch would otherwise drop the rest of a batch it
   * has already taken from the kernel.
   */
  private void pauseIfIdleLater() {
    if (!pauseDue && !paused) {
      pauseDue = true;
      ctx.atPhaseEnd(pauseAtPhaseEnd);
    }
  }

  private void pauseIfIdle() {
    pauseDue = false;
    Sub s = sub;
    if (!ended && (s == null || s.demand == 0)) {
      pause();
    }
  }

  private void pause() {
    if (!paused && !ended) {
      paused = true;
      socket.pauseReceiving();
    }
  }

  private void resume() {
    if (paused) {
      paused = false;
      socket.resumeReceiving();
    }
  }

  /** Loop thread: demand arrived. */
  private void request(Sub s, long n) {
    if (s.cancelled || sub != s) {
      return;
    }
    if (n <= 0) {
      s.cancelled = true;
      end();
      s.subscriber.onError(new IllegalArgumentException(
          "Reactive Streams 3.9: request(n) needs n > 0, was " + n));
      return;
    }
    s.demand = s.demand + n < 0 ? Long.MAX_VALUE : s.demand + n; // 3.17: saturate
    if (s.draining) {
      return; // the drain below, further up this stack, takes the new demand
    }
    drain(s);
    if (sub == s && s.demand > 0) {
      resume();
    }
  }

  private void onClose() {
    if (sub != null) {
      complete();
    } else {
      end();
    }
  }

  private void complete() {
    Sub s = sub;
    end();
    if (s != null) {
      s.subscriber.onComplete();
    }
  }

  /** Lets the socket go: no more signals, reading as before, held datagrams dropped. */
  private void end() {
    if (ended && sub == null) {
      return;
    }
    ended = true;
    sub = null; // 3.13: drop the subscriber
    dropped += held.size();
    held.clear();
    socket.off(onMessage);
    socket.off(onClose);
    if (!socket.isClosed()) {
      resume();
    }
  }

  /** One subscription; every field is the loop thread's. */
  private final class Sub implements Flow.Subscription {
    final Flow.Subscriber<? super ReceivedDatagram> subscriber;
    long demand;
    boolean cancelled;
    boolean draining;

    Sub(Flow.Subscriber<? super ReceivedDatagram> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      socket.onLoop(() -> DatagramPublisher.this.request(this, n));
    }

    @Override
    public void cancel() {
      socket.onLoop(() -> {
        if (!cancelled) {
          cancelled = true;
          if (sub == this) {
            end();
          }
        }
      });
    }
  }
}
