package dev.jdgram;

import dev.jdgram.handle.ErrorReport;
import dev.jdgram.handle.HandleListener;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.observe.LoopEvents;
import dev.jdgram.observe.SlowCallbackEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The handle's calls up: datagrams become {@code message} and in-place {@code datagram} events,
 * receive errors become {@code error}, an emptied write queue becomes {@code drain}. Apart from
 * the socket because it is the per-datagram hot path: it iterates the listener arrays without
 * lambdas and reuses the sender's text and one {@link InPlaceDatagram}, so a datagram seen only
 * in place allocates nothing. Loop thread only.
 */
final class Receiver implements HandleListener {
  private final DgramSocket socket;
  private final LoopContext ctx;
  private final BlockList blocked;
  private final AddressText addresses;
  private final Listeners<MessageListener> messageListeners;
  private final Listeners<DatagramListener> datagramListeners;
  private InetSocketAddress lastFrom;
  private String lastText;
  private String lastFamily;
  private final InPlaceDatagram inPlace;
  private final SocketCounters counters;
  /** While listeners run: the datagram they are told of, for {@link #current()}. */
  private boolean delivering;

  Receiver(DgramSocket socket, LoopContext ctx, BlockList receiveBlockList, AddressText addresses,
      Listeners<MessageListener> messageListeners, Listeners<DatagramListener> datagramListeners,
      SocketCounters counters) {
    this.counters = counters;
    this.socket = socket;
    this.ctx = ctx;
    this.blocked = receiveBlockList;
    this.addresses = addresses;
    this.messageListeners = messageListeners;
    this.datagramListeners = datagramListeners;
    this.inPlace = new InPlaceDatagram(addresses);
  }

  @Override
  public void onRecv(ByteBuffer data, InetSocketAddress from, RecvInfo info) {
    if (blocked != null && blocked.check(from.getAddress())) {
      counters.blocked();
      return; // dropped, as Node drops datagrams from a receive block list
    }
    counters.received(data.remaining());
    if (from != lastFrom) { // transports hand back the same object for the same sender
      lastFrom = from;
      lastText = addresses.format(from.getAddress());
      lastFamily = addresses.familyOf(from.getAddress());
    }
    inPlace.set(data, lastText, lastFamily, from.getPort(), info);
    delivering = true;
    try {
      deliver(data, from);
    } finally {
      delivering = false;
    }
  }

  private void deliver(ByteBuffer data, InetSocketAddress from) {
    // the poll phase's callbacks, timed here apart from the loop's wait; null unless recorded
    SlowCallbackEvent slow = LoopEvents.callbackBegin();
    Listeners.Entry<DatagramListener>[] inPlaceListeners = datagramListeners.array();
    if (inPlaceListeners.length > 0) {
      for (Listeners.Entry<DatagramListener> e : inPlaceListeners) {
        inPlace.rewind(); // a listener that moved the view does not move it for the next
        try {
          e.listener.onDatagram(inPlace);
        } catch (Throwable t) {
          ctx.uncaught(t);
        }
      }
    }
    Listeners.Entry<MessageListener>[] copyListeners = messageListeners.array();
    if (copyListeners.length > 0) {
      byte[] msg = new byte[data.remaining()];
      data.duplicate().get(msg);
      RemoteInfo rinfo = new RemoteInfo(lastText, lastFamily, from.getPort(), msg.length);
      for (Listeners.Entry<MessageListener> e : copyListeners) {
        try {
          e.listener.onMessage(msg, rinfo);
        } catch (Throwable t) {
          ctx.uncaught(t);
        }
      }
    }
    if (slow != null) {
      LoopEvents.callbackEnd(slow, "poll", listenerClass(inPlaceListeners, copyListeners), Thread.currentThread().getName());
    }
  }

  /** The class a slow delivery is blamed on: the first listener's (the common case is one). */
  private static Class<?> listenerClass(Listeners.Entry<DatagramListener>[] inPlace,
      Listeners.Entry<MessageListener>[] copy) {
    return inPlace.length > 0 ? inPlace[0].listener.getClass()
        : copy.length > 0 ? copy[0].listener.getClass() : Receiver.class;
  }

  /** @return the datagram whose listeners are running, or null outside them. Loop thread. */
  Datagram current() {
    if (delivering) {
      inPlace.rewind();
      return inPlace;
    }
    return null;
  }

  @Override
  public void onErrorReport(ErrorReport report) {
    socket.emitIcmpError(report);
  }

  @Override
  public void onRecvError(int errno) {
    counters.receiveError();
    socket.emitError(Errors.errno(errno, "recvmsg"));
  }

  @Override
  public void onWriteQueueDrained() {
    socket.writeQueueDrained();
  }
}
