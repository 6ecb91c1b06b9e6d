package dev.jdgram.bench;

import dev.jdgram.BatchCallback;
import dev.jdgram.DatagramBatch;
import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.SendCallback;
import dev.jdgram.SocketOptions;
import dev.jdgram.loop.EventLoop;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringDatagramChannel;
import io.netty.channel.uring.IoUringIoHandler;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark peer in its own JVM: {@code Peer SYSTEM ROLE ARGS...}. Prints {@code READY} when
 * bound and one {@code RESULT k=v ...} line, then halts. Every role talks to 127.0.0.1 only and
 * is bounded in time.
 *
 * <pre>
 * systems: jdgram-copy (onMessage byte[]), jdgram-view (onDatagram, zero-copy), jdgram-lean (rx: onDatagram
 *          with packetInfo(false)),
 *          jdgram-send (tx: send(byte[]) one by one), jdgram-batch (tx: DatagramBatch, one size: GSO),
 *          jdgram-mmsg (tx: DatagramBatch of 64/65-byte datagrams: sendmmsg), netty-epoll, netty-nio, netty-io_uring, jdk
 *          (the transport of jdgram-* is -Djdgram.transport)
 * roles:   rx PORT WARMUP_MS WINDOW_MS
 *          tx PORT SIZE WARMUP_MS WINDOW_MS TAIL_MS
 *          echo PORT DURATION_MS
 *          ping PORT SIZE WARMUP_N COUNT
 *          many PORTFILE SOCKETS WARMUP_MS WINDOW_MS   (jdgram only)
 *          mc-rx GROUP PORT MEMBERS WARMUP_MS WINDOW_MS  MEMBERS sockets bound to GROUP:PORT (address reuse),
 *                each joined on 127.0.0.1 with its multicast interface pinned to 127.0.0.1, all on one
 *                thread (one loop / one Netty event loop / one Selector); counts deliveries to all members
 * </pre>
 */
public final class Peer {
  static final int RCVBUF = 4 << 20;
  static final String LO = "127.0.0.1";
  static final long IDLE_MS = 15_000;

  private Peer() {}

  public static void main(String[] args) throws Exception {
    // Whatever happens, this process ends: a watchdog halts it after the longest bound.
    long limitMs = Long.getLong("peer.limitMs", 120_000);
    Thread dog = new Thread(() -> {
      try {
        Thread.sleep(limitMs);
      } catch (InterruptedException e) {
        return;
      }
      System.out.println("RESULT count=0 error=watchdog");
      System.out.flush();
      Runtime.getRuntime().halt(4);
    }, "peer-watchdog");
    dog.setDaemon(true);
    dog.start();
    int rc = 0;
    try {
      run(args[0], args[1], Arrays.copyOfRange(args, 2, args.length));
    } catch (Throwable t) {
      t.printStackTrace();
      System.out.println("RESULT count=0 error=" + t.getClass().getSimpleName());
      rc = 5;
    }
    System.out.flush();
    Runtime.getRuntime().halt(rc);
  }

  /**
   * With {@code -XX:StartFlightRecording=...} and {@code -Dpeer.jfr=FILE} (e.g. through the suite's
   * {@code --jdgram-jvm}), dumps the recording to FILE with this process's id inserted before
   * {@code .jfr}: the peer ends with {@code Runtime.halt}, which skips JFR's own dump on exit.
   * Called by {@link Meter#measure} after the window, before the RESULT line (the suite stops a
   * peer once it has its RESULT).
   */
  static void dumpFlightRecording() {
    String to = System.getProperty("peer.jfr");
    if (to == null) {
      return;
    }
    try {
      String file = to.replaceFirst("(\\.jfr)?$", "-" + ProcessHandle.current().pid() + ".jfr");
      for (jdk.jfr.Recording r : jdk.jfr.FlightRecorder.getFlightRecorder().getRecordings()) {
        r.dump(Path.of(file));
      }
    } catch (Exception e) {
      System.err.println("peer: JFR dump failed: " + e);
    }
  }

  static int i(String s) {
    return Integer.parseInt(s);
  }

  static void ready() {
    System.out.println("READY");
    System.out.flush();
  }

