package dev.jdgram;

import dev.jdgram.handle.IpLiteral;
import dev.jdgram.SocketState.BindState;
import dev.jdgram.SocketState.ConnectState;
import dev.jdgram.SocketState.QueuedOp;
import dev.jdgram.handle.Errno;
import dev.jdgram.handle.ErrorReport;
import dev.jdgram.handle.RecvInfo;
import dev.jdgram.handle.SendInfo;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.SysError;
import dev.jdgram.handle.PullReader;
import dev.jdgram.handle.UdpHandle;
import dev.jdgram.loop.EventLoop;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A UDP socket with Node's {@code dgram.Socket} semantics: the bind/connect state machine, the
 * queue of work that waits for {@code listening}, implicit bind on send and connect, events.
 *
 * <p>Every method may be called from any thread. Listeners and callbacks run on the socket's
 * loop thread, never inside the caller's stack. Argument and state errors throw
 * {@link DgramException} synchronously, as Node throws them; failures of the network (bind,
 * connect, send, look-up) reach the callback or the {@code error} event.
 */
public final class DgramSocket implements AutoCloseable {
  // The facade: argument checks, the bind/connect state transitions, events. The work on its
  // way lives in small helpers of the package: SendOp, BatchOp, ConnectOp and CloseOp (one
  // operation each), Resolver (look-ups), Receiver and InPlaceDatagram (handle to events),
  // AddressText, Payloads and BatchDestination.
  static {
    // java.net's DatagramSocket on jdgram (dev.jdgram.compat) reads on its caller's thread
    // through the handle's PullReader: its door to a socket's handle and to that reader, which
    // the socket counts in its stats
    UdpHandle.Access.install(socket -> ((DgramSocket) socket).handle(), socket -> ((DgramSocket) socket).pullReader());
  }

  private final boolean ipv6;
  private final LoopContext ctx;
  private final EventLoop loop;
  private final Resolver resolver;
  private final AddressText addresses;
  private final SocketOptions options;
  /** Guards {@link #state}. Never held while a listener runs. */
  private final Object lock = new Object();
  private final SocketState state;
  private final Receiver receiver;
  /** The counters behind {@link #stats()}; written on the loop thread (see SocketCounters). */
  private final SocketCounters counters;
  /** Lifecycle and errors to the Flight Recorder and the DEBUG log; never per datagram. */
  private final SocketObserver observer;
  /** The destination of the last batch, resolved once: repeated batches allocate nothing. */
  private final BatchDestination batchDestination = new BatchDestination();
  private final BatchDestination sendDestination = new BatchDestination();
  /** The loop thread's sends that nothing waits ahead of, straight to the handle. */
  private final DirectSend direct;
  /** The general-path sends not at the handle yet, which {@link DirectSend} waits behind. */
  final SendsUnderway sendsUnderway = new SendsUnderway();

  private final Listeners<MessageListener> messageListeners = new Listeners<>();
  private final Listeners<DatagramListener> datagramListeners = new Listeners<>();
  private final Listeners<Runnable> drainListeners = new Listeners<>();
  private final Listeners<Runnable> listeningListeners = new Listeners<>();
  private final Listeners<Runnable> connectListeners = new Listeners<>();
  private final Listeners<Runnable> closeListeners = new Listeners<>();
  private final Listeners<Consumer<DgramException>> errorListeners = new Listeners<>();
  private final Listeners<Consumer<IcmpError>> icmpErrorListeners = new Listeners<>();

  private boolean loopRefHeld; // loop thread
  private boolean needDrain; // loop thread: a send was refused at the high-water mark
  private Runnable pendingBindCallback; // guarded by lock
  /** A {@link #bindAsync} future's failure path: takes the bind error in place of {@code error}. */
  private Consumer<DgramException> pendingBindFailure; // guarded by lock

  DgramSocket(SocketOptions options, MessageListener onMessage) {
    if (!"udp4".equals(options.type) && !"udp6".equals(options.type)) {
      throw Errors.badType();
    }
    this.options = options;
    this.ipv6 = "udp6".equals(options.type);
    this.loop = options.loop != null ? options.loop : EventLoop.getDefault();
    this.ctx = LoopContext.of(loop);
    if (!ctx.isOpen()) {
      throw new DgramException("ERR_INVALID_STATE", "The event loop is closed");
    }
    Lookup lookup = options.lookup != null ? options.lookup : DefaultLookup.INSTANCE;
    this.resolver = new Resolver(ctx, lookup, ipv6);
    this.addresses = new AddressText(ipv6);
    this.counters = new SocketCounters(ctx);
    this.observer = new SocketObserver(options.type, ctx.transport().name(), addresses);
    counters.phaseObserver(observer);
    this.receiver = new Receiver(this, ctx, options.receiveBlockList, addresses,
        messageListeners, datagramListeners, counters);
    this.direct = new DirectSend(this, counters);
    try {
      this.state = new SocketState(UdpHandle.open(ctx, ipv6, options.host));
    } catch (IllegalArgumentException e) {
      throw DgramException.of("ERR_INVALID_ARG_VALUE", e.getMessage());
    }
    if (options.recvMeta != 0) {
      // asked at bind (a transport that cannot tell them fails it); a socket that asks for any of
      // a datagram's facts gets its destination and interface too, unless packetInfo(false)
      state.handle.wantRecvInfo(options.recvMeta | (options.packetInfo ? RecvInfo.PKTINFO : 0));
    }
    if (onMessage != null) {
      messageListeners.add(onMessage, false);
    }
    ctx.track(this);
  }

  // ================================================================== events

  /**
   * Adds a {@code message} listener.
   *
   * @param l called with each datagram and its sender
   * @return this socket
   */
  public DgramSocket onMessage(MessageListener l) {
    messageListeners.add(requireListener(l), false);
    return this;
  }

  /**
   * Adds a listener that sees each datagram in place, without a copy or any allocation: the
   * zero-copy alternative to {@link #onMessage}. The {@link Datagram} and its buffer are valid
   * only during the call. On the linux transport it also tells the datagram's destination
   * address and arrival interface, unless {@link SocketOptions#packetInfo(boolean)} turned that off.
   *
   * @param l called with each datagram
   * @return this socket
   */
  public DgramSocket onDatagram(DatagramListener l) {
    datagramListeners.add(requireListener(l), false);
    synchronized (lock) {
      if (state.handle != null && options.packetInfo) {
        state.handle.wantRecvInfo(); // destination and interface cost the kernel work: only now
      }
    }
    return this;
  }
  /**
   * The datagram whose {@code message} or {@code datagram} listeners are running now, with what
   * the kernel told of it beyond the sender ({@link Datagram#ttl()}, {@link Datagram#tos()},
   * {@link Datagram#timestampNanos()}, {@link Datagram#localAddress()}, as the socket's options
   * asked for): how an {@link #onMessage} listener, whose {@link RemoteInfo} carries only the
   * sender, reads them. Valid only inside such a listener, on the loop thread.
   *
   * @return the datagram being delivered, or null outside a receive listener
   */
  public Datagram currentDatagram() {
    return ctx.inLoop() ? receiver.current() : null;
  }


  /**
   * Adds a {@code drain} listener: a send was refused because the queue of sends waiting for the
   * kernel had reached {@link SocketOptions#sendQueueHighWaterMark}, and the queue has now
   * emptied. (Node has no such event for UDP.)
   *
   * @param l the listener
   * @return this socket
   */
  public DgramSocket onDrain(Runnable l) {
    drainListeners.add(requireListener(l), false);
    return this;
  }

  /**
   * Adds a {@code listening} listener: the socket is bound and receiving.
   *
   * @param l the listener
   * @return this socket
   */
  public DgramSocket onListening(Runnable l) {
    listeningListeners.add(requireListener(l), false);
    return this;
  }

  /**
   * Adds a {@code connect} listener: {@link #connect} succeeded.
   *
   * @param l the listener
   * @return this socket
   */
  public DgramSocket onConnect(Runnable l) {
    connectListeners.add(requireListener(l), false);
    return this;
  }

  /**
   * Adds a {@code close} listener.
   *
   * @param l the listener
   * @return this socket
   */
  public DgramSocket onClose(Runnable l) {
    closeListeners.add(requireListener(l), false);
    return this;
  }

