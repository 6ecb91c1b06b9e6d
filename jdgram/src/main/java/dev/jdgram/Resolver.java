package dev.jdgram;

import dev.jdgram.handle.IpLiteral;
import dev.jdgram.handle.Errno;
import dev.jdgram.handle.LoopContext;
import dev.jdgram.handle.SysError;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A socket's name look-ups, apart from the socket so that bind, connect and send share one
 * path: the literal fast path of the default look-up, a custom {@link Lookup} asked about
 * everything (as in Node), and the hand-off of every answer to the loop thread. Also the check
 * that an answer fits the socket's family, which every look-up's user makes.
 */
final class Resolver {
  /** Where an answer goes, on the loop thread: an error or an address, never both. */
  @FunctionalInterface
  interface Done {
    void done(DgramException error, InetAddress address);
  }

  private final LoopContext ctx;
  private final Lookup lookup;
  private final boolean ipv6;

  Resolver(LoopContext ctx, Lookup lookup, boolean ipv6) {
    this.ctx = ctx;
    this.lookup = lookup;
    this.ipv6 = ipv6;
  }

  /**
   * Resolves {@code host} and hands the answer to the loop thread, always after the current
   * callback (never inside the caller's stack). The default look-up answers IP literals at once
   * and resolves names on a virtual thread; a custom {@link Lookup} is asked about everything,
   * as in Node.
   */
  /** @return true if an IP literal resolves to itself (the default look-up), so it may be remembered */
  boolean literalsAreFinal() {
    return lookup == DefaultLookup.INSTANCE;
  }

  void resolve(String host, Done done) {
    if (lookup == DefaultLookup.INSTANCE) {
      InetAddress literal = IpLiteral.parse(host);
      if (literal != null) {
        ctx.execute(() -> done.done(null, literal));
        return;
      }
    }
    ctx.reqStart();
    AtomicBoolean answered = new AtomicBoolean();
    try {
      lookup.lookup(host, ipv6 ? "IPv6" : "IPv4", (err, addr) -> {
        if (!answered.compareAndSet(false, true)) {
          return; // a second answer from a custom look-up is ignored
        }
        DgramException e = err;
        if (e == null && addr == null) {
          e = Errors.notFound(host, null);
        }
        DgramException error = e;
        try {
          ctx.execute(() -> done.done(error, error == null ? addr : null));
        } finally {
          ctx.reqDone();
        }
      });
    } catch (Throwable thrown) { // a look-up that throws, even an Error, fails only this look-up
      if (answered.compareAndSet(false, true)) {
        DgramException error = thrown instanceof DgramException de ? de : Errors.notFound(host, thrown);
        ctx.execute(() -> done.done(error, null));
        ctx.reqDone();
      }
    }
  }

  /** Where a send's destination goes, on the loop thread: an error or an address, never both. */
  @FunctionalInterface
  interface DestinationDone {
    void done(DgramException error, InetSocketAddress destination);
  }

  /**
   * A send's destination, as sends and batches both need it: the remembered one for the same IP
   * literal (no parse, no look-up), else the look-up, the family check and the send block list
   * (Node's {@code ERR_IP_BLOCKED}). Answers on the loop thread, never inside the caller's stack.
   *
   * @param memory where the last literal destination is remembered
   * @param blocked the socket's send block list, or null
   */
  void destination(String target, int port, BatchDestination memory, BlockList blocked, DestinationDone done) {
    boolean remember = blocked == null && literalsAreFinal();
    InetSocketAddress cached = remember ? memory.get(target, port) : null;
    if (cached != null) {
      ctx.execute(() -> done.done(null, cached));
      return;
    }
    resolve(target, (err, ip) -> {
      if (err != null) {
        done.done(err, null);
        return;
      }
      try {
        checkFamily(target, ip);
      } catch (SysError e) {
        done.done(Errors.withHostPort(e.errno(), "send", target, port), null);
        return;
      }
      if (blocked != null && blocked.check(ip)) {
        done.done(Errors.ipBlocked(IpLiteral.format(ip)), null);
        return;
      }
      InetSocketAddress dest = new InetSocketAddress(ip, port);
      if (remember) {
        memory.remember(target, dest);
      }
      done.done(null, dest);
    });
  }

  /** Node (libuv) refuses an address of the other family with EINVAL. */
  void checkFamily(String target, InetAddress ip) {
    int textFamily = IpLiteral.family(target);
    boolean isV6 = textFamily == 6 || (textFamily == 0 && ip instanceof Inet6Address);
    if (isV6 != ipv6 && !(ipv6 && textFamily == 0)) {
      throw new SysError(Errno.EINVAL);
    }
  }
}