  static void run(String system, String role, String[] a) throws Exception {
    switch (role) {
      case "rx" -> rx(system, i(a[0]), i(a[1]), i(a[2]));
      case "tx" -> tx(system, i(a[0]), i(a[1]), i(a[2]), i(a[3]), i(a[4]));
      case "echo" -> echo(system, i(a[0]), i(a[1]));
      case "ping" -> ping(system, i(a[0]), i(a[1]), i(a[2]), i(a[3]));
      case "many" -> many(Path.of(a[0]), i(a[1]), i(a[2]), i(a[3]));
      case "mc-rx" -> mcRx(system, a[0], i(a[1]), i(a[2]), i(a[3]), i(a[4]));
      default -> throw new IllegalArgumentException("role " + role);
    }
  }

  // ------------------------------------------------------------------ jdgram

  static DgramSocket jdgramSocket() {
    return Dgram.createSocket(SocketOptions.of("udp4").recvBufferSize(RCVBUF).sendBufferSize(RCVBUF));
  }

  static void bindSync(DgramSocket s, int port) throws InterruptedException {
    bindSync(s, port, LO);
  }

  static void bindSync(DgramSocket s, int port, String address) throws InterruptedException {
    CountDownLatch bound = new CountDownLatch(1);
    s.onError(e -> {
      System.err.println("jdgram error: " + e);
    });
    s.bind(port, address, bound::countDown);
    if (!bound.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("bind timed out");
    }
  }