  /**
   * Adds an {@code error} listener. An error with no listener goes to the loop's
   * uncaught-exception handler (Node would throw it).
   *
   * @param l the listener
   * @return this socket
   */
  public DgramSocket onError(Consumer<DgramException> l) {
    errorListeners.add(requireListener(l), false);
    return this;
  }

  /**
   * Adds an {@code icmpError} listener: each ICMP error about one of this socket's datagrams
   * (port unreachable, host or network unreachable, fragmentation needed) with the destination it
   * concerns, the ICMP type and code, the reporting host and the path MTU, also on an unconnected
   * socket (Linux's IP_RECVERR error queue, asked for from the first listener on). Errors told
   * this way are not also emitted as {@code error}. The nio transport cannot tell them: asking
   * fails with ENOTSUP.
   *
   * @param l the listener
   * @return this socket
   * @throws DgramException {@code ENOTSUP} where the transport has no error queue
   */
  public DgramSocket onIcmpError(Consumer<IcmpError> l) {
    requireListener(l);
    synchronized (lock) {
      if (state.handle != null) {
        try {
          state.handle.wantRecvInfo(RecvInfo.ERRORS);
        } catch (SysError e) {
          throw Errors.errno(e.errno(), "onIcmpError");
        }
      }
    }
    icmpErrorListeners.add(l, false);
    return this;
  }

  /**
   * Removes one registration of {@code listener} from whichever event has it, including
   * callbacks given to {@code bind}, {@code connect} and {@code close} that have not run yet.
   *
   * @param listener the listener
   * @return this socket
   */
  public DgramSocket off(Object listener) {
    if (!messageListeners.remove(listener) && !datagramListeners.remove(listener)
        && !listeningListeners.remove(listener) && !connectListeners.remove(listener)
        && !closeListeners.remove(listener) && !drainListeners.remove(listener)
        && !icmpErrorListeners.remove(listener)) {
      errorListeners.remove(listener);
    }
    return this;
  }

  private static <T> T requireListener(T l) {
    if (l == null) {
      throw Errors.invalidArgType("listener", "of type function", null);
    }
    return l;
  }

  // ================================================================== bind

  /**
   * Binds to a port the kernel chooses, on every address.
   *
   * @return this socket
   */
  public DgramSocket bind() {
    return bind(0, null, null);
  }

  /**
   * @param port the port, 0 for one the kernel chooses
   * @return this socket
   */
  public DgramSocket bind(int port) {
    return bind(port, null, null);
  }

  /**
   * @param port the port, 0 for one the kernel chooses
   * @param address the local address or host name; null for {@code 0.0.0.0} or {@code ::}
   * @return this socket
   */
  public DgramSocket bind(int port, String address) {
    return bind(port, address, null);
  }

  /**
   * Binds the socket; when it is bound and receiving, {@code listening} is emitted. A failure
   * (a failed look-up, {@code EADDRINUSE}, ...) is emitted as {@code error}.
   *
   * @param port the port, 0 for one the kernel chooses
   * @param address the local address or host name; null for {@code 0.0.0.0} or {@code ::}
   * @param onListening called once on {@code listening}, or null
   * @return this socket
   * @throws DgramException {@code ERR_SOCKET_ALREADY_BOUND}, {@code ERR_SOCKET_DGRAM_NOT_RUNNING},
   *     {@code ERR_SOCKET_BAD_PORT}
   */
  public DgramSocket bind(int port, String address, Runnable onListening) {
    return bind(port, address, onListening, null);
  }

  /** @param onFailure takes a failed bind's error instead of the {@code error} event, or null */
  private DgramSocket bind(int port, String address, Runnable onListening, Consumer<DgramException> onFailure) {
    if (port < 0 || port > 65535) {
      throw Errors.badPort("Port", port, true);
    }
    synchronized (lock) {
      healthCheck();
      if (state.bindState != BindState.UNBOUND) {
        throw Errors.alreadyBound();
      }
      state.bindState = BindState.BINDING;
      if (onListening != null) {
        listeningListeners.add(onListening, true);
        pendingBindCallback = onListening;
      }
      pendingBindFailure = onFailure;
    }
    String target = address == null || address.isEmpty() ? (ipv6 ? "::" : "0.0.0.0") : address;
    resolver.resolve(target, (err, ip) -> afterBindLookup(err, ip, target, port));
    return this;
  }

  /**
   * Binds with options ({@code port}, {@code address}, {@code exclusive}).
   *
   * @param options the options
   * @param onListening called once on {@code listening}, or null
   * @return this socket
   * @throws DgramException as {@link #bind(int, String, Runnable)}, and
   *     {@code ERR_INVALID_ARG_TYPE} for null options
   */
  public DgramSocket bind(BindOptions options, Runnable onListening) {
    if (options == null) {
      throw Errors.invalidArgType("options", "of type BindOptions", null);
    }
    return bind(options.port(), options.address(), onListening);
  }

  /** Node's {@code this.bind({port: 0, exclusive: true})} from send and connect; lock held. */
  private void bindImplicitly() {
    state.bindState = BindState.BINDING;
    String target = ipv6 ? "::" : "0.0.0.0";
    resolver.resolve(target, (err, ip) -> afterBindLookup(err, ip, target, 0));
  }

  private void afterBindLookup(DgramException lookupError, InetAddress ip, String target, int port) {
    DgramException failure = lookupError;
    List<QueuedOp> queued;
    Runnable bindCallback;
    Consumer<DgramException> bindFailure;
    InetSocketAddress boundTo = null;
    synchronized (lock) {
      UdpHandle h = state.handle;
      if (h == null) {
        // closed in the meantime; close() already failed what was queued. A bindAsync future
        // still learns that its bind will never complete.
        Consumer<DgramException> onFailure = pendingBindFailure;
        pendingBindFailure = null;
        if (onFailure != null) {
          ctx.execute(() -> onFailure.accept(Errors.notRunning()));
        }
        return;
      }
      String ipText = ip == null ? target : IpLiteral.format(ip);
      if (failure == null) {
        try {
          resolver.checkFamily(target, ip);
          int flags = (options.reuseAddr ? UdpHandle.REUSEADDR : 0)
              | (options.ipv6Only ? UdpHandle.IPV6ONLY : 0)
              | (options.reusePort ? UdpHandle.REUSEPORT : 0)
              | (options.udpGro ? UdpHandle.GRO : 0);
          h.bind(new InetSocketAddress(ip, port), flags);
        } catch (SysError e) {
          failure = Errors.withHostPort(e.errno(), "bind", ipText, port);
        }
      }
      bindCallback = pendingBindCallback;
      pendingBindCallback = null;
      bindFailure = pendingBindFailure;
      pendingBindFailure = null;
      if (failure != null) {
        state.bindState = BindState.UNBOUND;
        queued = state.takeQueue();
      } else {
        if (state.recvPauses == 0) {
          h.recvStart(receiver);
        }
        state.receiving = true;
        state.bindState = BindState.BOUND;
        queued = null;
        try {
          boundTo = h.localAddress();
        } catch (SysError e) {
          boundTo = null; // only for the log and the recording
        }
      }
    }
    if (failure != null) {
      if (bindCallback != null) {
        listeningListeners.remove(bindCallback);
      }
      observer.bindFailed(failure);
      if (bindFailure != null) {
        DgramException error = failure;
        observer.error(error);
        invoke(() -> bindFailure.accept(error)); // a bindAsync future: its failure, not 'error'
      } else {
        emitError(failure);
      }
      for (QueuedOp op : queued) {
        op.fail(failure);
      }
      return;
    }
    observer.bound(boundTo);
    updateLoopRef();
    applyBufferSize(true, options.recvBufferSize);
    applyBufferSize(false, options.sendBufferSize);
    listeningListeners.emit(Runnable::run, ctx::uncaught);
    List<QueuedOp> ops;
    synchronized (lock) {
      ops = state.takeQueue();
    }
    for (QueuedOp op : ops) {
      op.run();
    }
  }

  private void applyBufferSize(boolean recv, int size) {
    if (size <= 0) {
      return;
    }
    try {
      bufferSize(recv, size);
    } catch (DgramException e) {
      emitError(e);
    }
  }

  // ================================================== Node's (port, callback) argument forms

