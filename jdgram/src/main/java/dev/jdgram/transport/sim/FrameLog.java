package dev.jdgram.transport.sim;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/** The frames seen at one capture point, with their virtual times; written as pcap. */
public final class FrameLog {
  public record Frame(long timeMicros, byte[] bytes, String tag) {}

  private final List<Frame> frames = new ArrayList<>();
  private boolean on = true;

  synchronized void add(long micros, Packet p) {
    if (on) {
      frames.add(new Frame(micros, p.toFrame(), p.tag));
    }
  }

  public synchronized List<Frame> frames() {
    return List.copyOf(frames);
  }

  public synchronized void stop() {
    on = false;
  }

  /** Writes the classic pcap format (microsecond timestamps, LINKTYPE_ETHERNET). */
  public synchronized void writePcap(OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(0xa1b2c3d4); // big-endian magic: readers take the byte order from it
    out.writeShort(2);
    out.writeShort(4);
    out.writeInt(0);
    out.writeInt(0);
    out.writeInt(262144);
    out.writeInt(1);
    for (Frame f : frames) {
      out.writeInt((int) (f.timeMicros / 1_000_000));
      out.writeInt((int) (f.timeMicros % 1_000_000));
      out.writeInt(f.bytes.length);
      out.writeInt(f.bytes.length);
      out.write(f.bytes);
    }
    out.flush();
  }
}
