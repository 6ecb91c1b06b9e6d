package dev.jdgram.handle;

import dev.jdgram.observe.HandleEvents;
import dev.jdgram.observe.ReceiveBatchEvent;
import dev.jdgram.observe.SendFlushEvent;
import java.lang.System.Logger.Level;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The one UDP handle, libuv's {@code uv_udp_t}, over whichever {@link UdpKernel} the loop's
 * transport provides. It holds every piece of the handle's life that does not depend on the
 * platform: receiving or not, what the poller watches, the deferred bind, the receive cap per
 * wake-up, send-or-queue with the flush at the end of the phase, the write queue and its
 * completed queue, the close sequence, the drain signal, the checks libuv's
 * {@code uv-common.c} makes before any platform code (family, {@code EDESTADDRREQ}, TTL ranges),
 * one receive-error policy, and the run-time capabilities of its socket (GSO).
 *
 * <p>Operations that Node makes synchronous ({@code setTTL}, {@code addMembership},
 * {@code getsockname}, ...) throw {@link SysError}; the hot path reports status codes through
 * callbacks. {@link #bind}, {@link #connect}, {@link #disconnect}, {@link #recvStart},
 * {@link #recvStop}, {@link #send}, {@link #sendBatch} and {@link #close} run on the loop thread;
 * the option calls may run on any thread (the socket layer serializes them with its own lock).
 */
public final class UdpHandle {
  /** bind flag: SO_REUSEADDR (libuv's {@code UV_UDP_REUSEADDR}). */
  public static final int REUSEADDR = 1;
  /** bind flag: IPV6_V6ONLY (libuv's {@code UV_UDP_IPV6ONLY}). */
  public static final int IPV6ONLY = 2;
  /** bind flag: SO_REUSEPORT (libuv's {@code UV_UDP_REUSEPORT}). */
  public static final int REUSEPORT = 4;
  /** bind flag: UDP_GRO, coalesced receives split back into datagrams. */
  public static final int GRO = 8;
  /**
   * The bind flags of what each datagram carries up, set by the handle from what was asked
   * ({@link #wantRecvInfo}) so that the kernel tells it from the first datagram on: destination
   * and interface ({@link RecvInfo#PKTINFO}), TOS, TTL, timestamp, shifted by this much.
   */
  public static final int RECV_SHIFT = 4;
  /** bind flag: each datagram's destination and interface (IP_PKTINFO). */
  public static final int RECVINFO = RecvInfo.PKTINFO << RECV_SHIFT;

  /**
   * libuv's cap on datagrams read per wake-up: data can arrive as fast as it is read, and one
   * busy socket must not starve the loop's other handles and timers.
   */
  static final int RECV_PER_WAKEUP = 32;

  private static final int AGAIN = UdpKernel.AGAIN;
  private static final System.Logger LOG = System.getLogger("dev.jdgram");

  private final LoopContext ctx;
  private final UdpKernel kernel;
  private final boolean ipv6;
  private final WriteQueue writeQueue;
  /** Pooled requests with native room for small datagrams (sendCopy), made on first use. Loop thread. */
  private SendSlots slots;
  /** The most datagrams one kernel call takes ({@link UdpKernel#maxSendMany}; 1: no batches). */
  private final int sendMany;
  /**
   * Room for one {@link UdpKernel#trySendMany} call, reused: the queue's head, gathered. Made at
   * the first batch: a socket that never has two sends waiting holds none (272 bytes of its
   * idle size, with 64).
   */
  private SendReq[] gathered;
  private final UdpKernel.RecvSink sink = this::deliver;
  private final ErrorSink errorSink = this::deliverError;
  private final Runnable flush = this::flush;

  // Mutable state. Loop thread only, except: closed (read by any thread; written under this
  // handle's monitor), wantRecvInfo (under this handle's monitor, from any thread), connected
  // (written under the monitor by connect/disconnect, read by the loop's sends).
  private volatile boolean closed;
  /** What each datagram should carry up ({@link RecvInfo#PKTINFO}, {@link RecvInfo#TOS}, ...). */
  private int wantRecvInfo;
  private volatile boolean connected;
  private HandleListener listener;
  private boolean receiving;
  /** A {@link PullReader} reads the socket: the loop reads nothing and only tells when it is readable. */
  private boolean pulled;
  /** Runs once the socket is readable ({@link #whenReadable}); null when nobody waits. */
  private Runnable onReadable;
  /** What the kernel watches for ({@link UdpKernel#READABLE}, {@link UdpKernel#WRITABLE}). */
  private int interest;
  /** A phase-end flush is scheduled. */
  private boolean flushScheduled;
  /** A datagram went to the kernel at once in this phase: the next ones wait for the flush. */
  private boolean sentThisPhase;
  /** Segmented sends: on until this socket's kernel or route refuses one. */
  private boolean gso = true;
  /** Times a refused segmented send was sent again without segmentation. */
  private int gsoFallbacks;
  /** Datagrams and bytes delivered in the current wake-up (the receive batch's JFR event). */
  private int batchDatagrams;
  private long batchBytes;

  /**
   * A new, unbound handle on the loop of {@code ctx}, over that loop's transport.
   *
   * @param ipv6 true for {@code udp6}
   * @param host where the socket lives: a simulated network's host, or null for this machine
   */
  public static UdpHandle open(LoopContext ctx, boolean ipv6, Object host) {
    return new UdpHandle(ctx, ipv6, w -> ctx.transport().newUdpKernel(ctx, ipv6, host, w));
  }

  /** A handle over a kernel made by {@code kernelFactory}, given the handle's poll callback. */
  UdpHandle(LoopContext ctx, boolean ipv6, Function<UdpKernel.Watcher, UdpKernel> kernelFactory) {
    this.ctx = ctx;
    this.ipv6 = ipv6;
    this.writeQueue = new WriteQueue(ctx);
    this.kernel = kernelFactory.apply(this::onReady);
    this.sendMany = Math.max(1, kernel.maxSendMany());
  }

  /**
   * The door through which {@code dev.jdgram.compat} reaches the handle of a socket and its
   * {@link #pullReader} (as the socket layer gives it: counted in the socket's stats), set by the
   * socket layer, which alone knows its sockets. Typed {@code Object} because the handle names
   * nothing above it, as {@link LoopContext.Access}; this package is not exported.
   */
  public static final class Access {
    private static final AtomicReference<Function<Object, UdpHandle>> HANDLES = new AtomicReference<>();
    private static final AtomicReference<Function<Object, PullReader>> READERS = new AtomicReference<>();

    private Access() {}

    /** Called once, by the socket class's static initializer. */
    public static void install(Function<Object, UdpHandle> handles, Function<Object, PullReader> readers) {
      HANDLES.compareAndSet(null, handles);
      READERS.compareAndSet(null, readers);
    }

    /** @return the handle of {@code socket}, a {@code DgramSocket} (whose class is initialized), or null once closed */
    public static UdpHandle of(Object socket) {
      return HANDLES.get().apply(socket);
    }

    /**
     * @return the pull reader of {@code socket}'s handle, through the socket layer; null where
     *     the transport has none or once closed
     */
    public static PullReader reader(Object socket) {
      return READERS.get().apply(socket);
    }
  }

  /** @return true for a udp6 handle */
  public boolean ipv6() {
    return ipv6;
  }

  /** @return true once the handle has a kernel socket (bound, explicitly or implicitly) */
  public boolean hasSocket() {
    return kernel.hasSocket();
  }

  // ------------------------------------------------------------------ checks made once

  private boolean wrongFamily(InetAddress a) {
    return !ipv6 && a instanceof Inet6Address; // a udp6 socket takes IPv4 too (mapped)
  }

  /** libuv's {@code uv__udp_check_before_send}. @return 0 or a negative errno */
  private int checkDest(InetSocketAddress dest) {
    if (dest == null) {
      return connected ? 0 : Errno.EDESTADDRREQ;
    }
    return wrongFamily(dest.getAddress()) ? Errno.EINVAL : 0;
  }

  private void checkOpen() {
    if (closed) {
      throw new SysError(Errno.EBADF);
    }
  }

  /**
   * The socket an option applies to. libuv's {@code uv__udp_maybe_deferred_bind}: a membership
   * call on an unbound handle binds it to the wildcard address first; other options need a
   * socket and answer EBADF without one.
   */
  private void needSocket(boolean bindIfNeeded) {
    checkOpen();
    if (kernel.hasSocket()) {
      return;
    }
    if (!bindIfNeeded) {
      throw new SysError(Errno.EBADF);
    }
    bind(new InetSocketAddress(IpLiteral.wildcard(ipv6), 0), REUSEADDR);
  }

  // ------------------------------------------------------------------ lifecycle

  /** Creates the kernel socket and binds it; EINVAL if it exists already (as libuv). */
  public synchronized void bind(InetSocketAddress local, int flags) {
    checkOpen();
    if (kernel.hasSocket() || wrongFamily(local.getAddress())) {
      throw new SysError(Errno.EINVAL);
    }
    kernel.bind(local, flags | (wantRecvInfo << RECV_SHIFT));
    updateInterest();
    LOG.log(Level.DEBUG, () -> "bind udp" + (ipv6 ? "6 " : "4 ") + local + " on " + ctx.transport().name());
  }

  /** Sets the default destination ({@code connect(2)}). */
  public synchronized void connect(InetSocketAddress remote) {
    needSocket(false);
    if (wrongFamily(remote.getAddress())) {
      throw new SysError(Errno.EINVAL);
    }
    kernel.connect(remote);
    connected = true;
  }

  /** Removes the default destination ({@code connect(AF_UNSPEC)}). */
  public synchronized void disconnect() {
    needSocket(false);
    kernel.disconnect();
    connected = false;
  }

  /** @return the local address ({@code getsockname}) */
  public InetSocketAddress localAddress() {
    needSocket(false);
    return kernel.localAddress();
  }

  /** @return the connected peer ({@code getpeername}) */
  public InetSocketAddress remoteAddress() {
    needSocket(false);
    return kernel.remoteAddress();
  }

  /**
   * Closes the kernel socket. {@code onClosed} runs on the loop thread once the kernel has
   * released the socket (its port is free again), never inside this call: libuv's close callback.
   */
  public synchronized void close(Runnable onClosed) {
    if (closed) {
      ctx.nextTick(onClosed);
      return;
    }
    // Sends made before close() but held for the end of the phase still go out, as they would
    // have unbatched.
    if (!writeQueue.isEmpty() && kernel.hasSocket() && (interest & UdpKernel.WRITABLE) == 0) {
      drainWriteQueue();
    }
    closed = true;
    receiving = false;
    listener = null;
    onReadable = null;
    interest = 0;
    // What the kernel had no room for learns its fate: ECANCELED, as libuv's
    // uv__udp_finish_close says; the close callback itself is the kernel's to schedule, once
    // the descriptor is really released.
    writeQueue.cancelAll();
    kernel.close(onClosed);
    LOG.log(Level.DEBUG, "close udp handle");
  }

  // ------------------------------------------------------------------ the poller

  private void updateInterest() {
    if (closed || !kernel.hasSocket()) {
      return;
    }
    boolean read = pulled ? onReadable != null : receiving;
    int want = (read ? UdpKernel.READABLE : 0) | (writeQueue.isEmpty() ? 0 : UdpKernel.WRITABLE);
    if (want != interest) {
      kernel.watch(want);
      interest = want;
    }
  }

  /**
   * The poller's call: libuv's {@code uv__udp_io}, writes first, then reads; the error queue
   * before both, where the socket asked for it, since a send or a receive would otherwise take
   * the error (sk_err) the queue's entry describes and report it without its destination.
   */
  private boolean onReady(int events) {
    if (closed) {
      return false;
    }
    if ((events & UdpKernel.ERROR) != 0 && (wantRecvInfo & RecvInfo.ERRORS) != 0) {
      readErrors();
    }
    if ((events & UdpKernel.WRITABLE) != 0 && !writeQueue.isEmpty()) {
      drainWriteQueue();
    }
    if (pulled) {
      if ((events & UdpKernel.READABLE) != 0 && onReadable != null) {
        Runnable r = onReadable;
        onReadable = null;
        updateInterest(); // once: the reader reads until the kernel is dry, then asks again
        r.run();
      }
      return false;
    }
    return (events & UdpKernel.READABLE) != 0 && receiving && readBatch();
  }

  // ------------------------------------------------------------------ receive

  /** Starts delivering datagrams and receive errors to {@code l} on the loop thread. */
  public void recvStart(HandleListener l) {
    checkOpen();
    listener = Objects.requireNonNull(l);
    receiving = true;
    updateInterest();
  }

  /** Stops delivering datagrams. */
  public void recvStop() {
    receiving = false;
    updateInterest();
  }

  /**
   * Hands the socket's reads to another thread: from now on the loop reads nothing of it (its
   * listener gets no more datagrams), and that thread reads with the returned reader, asking
   * {@link #whenReadable} to be told when there is more. For blocking code, which then reads the
   * kernel on its own thread as the JDK's socket does, rather than take each datagram from the
   * loop thread. Loop thread.
   *
   * @return the reader, or null where the kernel reads only on the loop thread (the loop keeps
   *     reading then)
   */
  public PullReader pullReader() {
    checkOpen();
    PullReader r = kernel.pullReader();
    if (r != null) {
      pulled = true;
      updateInterest();
    }
    return r;
  }

  /**
   * Runs {@code r} once, on the loop thread, when the socket is readable (a datagram, or an
   * error a read would report), at the next poll if it is readable already; replaces an earlier
   * one. For the thread of a {@link #pullReader}. Loop thread; nothing happens on a closed handle.
   */
  public void whenReadable(Runnable r) {
    if (closed || !pulled) {
      return;
    }
    onReadable = Objects.requireNonNull(r);
    updateInterest();
  }

  /**
   * libuv's {@code uv__udp_recvmsg}: at most {@value #RECV_PER_WAKEUP} receives, then yield.
   *
   * <p>One policy for receive errors, Linux's: an error the kernel learned from ICMP
   * (ECONNREFUSED, EHOSTUNREACH, ENETUNREACH) is reported and reading goes on, since reading
   * consumed it (sk_err is cleared) and the datagrams queued behind it are good. Any other error
   * may be lasting: report it and end this wake-up rather than meet it again 32 times; the
   * next wake-up tries afresh.
   */
  private boolean readBatch() {
    ReceiveBatchEvent jfr = HandleEvents.recvBatchBegin(); // null unless recorded: nothing else is done
    batchDatagrams = 0;
    batchBytes = 0;
    try {
      return readCapped();
    } finally {
      HandleEvents.recvBatchEnd(jfr, ctx.transport().name(), batchDatagrams, batchBytes);
    }
  }

  /** @return true if it stopped at the cap, still receiving: the kernel likely has more */
  private boolean readCapped() {
    int total = 0;
    while (total < RECV_PER_WAKEUP && receiving && !closed) {
      int want = RECV_PER_WAKEUP - total;
      int n = kernel.recv(sink, want);
      if (n == AGAIN || closed) {
        return false;
      }
      if (n < 0) {
        listener.onRecvError(n);
        if (n != Errno.ECONNREFUSED && n != Errno.EHOSTUNREACH && n != Errno.ENETUNREACH) {
          return false;
        }
        total++;
        continue;
      }
      total += n;
      if (n < want) {
        return false; // the kernel's queue is empty
      }
    }
    return receiving && !closed;
  }

  /** The error queue, bounded per wake-up as the receive queue is; what remains wakes the loop again. */
  private void readErrors() {
    kernel.recvErrors(errorSink, RECV_PER_WAKEUP);
  }

  private void deliverError(ErrorReport report) {
    if (listener != null && !closed) {
      listener.onErrorReport(report);
    }
  }

  private boolean deliver(ByteBuffer data, InetSocketAddress from, RecvInfo info) {
    batchDatagrams++;
    batchBytes += data.remaining();
    listener.onRecv(data, from, info);
    return receiving && !closed;
  }

  /**
   * Asks the kernel, from now on, for each datagram's destination address and arrival interface
   * ({@link RecvInfo}). Until then a transport leaves them unknown (null, -1), so that every
   * transport answers alike for a socket that never asked; it costs the kernel a control message
   * per datagram, so it is asked for only once a listener can read it.
   */
  public void wantRecvInfo() {
    wantRecvInfo(RecvInfo.PKTINFO);
  }

  /**
   * Asks the kernel, from now on, for more of each datagram's facts ({@link RecvInfo#PKTINFO},
   * {@link RecvInfo#TOS}, {@link RecvInfo#TTL}, {@link RecvInfo#TIMESTAMP}); what was not asked for
   * stays unknown and costs nothing.
   *
   * @throws SysError ENOTSUP where the transport cannot tell one of them
   */
  public synchronized void wantRecvInfo(int what) {
    int more = what & ~wantRecvInfo;
    if (more == 0) {
      return;
    }
    if (kernel.hasSocket() && !closed) {
      kernel.wantRecvInfo(more);
    }
    wantRecvInfo |= more;
  }

  /**
   * @return datagrams the kernel dropped because the receive buffer was full (sk_drops), 0
   *     without a socket, or -1 where the transport can never know
   */
  public long receiveDrops() {
    return kernel.receiveDrops(); // each kernel answers without a socket too (0, or -1 if it never knows)
  }

  // ------------------------------------------------------------------ send

  /**
   * Sends one datagram. libuv's send, batched where the kernel has {@code sendmmsg}: the first
   * send of a phase goes to the kernel at once (a lone reply waits for nothing); the sends that
   * follow it in the same phase (a burst from a callback, or tasks handed in from another
   * thread) wait in the write queue until the phase ends and then go out together. The request's
   * completion runs on the loop thread, never inside this call.
   */
  public void send(SendReq req) {
    if (closed) {
      writeQueue.completeLater(req, Errno.EBADF);
      return;
    }
    int many = sendMany;
    boolean hold = many > 1 && (sentThisPhase || ctx.moreTasksQueued());
    if (writeQueue.isEmpty() && !hold) {
      int status = sendNow(req);
      if (status != AGAIN) {
        writeQueue.completeLater(req, status);
        if (many > 1) {
          sentThisPhase = true;
          scheduleFlush();
        }
        return;
      }
      writeQueue.enqueue(req);
      updateInterest(); // the kernel is full: wait for writability
      return;
    }
    writeQueue.enqueue(req);
    if ((interest & UdpKernel.WRITABLE) != 0) {
      return; // the kernel is full: writability will drain the queue
    }
    if (writeQueue.count() >= many) {
      drainWriteQueue(); // a full batch's worth: no need to wait, and the batch stays bounded
    } else {
      scheduleFlush();
    }
  }

  /**
   * Sends {@code len} bytes of {@code src} from {@code off} as {@link #send} does, copied now
   * into one of the handle's native send slots: the only copy the datagram gets, and no request
   * is made for it. The completion is told with the request, whose {@link SendReq#attachment}
   * is {@code attachment}; the request is reused after that, so the completion keeps nothing
   * of it. Loop thread.
   *
   * @return false, having done nothing, if the datagram does not fit a slot or every slot is
   *     in use (a deep queue): the caller sends a copy of its own
   */
  public boolean sendCopy(byte[] src, int off, int len, InetSocketAddress dest, SendInfo info,
      SendReq.Completion completion, Object attachment) {
    SendReq req = slots().take(len);
    if (req == null) {
      return false;
    }
    req.data.clear().put(0, src, off, len).limit(len);
    fill(req, len, dest, info, completion, attachment);
    send(req);
    return true;
  }

  /**
   * As {@link #sendCopy(byte[], int, int, InetSocketAddress, SendInfo, SendReq.Completion, Object)},
   * the remaining bytes of {@code src}, whose position does not change.
   */
  public boolean sendCopy(ByteBuffer src, InetSocketAddress dest, SendInfo info,
      SendReq.Completion completion, Object attachment) {
    int len = src.remaining();
    SendReq req = slots().take(len);
    if (req == null) {
      return false;
    }
    req.data.clear().put(0, src, src.position(), len).limit(len);
    fill(req, len, dest, info, completion, attachment);
    send(req);
    return true;
  }

  private static void fill(SendReq req, int len, InetSocketAddress dest, SendInfo info,
      SendReq.Completion completion, Object attachment) {
    req.size = len;
    req.dest = dest;
    req.info = info;
    req.completion = completion;
    req.attachment = attachment;
  }

  /** The send slots, made on first use: a socket that only receives (most of 10,000) has none. */
  private SendSlots slots() {
    SendSlots s = slots;
    if (s == null) {
      slots = s = new SendSlots();
    }
    return s;
  }

  /** @return native send slots made so far (2 KiB each; for tests and stats) */
  public int sendSlots() {
    return slots == null ? 0 : slots.slots();
  }

  /** @return bytes sent, a negative errno, or AGAIN */
  private int sendNow(SendReq req) {
    int bad = checkDest(req.dest);
    if (bad < 0) {
      return bad;
    }
    if (!kernel.hasSocket()) {
      return Errno.EBADF;
    }
    SendFlushEvent jfr = HandleEvents.sendFlushBegin();
    int r = kernel.trySend(req);
    if (jfr != null) {
      HandleEvents.sendFlushEnd(jfr, ctx.transport().name(), "sendmsg", 1, r >= 0 ? 1 : 0, Math.max(r, 0), r);
    }
    return r;
  }

  private void scheduleFlush() {
    if (!flushScheduled) {
      flushScheduled = true;
      ctx.atPhaseEnd(flush);
    }
  }

  /** The end of a phase: what the phase queued goes out now, in batches. */
  private void flush() {
    flushScheduled = false;
    sentThisPhase = false;
    if (!closed && !writeQueue.isEmpty() && (interest & UdpKernel.WRITABLE) == 0) {
      drainWriteQueue();
    }
  }

  /**
   * Sends every datagram of {@code batch} to {@code dest} (null: the connected peer), in order
   * and after whatever is queued, straight from the batch's native memory where the kernel can
   * ({@code UDP_SEGMENT}, {@code sendmmsg}); {@code done} runs once on the loop thread, never
   * inside this call. The batch must not change until then. The batch stops at its first failed
   * datagram, as a stream would.
   */
  public void sendBatch(NativeBatch batch, InetSocketAddress dest, BatchCounter.Done done) {
    int n = batch.count();
    int err = closed || !kernel.hasSocket() ? Errno.EBADF : checkDest(dest);
    int sent = 0;
    if (err == 0 && writeQueue.isEmpty()) {
      while (sent < n) {
        SendFlushEvent jfr = HandleEvents.sendFlushBegin();
        int r = kernel.trySendBatch(batch, sent, dest, gso);
        if (jfr != null) {
          HandleEvents.sendFlushEnd(jfr, ctx.transport().name(), gso ? "sendmsg/sendmmsg (batch)" : "sendmmsg (batch)",
              n - sent, Math.max(r, 0), batchBytes(batch, sent, Math.max(r, 0)), r);
        }
        if (r == UdpKernel.GSO_REFUSED) {
          gsoRefused();
          continue; // the same datagrams again, unsegmented: nothing lost, nothing reported
        }
        if (r == AGAIN) {
          break;
        }
        if (r < 0) {
          err = r; // the datagram at 'sent' failed
          break;
        }
        sent += r;
      }
    }
    if (err != 0 || sent == n) {
      done.completeLater(ctx, sent, err);
      return;
    }
    // The kernel is full (or sends are queued): the rest waits in the write queue, in order.
    BatchCounter counter = new BatchCounter(sent, n - sent, done);
    for (int i = sent; i < n; i++) {
      writeQueue.enqueue(new SendReq(batch.view(i), batch.segment().address() + batch.offset(i), dest, counter,
          batch.info(i)));
    }
    updateInterest();
  }

  /**
   * The kernel or the route refused a segmented send (quinn-udp meets the same with a NIC that
   * cannot checksum-offload: EIO, or EINVAL): segmentation stays off for this socket, whose
   * later batches go out as {@code sendmmsg}. Other sockets keep theirs; their routes may differ.
   */
  private void gsoRefused() {
    gso = false;
    gsoFallbacks++;
    LOG.log(Level.DEBUG, "UDP_SEGMENT refused on this socket's route: sending its batches unsegmented");
  }

  /** @return how often a refused segmented send went again unsegmented (0 or 1) */
  public int gsoFallbacks() {
    return gsoFallbacks;
  }

  /** Drains the write queue, in batches where the kernel takes them, until the kernel is full. */
  private void drainWriteQueue() {
    int many = sendMany;
    while (!closed) {
      writeQueue.dropCancelledHead(); // the rest of a batch that stopped at a failed datagram
      SendReq head = writeQueue.peek();
      if (head == null) {
        break;
      }
      int bad = checkDest(head.dest);
      if (bad < 0) {
        writeQueue.completeLater(writeQueue.dequeue(), bad);
        continue;
      }
      int k = many > 1 ? gather() : 1;
      SendFlushEvent jfr = HandleEvents.sendFlushBegin();
      int r = k == 1 ? kernel.trySend(head) : kernel.trySendMany(gathered, k);
      if (jfr != null) {
        int sent = r < 0 ? 0 : k == 1 ? 1 : r;
        HandleEvents.sendFlushEnd(jfr, ctx.transport().name(), k == 1 ? "sendmsg" : "sendmmsg", k, sent,
            k == 1 ? Math.max(r, 0) : queuedBytes(sent), r);
      }
      if (gathered != null) {
        Arrays.fill(gathered, 0, k, null);
      }
      if (r == AGAIN) {
        break;
      }
      if (r < 0 || k == 1) {
        writeQueue.completeLater(writeQueue.dequeue(), r); // bytes, or the first one's error
        continue;
      }
      for (int i = 0; i < r; i++) {
        SendReq done = writeQueue.dequeue();
        writeQueue.completeLater(done, done.size);
      }
    }
    updateInterest();
    if (writeQueue.isEmpty() && listener != null) {
      listener.onWriteQueueDrained();
    }
  }

  /** @return the bytes of the first {@code n} gathered requests (for the send flush's event) */
  private long queuedBytes(int n) {
    long b = 0;
    for (int i = 0; i < n; i++) {
      b += gathered[i].size;
    }
    return b;
  }

  private static long batchBytes(NativeBatch batch, int from, int n) {
    long b = 0;
    for (int i = from; i < from + n && i < batch.count(); i++) {
      b += batch.length(i);
    }
    return b;
  }

  /** @return how many requests from the queue's head go out in one call (their destinations checked) */
  private int gather() {
    if (gathered == null) {
      gathered = new SendReq[sendMany];
    }
    int k = 0;
    var it = writeQueue.iterator();
    while (k < gathered.length && it.hasNext()) {
      SendReq r = it.next();
      if (checkDest(r.dest) < 0 || r.completion.cancelled()) {
        break;
      }
      gathered[k++] = r;
    }
    return k;
  }

  /** @return bytes queued and not yet handed to the kernel (any thread) */
  public int sendQueueSize() {
    return writeQueue.bytes();
  }

  /** @return datagrams queued and not yet handed to the kernel (any thread) */
  public int sendQueueCount() {
    return writeQueue.count();
  }

  /**
   * @return bytes waiting because the kernel's send buffer is full: what the send-queue
   *     high-water mark bounds (sends held for the end of the phase do not count). Loop thread.
   */
  public int blockedBytes() {
    return (interest & UdpKernel.WRITABLE) != 0 ? writeQueue.bytes() : 0;
  }

  // ------------------------------------------------------------------ options

  /** SO_BROADCAST. */
  public void setBroadcast(boolean on) {
    needSocket(false);
    kernel.setBroadcast(on);
  }

  /** IP_TOS / IPV6_TCLASS for every datagram; 0..255. */
  public void setTOS(int tos) {
    if (tos < 0 || tos > 255) {
      throw new SysError(Errno.EINVAL);
    }
    needSocket(false);
    kernel.setTOS(tos);
  }

  /** IP_TTL / IPV6_UNICAST_HOPS; 1..255, checked before the socket as libuv does. */
  public void setTTL(int ttl) {
    if (ttl < 1 || ttl > 255) {
      throw new SysError(Errno.EINVAL);
    }
    needSocket(false);
    kernel.setTTL(ttl);
  }

  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS; 0..255. */
  public void setMulticastTTL(int ttl) {
    if (ttl < 0 || ttl > 255) {
      throw new SysError(Errno.EINVAL);
    }
    needSocket(false);
    kernel.setMulticastTTL(ttl);
  }

  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. */
  public void setMulticastLoopback(boolean on) {
    needSocket(false);
    kernel.setMulticastLoopback(on);
  }

  /** IP_MULTICAST_IF / IPV6_MULTICAST_IF: the interface with this address (or scope). */
  public synchronized void setMulticastInterface(InetAddress iface, String scope) {
    needSocket(false);
    kernel.setMulticastInterface(iface, scope);
  }

  /**
   * IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP; {@code iface} null lets the kernel choose.
   *
   * @param scope the interface's name or index as the user wrote it after {@code %}
   *     ({@code "::%eth1"}), or null; it names the interface of an IPv6 membership, resolved
   *     where the socket lives (a simulated host has interfaces of its own)
   */
  public synchronized void membership(InetAddress group, InetAddress iface, String scope, boolean join) {
    checkOpen();
    if (!group.isMulticastAddress() || wrongFamily(group) || wrongFamily(iface)) {
      throw new SysError(Errno.EINVAL);
    }
    needSocket(true);
    kernel.membership(group, iface, scope, join);
  }

  /** IP_ADD_SOURCE_MEMBERSHIP / IP_DROP_SOURCE_MEMBERSHIP; {@code scope} as for {@link #membership}. */
  public synchronized void sourceMembership(InetAddress source, InetAddress group, InetAddress iface, String scope,
      boolean join) {
    checkOpen();
    if (!group.isMulticastAddress() || source.isMulticastAddress() || wrongFamily(group)
        || (source instanceof Inet6Address) != (group instanceof Inet6Address)) {
      throw new SysError(Errno.EINVAL);
    }
    needSocket(true);
    kernel.sourceMembership(source, group, iface, scope, join);
  }

  /** Don't-fragment on every datagram (IP_MTU_DISCOVER {@code PMTUDISC_DO}): too large fails with EMSGSIZE. */
  public void setDontFragment(boolean on) {
    needSocket(false);
    kernel.setDontFragment(on);
  }

  /** @return the path MTU towards the connected peer (IP_MTU) */
  public int pathMtu() {
    needSocket(false);
    if (!connected) {
      throw new SysError(Errno.ENOTCONN);
    }
    return kernel.pathMtu();
  }

  /**
   * SO_RCVBUF / SO_SNDBUF, like {@code uv_recv_buffer_size}: a value of 0 reads, any other sets
   * and then reads.
   *
   * @return the kernel's value (on Linux, twice what was set)
   */
  public int bufferSize(boolean recv, int value) {
    needSocket(false);
    return kernel.bufferSize(recv, value);
  }
}