  /**
   * Node's {@code socket.bind(port, callback)}: binds to {@code port} on every address
   * ({@code 0.0.0.0} or {@code ::}), as {@link #bind(int, String, Runnable)} with a null address.
   *
   * <p>With this overload, {@code bind(port, null)} is ambiguous in Java: write
   * {@code bind(port, (String) null)} or {@code bind(port)}.
   *
   * @param port the port, 0 for one the kernel chooses
   * @param onListening called once on {@code listening}, or null
   * @return this socket
   * @throws DgramException as {@link #bind(int, String, Runnable)}
   */
  public DgramSocket bind(int port, Runnable onListening) {
    return bind(port, null, onListening);
  }

  /**
   * Node's {@code socket.connect(port, callback)}: connects to {@code localhost} of the socket's
   * family ({@code 127.0.0.1} or {@code ::1}), as {@link #connect(int, String, Consumer)} with a
   * null address.
   *
   * <p>With this overload, {@code connect(port, null)} is ambiguous in Java: write
   * {@code connect(port, (String) null)} or {@code connect(port)}.
   *
   * @param port the remote port, 1 to 65535
   * @param callback called once with null or the error, or null
   * @throws DgramException as {@link #connect(int, String, Consumer)}
   */
  public void connect(int port, Consumer<DgramException> callback) {
    connect(port, null, callback);
  }

  // ================================================================== connect

  /**
   * Connects to {@code localhost} of the socket's family ({@code 127.0.0.1} or {@code ::1}).
   *
   * @param port the remote port, 1 to 65535
   * @throws DgramException as {@link #connect(int, String, Consumer)}
   */
  public void connect(int port) {
    connect(port, null, null);
  }

  /**
   * @param port the remote port, 1 to 65535
   * @param address the remote address or host name; null for localhost of the family
   * @throws DgramException as {@link #connect(int, String, Consumer)}
   */
  public void connect(int port, String address) {
    connect(port, address, null);
  }

  /**
   * Associates the socket with one remote address: sends without a destination go there, and
   * only its datagrams are received. An unbound socket is bound first. On success
   * {@code connect} is emitted and {@code callback} gets null; on failure {@code callback} gets
   * the error, or, without a callback, {@code error} is emitted.
   *
   * <p>Unlike Node, sends without a destination made while connecting wait for the connection
   * rather than failing with {@code ERR_SOCKET_BAD_PORT}.
   *
   * @param port the remote port, 1 to 65535
   * @param address the remote address or host name; null for localhost of the family
   * @param callback called once with null or the error, or null
   * @throws DgramException {@code ERR_SOCKET_BAD_PORT}, {@code ERR_SOCKET_DGRAM_IS_CONNECTED},
   *     {@code ERR_SOCKET_DGRAM_NOT_RUNNING}
   */
  public void connect(int port, String address, Consumer<DgramException> callback) {
    if (port <= 0 || port > 65535) {
      throw Errors.badPort("Port", port, false);
    }
    ConnectOp op = new ConnectOp(this, port, address, callback);
    synchronized (lock) {
      healthCheck();
      if (state.connectState != ConnectState.DISCONNECTED) {
        throw Errors.isConnected();
      }
      state.connectState = ConnectState.CONNECTING;
      if (op.onConnect != null) {
        connectListeners.add(op.onConnect, true);
      }
      if (state.bindState == BindState.UNBOUND) {
        bindImplicitly();
      }
      if (state.bindState != BindState.BOUND) {
        state.enqueue(op);
        return;
      }
    }
    op.run();
  }

  /** A queued {@code ConnectOp} failed with the bind, or the connect queue it waited in. */
  void failQueuedConnect(ConnectOp op, DgramException error) {
    synchronized (lock) {
      if (state.connectState == ConnectState.CONNECTING) {
        state.connectState = ConnectState.DISCONNECTED;
      }
    }
    failConnectQueue(error);
    if (op.callback != null) {
      connectListeners.remove(op.onConnect);
      op.callback.accept(error); // the error itself was emitted by whoever failed the queue
    }
  }

  void afterConnectLookup(ConnectOp op, DgramException lookupError, InetAddress ip, String target) {
    DgramException failure = lookupError;
    boolean closedMeanwhile;
    InetSocketAddress connectedTo = null;
    InetSocketAddress connectedFrom = null;
    synchronized (lock) {
      UdpHandle h = state.handle;
      closedMeanwhile = h == null;
      if (closedMeanwhile) {
        failure = Errors.notRunning();
      } else if (failure == null) {
        try {
          resolver.checkFamily(target, ip);
          if (options.sendBlockList != null && options.sendBlockList.check(ip)) {
            failure = Errors.ipBlocked(IpLiteral.format(ip));
          } else {
            connectedTo = new InetSocketAddress(ip, op.port);
            h.connect(connectedTo);
            state.connectState = ConnectState.CONNECTED;
            connectedFrom = h.localAddress(); // the kernel has now chosen the source address
          }
        } catch (SysError e) {
          failure = Errors.withHostPort(e.errno(), "connect", target, op.port);
        }
      }
      if (failure != null && state.connectState == ConnectState.CONNECTING) {
        state.connectState = ConnectState.DISCONNECTED;
      }
    }
    if (failure != null) {
      DgramException error = failure;
      failConnectQueue(error);
      // the sends waiting for this connection learn it will not come, in every case
      if (op.callback != null) {
        connectListeners.remove(op.onConnect);
        observer.error(error);
        invoke(() -> op.callback.accept(error));
      } else if (!closedMeanwhile) {
        emitError(error); // (closed while connecting: close() ended it; no error event after close)
      }
      return;
    }
    observer.connected(connectedFrom, connectedTo);
    connectListeners.emit(Runnable::run, ctx::uncaught);
    List<QueuedOp> ops;
    synchronized (lock) {
      ops = state.takeConnectQueue();
    }
    for (QueuedOp o : ops) {
      o.run();
    }
  }

  private void failConnectQueue(DgramException error) {
    List<QueuedOp> ops;
    synchronized (lock) {
      ops = state.takeConnectQueue();
    }
    for (QueuedOp o : ops) {
      o.fail(error);
    }
  }

  /**
   * Dissolves the association made by {@link #connect}.
   *
   * @throws DgramException {@code ERR_SOCKET_DGRAM_NOT_CONNECTED},
   *     {@code ERR_SOCKET_DGRAM_NOT_RUNNING}, or a system error (syscall {@code connect})
   */
  public void disconnect() {
    synchronized (lock) {
      if (state.connectState != ConnectState.CONNECTED) {
        throw Errors.notConnected(); // checked first, as in Node (also on a closed socket)
      }
      healthCheck();
      try {
        state.handle.disconnect();
      } catch (SysError e) {
        throw Errors.errno(e.errno(), "connect");
      }
      state.connectState = ConnectState.DISCONNECTED;
    }
    observer.disconnected();
  }

  // ================================================================== send

  /**
   * Sends {@code msg} as one datagram to {@code port} at {@code address}.
   *
   * @param msg the datagram
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   */
  public void send(byte[] msg, int port, String address) {
    send(msg, port, address, null);
  }

  /**
   * Sends {@code msg} as one datagram to {@code port} at {@code address}; an unbound socket is
   * bound to a port the kernel chooses first.
   *
   * @param msg the datagram
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @param callback called exactly once with the byte count or the error; null to have errors
   *     emitted as {@code error}
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE}, {@code ERR_SOCKET_BAD_PORT},
   *     {@code ERR_SOCKET_DGRAM_IS_CONNECTED}, {@code ERR_SOCKET_DGRAM_NOT_RUNNING}
   */
  public void send(byte[] msg, int port, String address, SendCallback callback) {
    if (msg != null && direct.to(msg, 0, msg.length, port, address, null, callback)) {
      return;
    }
    sendTo(Payloads.copyOf(msg), port, address, callback);
  }

  /**
   * Sends {@code length} bytes of {@code msg} from {@code offset} as one datagram.
   *
   * @param msg the buffer
   * @param offset where the datagram starts
   * @param length its length
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @param callback called exactly once with the byte count or the error, or null
   * @throws DgramException {@code ERR_BUFFER_OUT_OF_BOUNDS} for an offset or length outside
   *     {@code msg}, and as {@link #send(byte[], int, String, SendCallback)}
   */
  public void send(byte[] msg, int offset, int length, int port, String address, SendCallback callback) {
    Payloads.checkRange(msg, offset, length);
    if (direct.to(msg, offset, length, port, address, null, callback)) {
      return;
    }
    sendTo(Payloads.copyOf(msg, offset, length), port, address, callback);
  }