  /**
   * Connects {@code s} to 127.0.0.1:{@code port}. Every tx-64 sender is connected to its sink, as
   * the C sender is: a connected UDP socket spares the kernel a route lookup per datagram, and
   * the workload compares the senders, not that lookup.
   */
  static void connectSync(DgramSocket s, int port) throws InterruptedException {
    CountDownLatch connected = new CountDownLatch(1);
    s.connect(port, LO, err -> {
      if (err != null) {
        System.err.println("jdgram connect error: " + err);
      }
      connected.countDown();
    });
    if (!connected.await(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException("connect timed out");
    }
  }

  // ------------------------------------------------------------------ netty

  static EventLoopGroup nettyGroup(String system) {
    return new MultiThreadIoEventLoopGroup(1, switch (system) {
      case "netty-epoll" -> EpollIoHandler.newFactory();
      case "netty-io_uring" -> IoUringIoHandler.newFactory();
      default -> NioIoHandler.newFactory();
    });
  }

  static Bootstrap nettyBootstrap(String system, EventLoopGroup group, ChannelInboundHandlerAdapter handler) {
    return nettyBootstrap(system, group, handler, false);
  }

  /** @param inet4 true: an IPv4 socket (multicast: the JDK joins an IPv4 group on an INET channel only reliably) */
  static Bootstrap nettyBootstrap(String system, EventLoopGroup group, ChannelInboundHandlerAdapter handler, boolean inet4) {
    Bootstrap b = new Bootstrap().group(group).handler(handler)
        .option(ChannelOption.SO_RCVBUF, RCVBUF)
        .option(ChannelOption.SO_SNDBUF, RCVBUF);
    if (system.equals("netty-epoll")) {
      // recvmmsg: a 64-datagram buffer per read, cut in 2048-byte slots
      if (inet4) {
        b.channelFactory(() -> new EpollDatagramChannel(SocketProtocolFamily.INET));
      } else {
        b.channel(EpollDatagramChannel.class);
      }
      b
          .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(64 * 2048));
    } else if (system.equals("netty-io_uring")) {
      // as for epoll: one 64 × 2048-byte buffer per read, cut into a RECVMSG per 2048-byte slot
      if (inet4) {
        b.channelFactory(() -> new IoUringDatagramChannel(SocketProtocolFamily.INET));
      } else {
        b.channel(IoUringDatagramChannel.class);
      }
      b
          .option(IoUringChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, 2048)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(64 * 2048));
    } else {
      if (inet4) {
        b.channelFactory(() -> new NioDatagramChannel(SocketProtocolFamily.INET));
      } else {
        b.channel(NioDatagramChannel.class);
      }
      b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048));
    }
    return b;
  }

  // ------------------------------------------------------------------ rx

  static void rx(String system, int port, int warmupMs, int windowMs) throws Exception {
    Meter m = new Meter();
    if (SocketPeer.handles(system)) {
      SocketPeer.rx(system, port, m);
      ready();
      m.measure(warmupMs, windowMs, true, IDLE_MS);
      return;
    }
    switch (system) {
      case "jdgram-copy" -> {
        DgramSocket s = jdgramSocket();
        s.onMessage((msg, rinfo) -> m.add(msg.length));
        bindSync(s, port);
      }
      case "jdgram-view" -> {
        DgramSocket s = jdgramSocket();
        s.onDatagram(d -> m.add(d.size()));
        bindSync(s, port);
      }
      case "jdgram-lean" -> { // zero-copy without each datagram's destination and interface
        DgramSocket s = Dgram.createSocket(SocketOptions.of("udp4").recvBufferSize(RCVBUF).sendBufferSize(RCVBUF)
            .packetInfo(false));
        s.onDatagram(d -> m.add(d.size()));
        bindSync(s, port);
      }
      case "jdgram-lean-ttl", "jdgram-lean-tos", "jdgram-lean-ts" -> {
        // the lean zero-copy receiver with one per-datagram fact asked of the kernel, and read:
        // what that fact costs (the column beside jdgram-lean)
        SocketOptions o = SocketOptions.of("udp4").recvBufferSize(RCVBUF).sendBufferSize(RCVBUF).packetInfo(false);
        DgramSocket s = Dgram.createSocket(switch (system) {
          case "jdgram-lean-ttl" -> o.recvTtl(true);
          case "jdgram-lean-tos" -> o.recvTos(true);
          default -> o.recvTimestamp(true);
        });
        if (system.equals("jdgram-lean-ts")) {
          s.onDatagram(d -> m.add(d.size() + (int) (d.timestampNanos() >>> 63))); // read, so it is not skipped
        } else if (system.equals("jdgram-lean-ttl")) {
          s.onDatagram(d -> m.add(d.size() + (d.ttl() >>> 31)));
        } else {
          s.onDatagram(d -> m.add(d.size() + (d.tos() >>> 31)));
        }
        bindSync(s, port);
      }
      case "netty-epoll", "netty-nio", "netty-io_uring" -> {
        EventLoopGroup g = nettyGroup(system);
        nettyBootstrap(system, g, new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            m.add(p.content().readableBytes());
            p.release();
          }
        }).bind(LO, port).sync();
      }
      case "jdk" -> {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, RCVBUF);
        ch.bind(new InetSocketAddress(LO, port));
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        Thread t = new Thread(() -> {
          try {
            while (true) {
              buf.clear();
              ch.receive(buf);
              m.add(buf.position());
            }
          } catch (IOException e) {
            // closed at exit
          }
        }, "jdk-rx");
        t.setDaemon(true);
        t.start();
      }
      default -> throw new IllegalArgumentException("rx system " + system);
    }
    ready();
    m.measure(warmupMs, windowMs, true, IDLE_MS);
  }

  // ------------------------------------------------------------------ tx

  static volatile boolean stop;

  static void tx(String system, int port, int size, int warmupMs, int windowMs, int tailMs) throws Exception {
    Meter m = new Meter();
    byte[] msg = new byte[size];
    InetSocketAddress dst = new InetSocketAddress(LO, port);
    switch (system) {
      case "jdgram-send" -> {
        DgramSocket s = jdgramSocket();
        bindSync(s, 0);
        connectSync(s, port);
        EventLoop loop = s.loop();
        SendCallback cb = (err, n) -> {
          if (err == null) {
            m.add(n);
          }
        };
        Runnable pump = new Runnable() {
          @Override
          public void run() {
            if (stop) {
              return;
            }
            for (int k = 0; k < 64 && s.getSendQueueCount() < 1024; k++) {
              s.send(msg, cb);
            }
            loop.setImmediate(this);
          }
        };
        loop.execute(pump);
      }
      case "jdgram-batch", "jdgram-mmsg" -> {
        DgramSocket s = jdgramSocket();
        bindSync(s, 0);
        connectSync(s, port);
        boolean mixed = system.equals("jdgram-mmsg");
        for (int j = 0; j < 2; j++) {
          DatagramBatch b = new DatagramBatch(64, 64 * (size + 1));
          byte[] other = new byte[size + 1];
          for (int k = 0; k < 64; k++) {
            b.add(mixed && (k & 1) == 1 ? other : msg);
          }
          int avg = (int) (b.bytes() / 64);
          BatchCallback[] self = new BatchCallback[1];
          self[0] = (err, n) -> {
            if (n > 0) {
              m.addMany(n, avg);
            }
            if (!stop) {
              s.send(b, self[0]);
            }
          };
          s.send(b, self[0]);
        }
      }
      case "netty-epoll", "netty-nio", "netty-io_uring" -> {
        EventLoopGroup g = nettyGroup(system);
        Channel ch = nettyBootstrap(system, g, new ChannelInboundHandlerAdapter()).bind(LO, 0).sync().channel();
        ch.connect(dst).sync();
        ByteBuf payload = Unpooled.directBuffer(size).writeZero(size);
        Runnable pump = new Runnable() {
          @Override
          public void run() {
            if (stop) {
              return;
            }
            for (int k = 0; k < 64 && ch.isWritable(); k++) {
              ch.write(payload.retainedDuplicate(), ch.voidPromise());
              m.add(size);
            }
            ch.flush();
            ch.eventLoop().execute(this);
          }
        };
        ch.eventLoop().execute(pump);
      }
      case "jdk" -> {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_SNDBUF, RCVBUF);
        ch.connect(dst);
        ByteBuffer buf = ByteBuffer.allocateDirect(size);
        Thread t = new Thread(() -> {
          try {
            while (!stop) {
              buf.clear();
              try {
                ch.write(buf);
                m.add(size);
              } catch (java.net.PortUnreachableException e) {
                // the sink is not there yet
              }
            }
          } catch (IOException e) {
            // closed at exit
          }
        }, "jdk-tx");
        t.setDaemon(true);
        t.start();
      }
      default -> throw new IllegalArgumentException("tx system " + system);
    }
    ready();
    m.measure(warmupMs, windowMs, false, IDLE_MS);
    Thread.sleep(tailMs);
    stop = true;
  }

  // ------------------------------------------------------------------ echo

  static void echo(String system, int port, int durationMs) throws Exception {
    if (SocketPeer.handles(system)) {
      SocketPeer.echo(system, port);
      ready();
      Thread.sleep(durationMs);
      System.out.println("RESULT count=1");
      return;
    }
    switch (system) {
      case "jdgram-copy" -> {
        DgramSocket s = jdgramSocket();
        s.onMessage((msg, rinfo) -> s.send(msg, rinfo.port(), rinfo.address()));
        bindSync(s, port);
      }
      case "jdgram-view" -> {
        DgramSocket s = jdgramSocket();
        SendCallback none = (err, n) -> {};
        s.onDatagram(d -> s.send(d.data(), d.port(), d.address(), none));
        bindSync(s, port);
      }
      case "netty-epoll", "netty-nio", "netty-io_uring" -> {
        EventLoopGroup g = nettyGroup(system);
        nettyBootstrap(system, g, new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            ctx.write(new DatagramPacket(p.content(), p.sender()), ctx.voidPromise());
          }

          @Override
          public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
          }
        }).bind(LO, port).sync();
      }
      case "jdk" -> {
        DatagramChannel ch = DatagramChannel.open();
        ch.setOption(StandardSocketOptions.SO_RCVBUF, RCVBUF);
        ch.bind(new InetSocketAddress(LO, port));
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        Thread t = new Thread(() -> {
          try {
            while (true) {
              buf.clear();
              var from = ch.receive(buf);
              buf.flip();
              ch.send(buf, from);
            }
          } catch (IOException e) {
            // closed at exit
          }
        }, "jdk-echo");
        t.setDaemon(true);
        t.start();
      }
      default -> throw new IllegalArgumentException("echo system " + system);
    }
    ready();
    Thread.sleep(durationMs);
    System.out.println("RESULT count=1");
  }

  // ------------------------------------------------------------------ ping

  static void ping(String system, int port, int size, int warm, int count) throws Exception {
    // Every round trip is written at k % count: the last count of warm + count consecutive
    // samples land on each slot once, so the array ends holding the window. A branch that starts
    // recording only after the warm-up would be compiled as never taken, and the JIT would
    // deoptimize and recompile the client's hot path on its own core at the window's start
    // (-Xlog:deoptimization showed it: ms stalls at p99.9, in every JVM peer).
    long[] rtt = new long[count];
    int total = warm + count;
    int[] seen = new int[1];
    long[] sentAt = new long[1];
    CountDownLatch done = new CountDownLatch(1);
    byte[] msg = new byte[size];
    InetSocketAddress dst = new InetSocketAddress(LO, port);
    ready();
    if (SocketPeer.handles(system)) {
      if (!SocketPeer.ping(system, port, size, warm, rtt)) {
        System.out.println("RESULT count=0 error=timeout");
        return;
      }
      System.out.println(percentiles(rtt));
      return;
    }
    switch (system) {
      case "jdgram-copy", "jdgram-view" -> {
        DgramSocket s = jdgramSocket();
        s.onMessage((m, r) -> {
          long d = System.nanoTime() - sentAt[0];
          int k = seen[0]++;
          rtt[k % rtt.length] = d; // every sample: no branch flips as the window starts
          if (k + 1 >= total) {
            done.countDown();
            return;
          }
          sentAt[0] = System.nanoTime();
          s.send(msg, port, LO);
        });
        bindSync(s, 0);
        s.loop().execute(() -> {
          sentAt[0] = System.nanoTime();
          s.send(msg, port, LO);
        });
      }
      case "netty-epoll", "netty-nio", "netty-io_uring" -> {
        EventLoopGroup g = nettyGroup(system);
        ByteBuf payload = Unpooled.directBuffer(size).writeZero(size);
        Channel ch = nettyBootstrap(system, g, new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object o) {
            long d = System.nanoTime() - sentAt[0];
            ((DatagramPacket) o).release();
            int k = seen[0]++;
            rtt[k % rtt.length] = d; // every sample: no branch flips as the window starts
            if (k + 1 >= total) {
              done.countDown();
              return;
            }
            sentAt[0] = System.nanoTime();
            ctx.writeAndFlush(new DatagramPacket(payload.retainedDuplicate(), dst), ctx.voidPromise());
          }
        }).bind(LO, 0).sync().channel();
        ch.eventLoop().execute(() -> {
          sentAt[0] = System.nanoTime();
          ch.writeAndFlush(new DatagramPacket(payload.retainedDuplicate(), dst), ch.voidPromise());
        });
      }
      case "jdk" -> {
        DatagramChannel ch = DatagramChannel.open();
        ch.connect(dst);
        ByteBuffer out = ByteBuffer.allocateDirect(size);
        ByteBuffer in = ByteBuffer.allocateDirect(65536);
        Thread t = new Thread(() -> {
          try {
            for (int k = 0; k < total; k++) {
              out.clear();
              long t0 = System.nanoTime();
              ch.write(out);
              in.clear();
              ch.read(in);
              long d = System.nanoTime() - t0;
              rtt[k % rtt.length] = d; // every sample: no branch flips as the window starts
              seen[0] = k + 1;
            }
          } catch (IOException e) {
            e.printStackTrace();
          }
          done.countDown();
        }, "jdk-ping");
        t.setDaemon(true);
        t.start();
      }
      default -> throw new IllegalArgumentException("ping system " + system);
    }
    boolean ok = done.await(60, TimeUnit.SECONDS);
    if (!ok) {
      System.out.println("RESULT count=0 error=timeout");
      return;
    }
    System.out.println(percentiles(rtt));
  }

  static String percentiles(long[] rtt) {
    long[] s = rtt.clone();
    Arrays.sort(s);
    int n = s.length;
    return String.format(Locale.ROOT, "RESULT count=%d lost=0 p50=%.2f p99=%.2f p999=%.2f", n, s[n / 2] / 1e3,
        s[(int) (n * 0.99)] / 1e3, s[(int) (n * 0.999)] / 1e3);
  }

  // ------------------------------------------------------------------ multicast fan-out

  /** 127.0.0.1 as an address and as the interface ({@code lo}) that every join and send is pinned to. */
  static InetAddress loAddress() throws IOException {
    return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
  }

  static NetworkInterface loInterface() throws IOException {
    NetworkInterface nif = NetworkInterface.getByInetAddress(loAddress());
    if (nif == null) {
      throw new IOException("no interface holds 127.0.0.1");
    }
    return nif;
  }

  /** A group in 239.255.0.0/16 only (the suite's), parsed from its literal without a look-up. */
  static InetAddress group(String text) throws IOException {
    String[] p = text.split("\\.");
    if (p.length != 4 || !p[0].equals("239") || !p[1].equals("255")) {
      throw new IllegalArgumentException("group " + text + " is not in 239.255.0.0/16");
    }
    byte[] b = new byte[4];
    for (int k = 0; k < 4; k++) {
      b[k] = (byte) Integer.parseInt(p[k]);
    }
    return InetAddress.getByAddress(b);
  }

  /**
   * MEMBERS receivers of one group, all on one thread, each bound to GROUP:PORT with address
   * reuse and joined on 127.0.0.1 (multicast interface pinned to 127.0.0.1 too, though members
   * never send). The meter counts every delivery to every member.
   */
  static void mcRx(String system, String groupText, int port, int members, int warmupMs, int windowMs) throws Exception {
    Meter m = new Meter();
    InetAddress g = group(groupText);
    NetworkInterface lo = loInterface();
    switch (system) {
      case "jdgram-copy", "jdgram-view" -> {
        EventLoop loop = null;
        for (int k = 0; k < members; k++) {
          SocketOptions o = SocketOptions.of("udp4").reuseAddr(true).recvBufferSize(RCVBUF).sendBufferSize(RCVBUF);
          DgramSocket s = Dgram.createSocket(loop == null ? o : o.loop(loop));
          if (system.equals("jdgram-copy")) {
            s.onMessage((msg, rinfo) -> m.add(msg.length));
          } else {
            s.onDatagram(d -> m.add(d.size()));
          }
          bindSync(s, port, groupText);
          s.addMembership(groupText, LO);
          s.setMulticastInterface(LO);
          s.setMulticastLoopback(true);
          loop = s.loop();
        }
      }
      case "netty-epoll", "netty-nio", "netty-io_uring" -> {
        EventLoopGroup eg = nettyGroup(system); // one thread for all members
        ChannelInboundHandlerAdapter h = new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket p = (DatagramPacket) msg;
            m.add(p.content().readableBytes());
            p.release();
          }

          @Override
          public boolean isSharable() {
            return true;
          }
        };
        for (int k = 0; k < members; k++) {
          Bootstrap b = nettyBootstrap(system, eg, h, true)
              .option(ChannelOption.SO_REUSEADDR, true)
              .option(ChannelOption.IP_MULTICAST_IF, lo)
              .option(ChannelOption.IP_MULTICAST_LOOP_DISABLED, false);
          io.netty.channel.socket.DatagramChannel ch =
              (io.netty.channel.socket.DatagramChannel) b.bind(g, port).sync().channel();
          ch.joinGroup(new InetSocketAddress(g, port), lo).sync();
        }
      }
      case "jdk" -> {
        Selector sel = Selector.open();
        for (int k = 0; k < members; k++) {
          DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
          ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
          ch.setOption(StandardSocketOptions.SO_RCVBUF, RCVBUF);
          ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
          ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
          ch.bind(new InetSocketAddress(g, port));
          ch.join(g, lo);
          ch.configureBlocking(false);
          ch.register(sel, SelectionKey.OP_READ);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(65536);
        Thread t = new Thread(() -> {
          try {
            while (true) {
              sel.select();
              var keys = sel.selectedKeys();
              for (SelectionKey key : keys) {
                DatagramChannel ch = (DatagramChannel) key.channel();
                // up to 64 per readiness, as the C and Netty epoll members read per recvmmsg
                for (int n = 0; n < 64; n++) {
                  buf.clear();
                  if (ch.receive(buf) == null) {
                    break;
                  }
                  m.add(buf.position());
                }
              }
              keys.clear();
            }
          } catch (IOException e) {
            // closed at exit
          }
        }, "jdk-mc-rx");
        t.setDaemon(true);
        t.start();
      }
      default -> throw new IllegalArgumentException("mc-rx system " + system);
    }
    ready();
    m.measure(warmupMs, windowMs, true, IDLE_MS);
  }

  // ------------------------------------------------------------------ many sockets

  static long heapUsed() throws InterruptedException {
    for (int k = 0; k < 3; k++) {
      System.gc();
      Thread.sleep(50);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  static void many(Path portFile, int sockets, int warmupMs, int windowMs) throws Exception {
    Meter m = new Meter();
    // the loop and its classes first, so that the heap figure is the sockets' own
    DgramSocket first = jdgramSocket();
    first.onDatagram(d -> m.add(d.size()));
    bindSync(first, 0);
    long before = heapUsed();
    List<DgramSocket> all = new ArrayList<>(sockets);
    all.add(first);
    CountDownLatch bound = new CountDownLatch(sockets - 1);
    for (int k = 1; k < sockets; k++) {
      DgramSocket s = jdgramSocket();
      s.onDatagram(d -> m.add(d.size()));
      s.onError(e -> System.err.println("jdgram error: " + e));
      s.bind(0, LO, bound::countDown);
      all.add(s);
    }
    if (!bound.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("binding " + sockets + " sockets timed out");
    }
    long after = heapUsed();
    StringBuilder ports = new StringBuilder();
    for (DgramSocket s : all) {
      ports.append(s.address().port()).append('\n');
    }
    Files.writeString(portFile, ports);
    System.out.printf(Locale.ROOT, "HEAP perSocket=%.0f%n", (after - before) / (double) (sockets - 1));
    ready();
    m.measure(warmupMs, windowMs, true, IDLE_MS);
  }
}
