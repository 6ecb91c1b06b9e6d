package dev.jdgram.sim;

import dev.jdgram.transport.sim.FrameLog;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Frames seen at a capture point (a link or a LAN), with their virtual times. */
public final class Capture {
  private final FrameLog log;

  Capture(FrameLog log) {
    this.log = log;
  }

  /** @return how many frames were captured */
  public int frameCount() {
    return log.frames().size();
  }

  /** @return the frames' bytes (Ethernet and up), in order */
  public List<byte[]> frames() {
    return log.frames().stream().map(FrameLog.Frame::bytes).toList();
  }

  /** @return the trace names of the frames ({@code d3}, {@code igmp1}), in order */
  public List<String> tags() {
    return log.frames().stream().map(FrameLog.Frame::tag).toList();
  }

  /** Stops capturing; what was captured stays. */
  public void stop() {
    log.stop();
  }

  /** Writes a pcap file (LINKTYPE_ETHERNET, microseconds of virtual time) for tshark or Wireshark. */
  public void writePcap(Path file) throws IOException {
    try (OutputStream out = Files.newOutputStream(file)) {
      log.writePcap(out);
    }
  }

  /** Writes the pcap format to {@code out}. */
  public void writePcap(OutputStream out) throws IOException {
    log.writePcap(out);
  }
}