  /**
   * Sends the remaining bytes of {@code msg} as one datagram; the buffer's position is not
   * changed.
   *
   * @param msg the datagram, position to limit
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(ByteBuffer msg, int port, String address, SendCallback callback) {
    if (msg != null && direct.to(msg, port, address, null, callback)) {
      return;
    }
    sendTo(Payloads.copyOf(msg), port, address, callback);
  }

  /**
   * Sends {@code msg} as one datagram with what {@code options} asks of the kernel for it: its
   * TOS byte or ECN codepoint, its TTL, the source address or interface to send from.
   *
   * @param msg the datagram
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @param options the datagram's own TOS, ECN, TTL, source (nio: {@code ENOTSUP} through the
   *     callback for anything asked)
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(byte[] msg, int port, String address, SendOptions options, SendCallback callback) {
    SendInfo info = infoOf(options);
    if (msg != null && direct.to(msg, 0, msg.length, port, address, info, callback)) {
      return;
    }
    sendTo(Payloads.copyOf(msg), port, address, info, callback);
  }

  /**
   * As {@link #send(byte[], int, String, SendOptions, SendCallback)}, the remaining bytes of
   * {@code msg}; the buffer's position is not changed.
   *
   * @param msg the datagram, position to limit
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @param options the datagram's own TOS, ECN, TTL, source
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(ByteBuffer msg, int port, String address, SendOptions options, SendCallback callback) {
    SendInfo info = infoOf(options);
    if (msg != null && direct.to(msg, port, address, info, callback)) {
      return;
    }
    sendTo(Payloads.copyOf(msg), port, address, info, callback);
  }

  /**
   * Sends {@code msg} to the connected peer with what {@code options} asks of the kernel for it.
   *
   * @param msg the datagram
   * @param options the datagram's own TOS, ECN, TTL, source
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(byte[] msg, SendOptions options, SendCallback callback) {
    SendInfo info = infoOf(options);
    if (msg != null && direct.toPeer(msg, 0, msg.length, info, callback)) {
      return;
    }
    sendConnected(Payloads.copyOf(msg), info, callback);
  }

  private static SendInfo infoOf(SendOptions options) {
    if (options == null) {
      throw Errors.invalidArgType("options", "of type SendOptions", null);
    }
    return options.handleInfo();
  }

  /**
   * IP_TOS (and IPV6_TCLASS on a {@code udp6} socket): the TOS byte of every datagram this
   * socket sends, whose DSCP bits a datagram that asks only for an ECN codepoint keeps.
   *
   * @param tos 0 to 255
   * @return tos
   * @throws DgramException {@code EINVAL} out of range, {@code EBADF} before bind
   */
  public int setTOS(int tos) {
    option("setTOS", h -> h.setTOS(tos));
    return tos;
  }

  /**
   * Sends {@code msg}, UTF-8 encoded, as one datagram.
   *
   * @param msg the text
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(String msg, int port, String address, SendCallback callback) {
    sendTo(Payloads.utf8(msg), port, address, callback);
  }

  /**
   * Sends the parts ({@code byte[]}, {@code ByteBuffer} or {@code String}) one after the other
   * as one datagram.
   *
   * @param msgs the parts
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(List<?> msgs, int port, String address, SendCallback callback) {
    sendTo(Payloads.concat(msgs), port, address, callback);
  }

  /**
   * Sends {@code msg} to the connected peer.
   *
   * @param msg the datagram
   * @throws DgramException {@code ERR_SOCKET_BAD_PORT} on a socket that is neither connected
   *     nor connecting, and as {@link #send(byte[], int, String, SendCallback)}
   */
  public void send(byte[] msg) {
    send(msg, (SendCallback) null);
  }

  /**
   * Sends {@code msg} to the connected peer.
   *
   * @param msg the datagram
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(byte[] msg, SendCallback callback) {
    if (msg != null && direct.toPeer(msg, 0, msg.length, null, callback)) {
      return;
    }
    sendConnected(Payloads.copyOf(msg), callback);
  }

  /**
   * Sends {@code length} bytes of {@code msg} from {@code offset} to the connected peer (Node's
   * {@code send(msg, offset, length, callback)} on a connected socket).
   *
   * @param msg the buffer
   * @param offset where the datagram starts
   * @param length its length
   * @param callback called exactly once with the byte count or the error, or null
   * @throws DgramException {@code ERR_BUFFER_OUT_OF_BOUNDS} outside {@code msg}, and as
   *     {@link #send(byte[], SendCallback)}
   */
  public void send(byte[] msg, int offset, int length, SendCallback callback) {
    Payloads.checkRange(msg, offset, length);
    if (direct.toPeer(msg, offset, length, null, callback)) {
      return;
    }
    sendConnected(Payloads.copyOf(msg, offset, length), callback);
  }

  /**
   * Sends the remaining bytes of {@code msg} to the connected peer.
   *
   * @param msg the datagram, position to limit
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(ByteBuffer msg, SendCallback callback) {
    if (msg != null && direct.toPeer(msg, null, callback)) {
      return;
    }
    sendConnected(Payloads.copyOf(msg), callback);
  }

  /**
   * Sends {@code msg}, UTF-8 encoded, to the connected peer.
   *
   * @param msg the text
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(String msg, SendCallback callback) {
    sendConnected(Payloads.utf8(msg), callback);
  }

  /**
   * Sends the parts as one datagram to the connected peer.
   *
   * @param msgs the parts ({@code byte[]}, {@code ByteBuffer} or {@code String})
   * @param callback called exactly once with the byte count or the error, or null
   */
  public void send(List<?> msgs, SendCallback callback) {
    sendConnected(Payloads.concat(msgs), callback);
  }

  /**
   * Sends every datagram of {@code batch} to {@code port} at {@code address}, in order, with as
   * few system calls as the transport allows (see {@link DatagramBatch}). The batch must not
   * change until {@code callback} runs.
   *
   * @param batch the datagrams
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @param callback called once with the number of datagrams sent, or the error that stopped
   *     the batch; null to have errors emitted as {@code error}
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for a null batch,
   *     {@code ERR_INVALID_STATE} for a batch already being sent or closed, and as
   *     {@link #send(byte[], int, String, SendCallback)}
   */
  public void send(DatagramBatch batch, int port, String address, BatchCallback callback) {
    if (batch == null) {
      throw Errors.invalidArgType("batch", "of type DatagramBatch", null);
    }
    BatchOp op;
    synchronized (lock) {
      if (state.connectState == ConnectState.CONNECTED) {
        throw Errors.isConnected();
      }
      if (port <= 0 || port > 65535) {
        throw Errors.badPort("Port", port, false);
      }
      healthCheck();
      op = batch.begin(this, port, address, callback);
      op.setOff();
      if (queuedForListening(op)) {
        return;
      }
    }
    op.start();
  }

  /**
   * Sends every datagram of {@code batch} to the connected peer.
   *
   * @param batch the datagrams
   * @param callback called once with the number of datagrams sent, or the error, or null
   * @throws DgramException as {@link #send(DatagramBatch, int, String, BatchCallback)}, and
   *     {@code ERR_SOCKET_BAD_PORT} on a socket that is neither connected nor connecting
   */
  public void send(DatagramBatch batch, BatchCallback callback) {
    if (batch == null) {
      throw Errors.invalidArgType("batch", "of type DatagramBatch", null);
    }
    BatchOp op;
    synchronized (lock) {
      if (state.connectState == ConnectState.DISCONNECTED) {
        throw DgramException.of("ERR_SOCKET_BAD_PORT",
            "Port should be > 0 and < 65536. Received undefined.");
      }
      healthCheck();
      op = batch.begin(this, -1, null, callback);
      op.setOff();
      if (queuedForListening(op)) {
        return;
      }
      if (state.connectState == ConnectState.CONNECTING) {
        state.enqueueUntilConnected(op);
        return;
      }
    }
    op.start();
  }

  private void sendTo(ByteBuffer data, int port, String address, SendCallback callback) {
    sendTo(data, port, address, null, callback);
  }

