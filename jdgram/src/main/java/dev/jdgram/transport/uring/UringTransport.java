package dev.jdgram.transport.uring;

import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.Poller;
import dev.jdgram.handle.Transport;
import dev.jdgram.handle.UdpKernel;

/**
 * The experimental io_uring transport ({@code -Djdgram.transport=uring}): the linux transport's
 * sockets and options, with receives as multishot RECVMSG into a provided-buffer ring and sends
 * as SENDMSG SQEs, on a ring made with SINGLE_ISSUER and DEFER_TASKRUN. Raw system calls over
 * the FFM API, no liburing.
 */
public final class UringTransport implements Transport {
  /** The one instance. */
  public static final UringTransport INSTANCE = new UringTransport();

  private UringTransport() {}

  @Override
  public String name() {
    return "uring";
  }

  @Override
  public Poller newPoller() {
    return new UringPoller();
  }

  @Override
  public UdpKernel newUdpKernel(LoopContext ctx, boolean ipv6, Object host, UdpKernel.Watcher watcher) {
    Transport.requireNoHost(this, host);
    return new UringUdpKernel(ctx, ipv6, watcher);
  }
}
