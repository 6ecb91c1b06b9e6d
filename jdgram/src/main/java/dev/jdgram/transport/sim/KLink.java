package dev.jdgram.transport.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The cable between a card and a switch port. Each direction has its own transmit queue (for
 * the rate limit); the faults apply to every frame that crosses, in either direction.
 */
public final class KLink {
  final World w;
  public final String name;
  final KNic nic;
  final KSwitch sw;
  private final SplittableRandom rng;
  private final long[] busyUntil = new long[2];
  private final int[] queued = new int[2];
  final List<FrameLog> captures = new ArrayList<>();
  // conditions
  public boolean up = true;
  public double loss;
  public long delayMicros;
  public long jitterMicros;
  public double duplicate;
  public double reorder;
  public long reorderMicros = 10_000;
  public long rateBitsPerSecond;
  public int queueFrames = 1000;
  /** A full queue marks ECN-capable frames CE instead of dropping them. */
  public boolean ecnMarking;

  KLink(World w, KNic nic, KSwitch sw) {
    this.w = w;
    this.nic = nic;
    this.sw = sw;
    this.name = nic.host.name + "/" + nic.name;
    this.rng = w.random("link:" + name);
  }

  public FrameLog capture() {
    synchronized (w) {
      FrameLog log = new FrameLog();
      captures.add(log);
      return log;
    }
  }

  /**
   * Carries {@code p} across: towards the switch if {@code fromNic}, else towards the card.
   * {@code sent} runs when the frame has left the sender's queue (its socket buffer is freed).
   */
  void send(boolean fromNic, Packet frame, Runnable sent) {
    Packet p = frame;
    int dir = fromNic ? 0 : 1;
    String arrow = fromNic ? nic.host.name + "->" + sw.name : sw.name + "->" + nic.host.name;
    if (!up) {
      w.trace(p.tag, name, KLayer.LINK, "drop", "link down (" + arrow + ")");
      sent.run();
      return;
    }
    long t = w.nowMicros();
    if (rateBitsPerSecond > 0) {
      if (queued[dir] >= queueFrames) {
        int ecn = p.tos & 3;
        if (!ecnMarking || (ecn != 1 && ecn != 2)) {
          w.trace(p.tag, name, KLayer.LINK, "drop", "transmit queue full (" + queueFrames + " frames, rate limit " + rateBitsPerSecond + " bit/s)");
          sent.run();
          return;
        }
        p = p.copy(); // the frame others may hold stays as it was sent
        p.tos |= 3;
        w.trace(p.tag, name, KLayer.LINK, "mark", "transmit queue full: ECN-capable, marked CE instead of dropped");
      }
      long start = Math.max(t, busyUntil[dir]);
      long bits = (long) (p.wireSize() + 24) * 8; // preamble, FCS, gap
      long ser = (bits * 1_000_000L + rateBitsPerSecond - 1) / rateBitsPerSecond;
      busyUntil[dir] = start + ser;
      t = start + ser;
      queued[dir]++;
      w.at(t, () -> {
        queued[dir]--;
        sent.run();
      });
    } else {
      sent.run();
    }
    long leave = t;
    Packet out = p;
    if (leave == w.nowMicros()) {
      onWire(fromNic, out, leave, arrow);
    } else {
      w.at(leave, () -> onWire(fromNic, out, leave, arrow));
    }
  }

  private void onWire(boolean fromNic, Packet p, long t, String arrow) {
    for (FrameLog c : captures) {
      c.add(t, p);
    }
    if (loss > 0 && rng.nextDouble() < loss) {
      w.trace(p.tag, name, KLayer.LINK, "drop", "loss (p=" + loss + ", " + arrow + ")");
      return;
    }
    long d = delayMicros + (jitterMicros > 0 ? rng.nextLong(jitterMicros + 1) : 0);
    if (reorder > 0 && rng.nextDouble() < reorder) {
      d += reorderMicros;
      w.trace(p.tag, name, KLayer.LINK, "delay", "reordered: held back " + reorderMicros + "us (p=" + reorder + ")");
    }
    int copies = duplicate > 0 && rng.nextDouble() < duplicate ? 2 : 1;
    if (copies == 2) {
      w.trace(p.tag, name, KLayer.LINK, "dup", "duplicated (p=" + duplicate + ")");
    }
    for (int i = 0; i < copies; i++) {
      Runnable arrive = fromNic ? () -> sw.ingress(this, p) : () -> nic.receive(p);
      if (d == 0 && i == 0) {
        arrive.run();
      } else {
        w.at(t + d, arrive);
      }
    }
  }
}