  private void sendTo(ByteBuffer data, int port, String address, SendInfo info,
      SendCallback callback) {
    SendOp op = new SendOp(this, data, port, address, callback);
    op.info = info;
    synchronized (lock) {
      if (state.connectState == ConnectState.CONNECTED) {
        throw Errors.isConnected();
      }
      if (port <= 0 || port > 65535) {
        throw Errors.badPort("Port", port, false);
      }
      healthCheck();
      op.setOff();
      if (queuedForListening(op)) {
        return;
      }
    }
    op.run();
  }

  private void sendConnected(ByteBuffer data, SendCallback callback) {
    sendConnected(data, null, callback);
  }

  private void sendConnected(ByteBuffer data, SendInfo info, SendCallback callback) {
    SendOp op = new SendOp(this, data, -1, null, callback);
    op.info = info;
    synchronized (lock) {
      if (state.connectState == ConnectState.DISCONNECTED) {
        throw DgramException.of("ERR_SOCKET_BAD_PORT",
            "Port should be > 0 and < 65536. Received undefined.");
      }
      healthCheck();
      op.setOff();
      if (queuedForListening(op)) {
        return;
      }
      if (state.connectState == ConnectState.CONNECTING) {
        state.enqueueUntilConnected(op);
        return;
      }
    }
    op.run();
  }

  /** Implicit bind and Node's {@code enqueue}: @return true if {@code op} waits. Lock held. */
  private boolean queuedForListening(QueuedOp op) {
    if (state.bindState == BindState.UNBOUND) {
      bindImplicitly();
    }
    if (state.bindState != BindState.BOUND) {
      state.enqueue(op);
      return true;
    }
    return false;
  }

  // ================================================================== close

  /** Closes the socket; {@code close} is emitted when done. */
  @Override
  public void close() {
    close(null);
  }

  /**
   * Closes the socket. Sends still queued complete with an error ({@code ECANCELED} from the
   * handle, {@code ERR_SOCKET_DGRAM_NOT_RUNNING} before it); then {@code close} is emitted. While
   * the socket is binding, the close waits for {@code listening}, as in Node.
   *
   * @param onClose called once on {@code close}, or null
   * @throws DgramException {@code ERR_SOCKET_DGRAM_NOT_RUNNING} if already closed
   */
  public void close(Runnable onClose) {
    UdpHandle h;
    synchronized (lock) {
      healthCheck();
      if (onClose != null) {
        closeListeners.add(onClose, true);
      }
      if (state.queue != null) {
        state.enqueue(new CloseOp(this));
        return;
      }
      h = state.handle;
      state.dropsAtClose = h.receiveDrops(); // for stats() after close
      state.handle = null;
      state.receiving = false;
    }
    ctx.untrack(this);
    observer.closed();
    onLoop(() -> {
      h.recvStop();
      updateLoopRef();
      failConnectQueue(Errors.notRunning());
      h.close(() -> closeListeners.emit(Runnable::run, ctx::uncaught));
    });
  }

  // ================================================================== futures
  //
  // CompletableFuture forms of bind, connect, send and close. Each is the callback form with a
  // callback that completes the future, so the guarantees are the callbacks': a future completes
  // exactly once, on the loop thread, and the futures of sends complete in the order their
  // callbacks would run. Argument and state errors still throw synchronously, as the callback
  // forms do (whatever the calling thread), rather than coming back as a failed future.

  /**
   * {@link #bind()} as a future.
   *
   * @return completes with the bound address
   * @see #bindAsync(int, String)
   */
  public CompletableFuture<AddressInfo> bindAsync() {
    return bindAsync(0, null);
  }

  /**
   * {@link #bind(int)} as a future.
   *
   * @param port the port, 0 for one the kernel chooses
   * @return completes with the bound address
   * @see #bindAsync(int, String)
   */
  public CompletableFuture<AddressInfo> bindAsync(int port) {
    return bindAsync(port, null);
  }

  /**
   * Binds the socket; the future completes with the bound address ({@link #address()}) once the
   * socket is listening, or exceptionally with the {@link DgramException} that failed the bind
   * ({@code EADDRINUSE}, a failed look-up, ...). {@code listening} is emitted as for
   * {@link #bind(int, String, Runnable)}. A failed bind is not also emitted as {@code error}:
   * the future takes the error in its place, as a callback given to {@link #connect} does (Node
   * has no error callback for bind and always emits it). A socket closed before the bind
   * completes fails the future with {@code ERR_SOCKET_DGRAM_NOT_RUNNING}.
   *
   * <p>The future completes on the socket's loop thread, so stages chained with
   * {@code thenApply}, {@code thenAccept}, ... run there too: code that blocks or takes long must
   * use the {@code *Async} stages of {@link CompletableFuture} (with an executor of its own).
   *
   * @param port the port, 0 for one the kernel chooses
   * @param address the local address or host name; null for {@code 0.0.0.0} or {@code ::}
   * @return completes with the bound address
   * @throws DgramException synchronously, as {@link #bind(int, String, Runnable)}
   */
  public CompletableFuture<AddressInfo> bindAsync(int port, String address) {
    CompletableFuture<AddressInfo> bound = new CompletableFuture<>();
    bind(port, address, () -> {
      try {
        bound.complete(address());
      } catch (DgramException closedMeanwhile) {
        bound.completeExceptionally(closedMeanwhile);
      }
    }, bound::completeExceptionally);
    return bound;
  }

  /**
   * {@link #bind(BindOptions, Runnable)} as a future.
   *
   * @param options the options
   * @return completes with the bound address
   * @throws DgramException as {@link #bind(BindOptions, Runnable)}
   * @see #bindAsync(int, String)
   */
  public CompletableFuture<AddressInfo> bindAsync(BindOptions options) {
    if (options == null) {
      throw Errors.invalidArgType("options", "of type BindOptions", null);
    }
    return bindAsync(options.port(), options.address());
  }

  /**
   * {@link #connect(int)} as a future.
   *
   * @param port the remote port, 1 to 65535
   * @return completes when connected
   * @see #connectAsync(int, String)
   */
  public CompletableFuture<Void> connectAsync(int port) {
    return connectAsync(port, null);
  }

  /**
   * {@link #connect(int, String, Consumer)} as a future: it completes (with null) once the socket
   * is connected and {@code connect} has been emitted, or exceptionally with the error, which
   * then is not emitted as {@code error} (as with a callback). Completes on the loop thread: see
   * {@link #bindAsync(int, String)}.
   *
   * @param port the remote port, 1 to 65535
   * @param address the remote address or host name; null for localhost of the family
   * @return completes when connected
   * @throws DgramException synchronously, as {@link #connect(int, String, Consumer)}
   */
  public CompletableFuture<Void> connectAsync(int port, String address) {
    CompletableFuture<Void> connected = new CompletableFuture<>();
    connect(port, address, err -> {
      if (err == null) {
        connected.complete(null);
      } else {
        connected.completeExceptionally(err);
      }
    });
    return connected;
  }

  /**
   * {@link #send(byte[], int, String, SendCallback)} as a future: it completes with the byte
   * count once the kernel has taken the datagram, or exceptionally with the
   * {@link DgramException} ({@code EMSGSIZE}, {@code ENOBUFS} at the high-water mark,
   * {@code ECANCELED} when the socket closed with the send still queued, ...). Exactly once,
   * on the loop thread, and in send order: the futures of two sends made one after the other
   * from one thread complete in that order. See {@link #bindAsync(int, String)} for code that
   * must not run on the loop thread.
   *
   * @param msg the datagram
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @return completes with the byte count
   * @throws DgramException synchronously, as {@link #send(byte[], int, String, SendCallback)}
   */
  public CompletableFuture<Integer> sendAsync(byte[] msg, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msg, port, address, completing(sent));
    return sent;
  }

  /**
   * {@link #send(byte[], int, int, int, String, SendCallback)} as a future.
   *
   * @param msg the buffer
   * @param offset where the datagram starts
   * @param length its length
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @return completes with the byte count
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(byte[] msg, int offset, int length, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msg, offset, length, port, address, completing(sent));
    return sent;
  }

  /**
   * {@link #send(ByteBuffer, int, String, SendCallback)} as a future.
   *
   * @param msg the datagram, position to limit (not changed)
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @return completes with the byte count
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(ByteBuffer msg, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msg, port, address, completing(sent));
    return sent;
  }

  /**
   * {@link #send(String, int, String, SendCallback)} as a future.
   *
   * @param msg the text, sent UTF-8 encoded
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @return completes with the byte count
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(String msg, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msg, port, address, completing(sent));
    return sent;
  }

  /**
   * {@link #send(List, int, String, SendCallback)} as a future.
   *
   * @param msgs the parts ({@code byte[]}, {@code ByteBuffer} or {@code String}), one datagram
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @return completes with the byte count
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(List<?> msgs, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msgs, port, address, completing(sent));
    return sent;
  }

  /**
   * {@link #send(byte[], SendCallback)} to the connected peer, as a future.
   *
   * @param msg the datagram
   * @return completes with the byte count
   * @throws DgramException synchronously, as {@link #send(byte[], SendCallback)}
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(byte[] msg) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msg, completing(sent));
    return sent;
  }

  /**
   * {@link #send(byte[], int, int, SendCallback)} to the connected peer, as a future.
   *
   * @param msg the buffer
   * @param offset where the datagram starts
   * @param length its length
   * @return completes with the byte count
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(byte[] msg, int offset, int length) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msg, offset, length, completing(sent));
    return sent;
  }

  /**
   * {@link #send(ByteBuffer, SendCallback)} to the connected peer, as a future.
   *
   * @param msg the datagram, position to limit (not changed)
   * @return completes with the byte count
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(ByteBuffer msg) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msg, completing(sent));
    return sent;
  }

  /**
   * {@link #send(String, SendCallback)} to the connected peer, as a future.
   *
   * @param msg the text, sent UTF-8 encoded
   * @return completes with the byte count
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(String msg) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msg, completing(sent));
    return sent;
  }

  /**
   * {@link #send(List, SendCallback)} to the connected peer, as a future.
   *
   * @param msgs the parts ({@code byte[]}, {@code ByteBuffer} or {@code String}), one datagram
   * @return completes with the byte count
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(List<?> msgs) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(msgs, completing(sent));
    return sent;
  }

  /**
   * {@link #send(DatagramBatch, int, String, BatchCallback)} as a future: it completes with the
   * number of datagrams sent, or exceptionally with the error that stopped the batch. The batch
   * must not change until the future completes.
   *
   * @param batch the datagrams
   * @param port the destination port, 1 to 65535
   * @param address the destination address or host name; null for localhost of the family
   * @return completes with the number of datagrams sent
   * @see #sendAsync(byte[], int, String)
   */
  public CompletableFuture<Integer> sendAsync(DatagramBatch batch, int port, String address) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(batch, port, address, completingBatch(sent));
    return sent;
  }

  /**
   * {@link #send(DatagramBatch, BatchCallback)} to the connected peer, as a future.
   *
   * @param batch the datagrams
   * @return completes with the number of datagrams sent
   * @see #sendAsync(DatagramBatch, int, String)
   */
  public CompletableFuture<Integer> sendAsync(DatagramBatch batch) {
    CompletableFuture<Integer> sent = new CompletableFuture<>();
    send(batch, completingBatch(sent));
    return sent;
  }

  /**
   * {@link #close(Runnable)} as a future: it completes (with null) when {@code close} is
   * emitted, after the futures of sends still queued have failed ({@code ECANCELED}, or
   * {@code ERR_SOCKET_DGRAM_NOT_RUNNING} for those still waiting for {@code listening}).
   * Completes on the loop thread: see {@link #bindAsync(int, String)}.
   *
   * @return completes when closed
   * @throws DgramException {@code ERR_SOCKET_DGRAM_NOT_RUNNING} if already closed
   */
  public CompletableFuture<Void> closeAsync() {
    CompletableFuture<Void> closed = new CompletableFuture<>();
    close(() -> closed.complete(null));
    return closed;
  }

  private static SendCallback completing(CompletableFuture<Integer> f) {
    return (err, bytes) -> {
      if (err == null) {
        f.complete(bytes);
      } else {
        f.completeExceptionally(err);
      }
    };
  }

  private static BatchCallback completingBatch(CompletableFuture<Integer> f) {
    return (err, count) -> {
      if (err == null) {
        f.complete(count);
      } else {
        f.completeExceptionally(err);
      }
    };
  }

  // ================================================================== observing

  /**
   * A snapshot of this socket's counters: datagrams and bytes each way, failed sends by code,
   * sends refused at the high-water mark, the kernel's receive drops, the send queue, and when
   * the last datagram went each way. Callable from any thread, also after close (the counters as
   * they ended, the queue empty). It does not wait for the loop: see {@link SocketStats} for
   * what that means for consistency across counters.
   *
   * @return the snapshot
   */
  public SocketStats stats() {
    long drops;
    int queueBytes = 0;
    int queueCount = 0;
    synchronized (lock) {
      UdpHandle h = state.handle;
      if (h == null) {
        drops = state.dropsAtClose;
      } else {
        drops = h.receiveDrops(); // sk_drops (SK_MEMINFO) on linux, the simulated count, -1 on nio
        queueBytes = h.sendQueueSize();
        queueCount = h.sendQueueCount();
      }
    }
    return counters.snapshot(drops, queueBytes, queueCount);
  }

  /**
   * The datagrams this socket receives as a {@link java.util.concurrent.Flow.Publisher} whose
   * demand drives the socket: {@link DatagramPublisher#of(DgramSocket)}. The socket stops reading
   * at once, until the subscriber requests.
   *
   * @return a new publisher (one subscriber each)
   */
  public DatagramPublisher publisher() {
    return DatagramPublisher.of(this);
  }

  // ================================================================== addresses

  /**
   * @return the local address ({@code getsockname})
   * @throws DgramException {@code EBADF} (syscall {@code getsockname}) before bind,
   *     {@code ERR_SOCKET_DGRAM_NOT_RUNNING} after close
   */
  public AddressInfo address() {
    synchronized (lock) {
      healthCheck();
      try {
        return addresses.info(state.handle.localAddress());
      } catch (SysError e) {
        throw Errors.errno(e.errno(), "getsockname");
      }
    }
  }

  /**
   * @return the connected peer's address ({@code getpeername})
   * @throws DgramException {@code ERR_SOCKET_DGRAM_NOT_CONNECTED},
   *     {@code ERR_SOCKET_DGRAM_NOT_RUNNING}
   */
  public AddressInfo remoteAddress() {
    synchronized (lock) {
      healthCheck();
      if (state.connectState != ConnectState.CONNECTED) {
        throw Errors.notConnected();
      }
      try {
        return addresses.info(state.handle.remoteAddress());
      } catch (SysError e) {
        throw Errors.errno(e.errno(), "getpeername");
      }
    }
  }

  // ================================================================== multicast and options

  /**
   * Joins {@code multicastAddress} on the interface the kernel chooses. Pin the interface with
   * {@link #addMembership(String, String)} wherever the default route leads to a real network.
   *
   * @param multicastAddress the group
   */
  public void addMembership(String multicastAddress) {
    addMembership(multicastAddress, null);
  }

  /**
   * Joins a multicast group ({@code IP_ADD_MEMBERSHIP}). On an unbound socket the kernel socket
   * is bound to the wildcard address first, as libuv does.
   *
   * @param multicastAddress the group
   * @param multicastInterface the local address of the interface, or null
   * @throws DgramException {@code ERR_MISSING_ARGS}, {@code ERR_SOCKET_DGRAM_NOT_RUNNING}, or a
   *     system error with syscall {@code addMembership} ({@code EINVAL} for a non-group,
   *     {@code EADDRINUSE} for a second join)
   */
  public void addMembership(String multicastAddress, String multicastInterface) {
    membership(multicastAddress, multicastInterface, true);
  }

  /**
   * @param multicastAddress the group
   */
  public void dropMembership(String multicastAddress) {
    dropMembership(multicastAddress, null);
  }

  /**
   * Leaves a multicast group ({@code IP_DROP_MEMBERSHIP}).
   *
   * @param multicastAddress the group
   * @param multicastInterface the local address of the interface, or null
   * @throws DgramException as {@link #addMembership(String, String)}, {@code EADDRNOTAVAIL}
   *     for a group not joined
   */
  public void dropMembership(String multicastAddress, String multicastInterface) {
    membership(multicastAddress, multicastInterface, false);
  }

  private void membership(String group, String iface, boolean join) {
    String syscall = join ? "addMembership" : "dropMembership";
    synchronized (lock) {
      healthCheck();
      if (group == null || group.isEmpty()) {
        throw Errors.missingArgs("multicastAddress");
      }
      try {
        state.handle.membership(literal(group), iface == null ? null : literal(iface), scopeOf(iface), join);
      } catch (SysError e) {
        throw Errors.errno(e.errno(), syscall);
      }
    }
  }

  /**
   * @param sourceAddress the source to receive from
   * @param groupAddress the group
   */
  public void addSourceSpecificMembership(String sourceAddress, String groupAddress) {
    addSourceSpecificMembership(sourceAddress, groupAddress, null);
  }

  /**
   * Joins a source-specific group ({@code IP_ADD_SOURCE_MEMBERSHIP}): only datagrams from
   * {@code sourceAddress} to {@code groupAddress} are received.
   *
   * @param sourceAddress the source
   * @param groupAddress the group
   * @param multicastInterface the local address of the interface, or null
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for null addresses,
   *     {@code ERR_SOCKET_DGRAM_NOT_RUNNING}, or a system error with syscall
   *     {@code addSourceSpecificMembership}
   */
  public void addSourceSpecificMembership(String sourceAddress, String groupAddress, String multicastInterface) {
    sourceMembership(sourceAddress, groupAddress, multicastInterface, true);
  }

  /**
   * @param sourceAddress the source
   * @param groupAddress the group
   */
  public void dropSourceSpecificMembership(String sourceAddress, String groupAddress) {
    dropSourceSpecificMembership(sourceAddress, groupAddress, null);
  }

  /**
   * Leaves a source-specific group.
   *
   * @param sourceAddress the source
   * @param groupAddress the group
   * @param multicastInterface the local address of the interface, or null
   * @throws DgramException as {@link #addSourceSpecificMembership(String, String, String)}
   */
  public void dropSourceSpecificMembership(String sourceAddress, String groupAddress, String multicastInterface) {
    sourceMembership(sourceAddress, groupAddress, multicastInterface, false);
  }

  private void sourceMembership(String source, String group, String iface, boolean join) {
    String syscall = join ? "addSourceSpecificMembership" : "dropSourceSpecificMembership";
    synchronized (lock) {
      healthCheck();
      if (source == null) {
        throw Errors.invalidArgType("sourceAddress", "of type string", null);
      }
      if (group == null) {
        throw Errors.invalidArgType("groupAddress", "of type string", null);
      }
      try {
        state.handle.sourceMembership(literal(source), literal(group), iface == null ? null : literal(iface),
            scopeOf(iface), join);
      } catch (SysError e) {
        throw Errors.errno(e.errno(), syscall);
      }
    }
  }

  /** @return the text after {@code %} in an interface address ({@code "::%eth1"}), or null */
  private static String scopeOf(String iface) {
    int pct = iface == null ? -1 : iface.indexOf('%');
    return pct < 0 ? null : iface.substring(pct + 1);
  }

  /** An IP literal as libuv's {@code uv_inet_pton} takes it; anything else is EINVAL. */
  private static InetAddress literal(String text) {
    InetAddress a = IpLiteral.parse(text);
    if (a == null) {
      throw new SysError(Errno.EINVAL);
    }
    return a;
  }

  /**
   * SO_BROADCAST: allows sends to broadcast addresses.
   *
   * @param flag on or off
   * @throws DgramException {@code EBADF} (syscall {@code setBroadcast}) before bind,
   *     {@code ERR_SOCKET_DGRAM_NOT_RUNNING} after close
   */
  public void setBroadcast(boolean flag) {
    option("setBroadcast", h -> h.setBroadcast(flag));
  }

  /**
   * IP_TTL / IPV6_UNICAST_HOPS.
   *
   * @param ttl 1 to 255
   * @return ttl
   * @throws DgramException {@code EINVAL} out of range, {@code EBADF} before bind,
   *     {@code ENOTSUP} on the nio transport (java.nio cannot set it)
   */
  public int setTTL(int ttl) {
    option("setTTL", h -> h.setTTL(ttl));
    return ttl;
  }

  /**
   * IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS.
   *
   * @param ttl 0 to 255
   * @return ttl
   * @throws DgramException {@code EINVAL} out of range, {@code EBADF} before bind
   */
  public int setMulticastTTL(int ttl) {
    option("setMulticastTTL", h -> h.setMulticastTTL(ttl));
    return ttl;
  }

  /**
   * IP_MULTICAST_LOOP: whether this host's own members receive what it sends to a group.
   *
   * @param flag on or off
   * @return flag
   * @throws DgramException {@code EBADF} before bind
   */
  public boolean setMulticastLoopback(boolean flag) {
    option("setMulticastLoopback", h -> h.setMulticastLoopback(flag));
    return flag;
  }

  /**
   * IP_MULTICAST_IF: the interface multicast sends leave by. For {@code udp4} the interface's
   * IPv4 address ({@code "127.0.0.1"}); for {@code udp6} a scope ({@code "::%lo"}) or an address.
   *
   * @param multicastInterface the interface
   * @throws DgramException {@code ERR_INVALID_ARG_TYPE} for null, {@code EINVAL} for a
   *     malformed address, {@code EADDRNOTAVAIL} for no such interface, {@code EBADF} before bind
   */
  public void setMulticastInterface(String multicastInterface) {
    synchronized (lock) {
      healthCheck();
      if (multicastInterface == null) {
        throw Errors.invalidArgType("interfaceAddress", "of type string", null);
      }
    }
    option("setMulticastInterface", h -> {
      int fam = IpLiteral.family(multicastInterface);
      if (fam == 0) {
        throw new SysError(Errno.EINVAL);
      }
      if (!ipv6 && fam == 6) {
        throw new SysError(Errno.ENOPROTOOPT); // an IPv6 option on an IPv4 socket, as Linux says
      }
      InetAddress a = IpLiteral.parse(multicastInterface);
      int pct = multicastInterface.indexOf('%');
      String scope = pct >= 0 ? multicastInterface.substring(pct + 1) : null;
      h.setMulticastInterface(a, scope);
    });
  }

  /**
   * SO_RCVBUF.
   *
   * @param size bytes; the kernel doubles it on Linux
   * @throws DgramException {@code ERR_SOCKET_BAD_BUFFER_SIZE} for a negative size,
   *     {@code ERR_SOCKET_BUFFER_SIZE} before bind
   */
  public void setRecvBufferSize(int size) {
    if (size < 0) {
      throw Errors.badBufferSize();
    }
    bufferSize(true, size);
  }

  /**
   * @return SO_RCVBUF as the kernel reports it
   * @throws DgramException {@code ERR_SOCKET_BUFFER_SIZE} before bind
   */
  public int getRecvBufferSize() {
    return bufferSize(true, 0);
  }

  /**
   * SO_SNDBUF.
   *
   * @param size bytes; the kernel doubles it on Linux
   * @throws DgramException {@code ERR_SOCKET_BAD_BUFFER_SIZE} for a negative size,
   *     {@code ERR_SOCKET_BUFFER_SIZE} before bind
   */
  public void setSendBufferSize(int size) {
    if (size < 0) {
      throw Errors.badBufferSize();
    }
    bufferSize(false, size);
  }

  /**
   * @return SO_SNDBUF as the kernel reports it
   * @throws DgramException {@code ERR_SOCKET_BUFFER_SIZE} before bind
   */
  public int getSendBufferSize() {
    return bufferSize(false, 0);
  }

  private int bufferSize(boolean recv, int size) {
    synchronized (lock) {
      healthCheck();
      try {
        return state.handle.bufferSize(recv, size);
      } catch (SysError e) {
        throw Errors.bufferSize(e.errno(), recv);
      }
    }
  }

  /**
   * @return the datagrams the kernel dropped because this socket's receive buffer was full
   *     (the socket's sk_drops, as SO_RXQ_OVFL reports it), since bind, current at the call;
   *     0 before bind
   * @throws DgramException {@code ENOTSUP} on the nio transport, which cannot know,
   *     {@code ERR_SOCKET_DGRAM_NOT_RUNNING} after close
   */
  public long getRecvDropCount() {
    synchronized (lock) {
      healthCheck();
      if (!state.handle.hasSocket()) {
        return 0;
      }
      long d = state.handle.receiveDrops();
      if (d < 0) {
        throw Errors.errno(Errno.ENOTSUP, "getRecvDropCount");
      }
      return d;
    }
  }

  /** @return bytes queued and not yet handed to the kernel; 0 once closed */
  public int getSendQueueSize() {
    UdpHandle h = state.handle;
    return h == null ? 0 : h.sendQueueSize();
  }

  /** @return datagrams queued and not yet handed to the kernel; 0 once closed */
  public int getSendQueueCount() {
    UdpHandle h = state.handle;
    return h == null ? 0 : h.sendQueueCount();
  }

  /**
   * Don't-fragment: every datagram goes out with DF set and is never fragmented
   * (IP_MTU_DISCOVER / IPV6_MTU_DISCOVER {@code PMTUDISC_DO}); one larger than the path MTU
   * fails with {@code EMSGSIZE}, and an {@link #onIcmpError} listener learns the MTU that a router
   * reports ("fragmentation needed", "packet too big").
   *
   * @param on whether to set DF
   * @throws DgramException {@code EBADF} before bind, {@code ENOTSUP} on the nio transport
   */
  public void setDontFragment(boolean on) {
    option("setDontFragment", h -> h.setDontFragment(on));
  }

  /**
   * @return the path MTU the kernel knows towards the connected peer (IP_MTU / IPV6_MTU)
   * @throws DgramException {@code ENOTCONN} on an unconnected socket, {@code EBADF} before bind,
   *     {@code ENOTSUP} on the nio transport
   */
  public int getPathMtu() {
    int[] mtu = new int[1];
    option("getPathMtu", h -> mtu[0] = h.pathMtu());
    return mtu[0];
  }

  private interface HandleOp {
    void apply(UdpHandle h);
  }

  private void option(String syscall, HandleOp op) {
    synchronized (lock) {
      healthCheck();
      try {
        op.apply(state.handle);
      } catch (SysError e) {
        throw Errors.errno(e.errno(), syscall);
      }
    }
  }

  // ================================================================== ref / loop

  /**
   * Makes the socket keep its loop (and, for the default loop, the JVM) alive while it is bound
   * (the default).
   *
   * @return this socket
   */
  public DgramSocket ref() {
    synchronized (lock) {
      state.refed = true;
    }
    onLoop(this::updateLoopRef);
    return this;
  }

  /**
   * Lets the loop (and the JVM) end while this socket is still open; it still receives while
   * the loop runs.
   *
   * @return this socket
   */
  public DgramSocket unref() {
    synchronized (lock) {
      state.refed = false;
    }
    onLoop(this::updateLoopRef);
    return this;
  }

  /** @return the loop this socket's listeners and callbacks run on */
  public EventLoop loop() {
    return loop;
  }

  /** @return true once {@link #close} has been called */
  public boolean isClosed() {
    synchronized (lock) {
      return state.handle == null;
    }
  }

  /** libuv: a handle keeps the loop alive while it is both active (receiving) and referenced. */
  private void updateLoopRef() {
    boolean want;
    synchronized (lock) {
      want = state.refed && state.receiving && state.handle != null;
    }
    if (want != loopRefHeld) {
      loopRefHeld = want;
      if (want) {
        ctx.refHandle();
      } else {
        ctx.unrefHandle();
      }
    }
  }

  // ================================================================== internals

  private void healthCheck() {
    if (state.handle == null) {
      throw Errors.notRunning();
    }
  }

  void onLoop(Runnable r) {
    if (ctx.inLoop()) {
      r.run();
    } else {
      ctx.execute(r);
    }
  }

  /** Runs a user callback; what it throws goes to the loop's uncaught-exception handler. */
  void invoke(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      ctx.uncaught(t);
    }
  }

  /** Emits {@code error}; without a listener the error goes to the loop's handler. */
  /** One entry of the handle's error queue. Loop thread. */
  void emitIcmpError(ErrorReport r) {
    IcmpError e = new IcmpError(
        r.destination == null ? null : addresses.format(r.destination.getAddress()),
        r.destination == null ? -1 : r.destination.getPort(),
        Errno.name(r.errno), r.errno, r.type, r.code,
        r.reporter == null ? null : addresses.format(r.reporter), r.mtu);
    icmpErrorListeners.emit(l -> l.accept(e), ctx::uncaught);
  }

  void emitError(DgramException e) {
    observer.error(e);
    if (errorListeners.emit(l -> l.accept(e), ctx::uncaught) == 0) {
      ctx.uncaught(e);
    }
  }

  // ================================================================== for the helpers

  LoopContext ctx() {
    return ctx;
  }

  SocketOptions options() {
    return options;
  }

  boolean ipv6() {
    return ipv6;
  }

  Resolver resolver() {
    return resolver;
  }

  /**
   * Loop thread: stops the handle reading (libuv's {@code uv_udp_recv_stop}) until as many
   * {@link #resumeReceiving} calls; before bind, the bind starts the socket paused. The kernel
   * keeps what fits in the receive buffer and drops (and counts) the rest.
   */
  void pauseReceiving() {
    synchronized (lock) {
      if (state.recvPauses++ == 0 && state.handle != null && state.bindState == BindState.BOUND) {
        state.handle.recvStop();
      }
    }
  }

  /** Loop thread: undoes one {@link #pauseReceiving}. */
  void resumeReceiving() {
    synchronized (lock) {
      if (state.recvPauses > 0 && --state.recvPauses == 0 && state.handle != null
          && state.bindState == BindState.BOUND) {
        state.handle.recvStart(receiver);
      }
    }
  }

  /** Records an error handed to a callback or a future instead of {@code error}. */
  void observeError(DgramException e) {
    observer.error(e);
  }

  SocketCounters counters() {
    return counters;
  }

  BatchDestination sendDestination() {
    return sendDestination;
  }

  BatchDestination batchDestination() {
    return batchDestination;
  }

  /**
   * The handle's {@link UdpHandle#pullReader}, counted in {@link #stats()}: from then on the
   * caller's thread reads the socket, the loop only tells when it is readable.
   *
   * @return the reader, or null where the transport has none or once closed
   */
  PullReader pullReader() {
    UdpHandle h = handle();
    PullReader r = h == null ? null : h.pullReader();
    return r == null ? null : new PulledCounts(r, counters);
  }

  /** @return the handle, or null once closed */
  UdpHandle handle() {
    synchronized (lock) {
      return state.handle;
    }
  }

  /**
   * For {@link DirectSend}: the handle, if a send made now may go straight to it: on the loop
   * thread, with no general-path send on its way, on a bound socket that is connected
   * ({@code toPeer}) or not connected at all. Otherwise null: the general path then runs the
   * checks and raises the errors.
   */
  UdpHandle directHandle(boolean toPeer) {
    if (!sendsUnderway.none() || !ctx.inLoop()) {
      return null;
    }
    synchronized (lock) {
      if (state.bindState != BindState.BOUND
          || state.connectState != (toPeer ? ConnectState.CONNECTED : ConnectState.DISCONNECTED)) {
        return null;
      }
      return state.handle;
    }
  }

  /**
   * For a send to the connected peer flushed from the bind queue: the connect queued before it
   * may still be on its way, and then {@code op} waits for it.
   *
   * @return the connect state; when {@code CONNECTING}, {@code op} has been queued
   */
  ConnectState connectStateOrWait(QueuedOp op) {
    synchronized (lock) {
      ConnectState cs = state.connectState;
      if (cs == ConnectState.CONNECTING) {
        state.enqueueUntilConnected(op);
      }
      return cs;
    }
  }

  /**
   * The send queue's bound: may {@code bytes} more wait for the kernel without passing
   * {@link SocketOptions#sendQueueHighWaterMark}? Every send path asks it before the handle.
   */
  boolean belowHighWaterMark(UdpHandle h, long bytes) {
    return h.blockedBytes() + bytes <= options.sendQueueHighWaterMark;
  }

  /**
   * A send was refused at the high-water mark (its callback is already on its way): {@code drain}
   * follows once the queue empties, or on the next tick if it is empty already (a send larger
   * than the mark), so a caller waiting for {@code drain} is never left waiting.
   */
  void refusedAtHighWaterMark(UdpHandle h) {
    counters.refused();
    needDrain = true;
    if (h.sendQueueCount() == 0) {
      ctx.nextTick(this::writeQueueDrained);
    }
  }

  /** The handle's write queue emptied. Loop thread. */
  void writeQueueDrained() {
    if (needDrain) {
      needDrain = false;
      drainListeners.emit(Runnable::run, ctx::uncaught);
    }
  }
}
