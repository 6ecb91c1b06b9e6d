package dev.jdgram.interop;

import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import dev.jdgram.loop.Timer;
import dev.jdgram.sim.Host;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small TFTP server (RFC 1350: RRQ, WRQ, DATA, ACK, ERROR; octet mode, 512-byte blocks) on
 * jdgram, for a simulated host, where no daemon can run. Each transfer answers from a socket of
 * its own (its TID) and retransmits on a timer of the network's loop (virtual time), so that it
 * carries on through loss. Everything runs on the loop thread.
 */
final class SimTftpServer {
  private static final int BLOCK = 512;
  private static final long RETRANSMIT_MS = 200;
  private static final int MAX_TRIES = 25;

  final Map<String, byte[]> files = new ConcurrentHashMap<>();
  final AtomicInteger retransmissions = new AtomicInteger();
  private final Host host;
  private final String address;
  private final DgramSocket listener;

  SimTftpServer(Host host, String address, int port) {
    this.host = host;
    this.address = address;
    this.listener = host.socket("udp4");
    listener.onMessage(this::request);
    listener.bind(port, address);
  }

  void close() {
    listener.close();
  }

  private void request(byte[] msg, RemoteInfo from) {
    int op = u16(msg, 0);
    int end = 2;
    while (end < msg.length && msg[end] != 0) {
      end++;
    }
    String name = new String(msg, 2, end - 2, StandardCharsets.US_ASCII);
    DgramSocket tid = host.socket("udp4");
    tid.bind(0, address);
    if (op == 1) {
      new Read(tid, from, files.get(name)).start();
    } else if (op == 2) {
      new Write(tid, from, name).start();
    } else {
      tid.close();
    }
  }

  private static int u16(byte[] b, int at) {
    return ((b[at] & 0xff) << 8) | (b[at + 1] & 0xff);
  }

  private static byte[] encode(int op, int n, byte[] data, int from, int len) {
    ByteBuffer b = ByteBuffer.allocate(4 + len);
    b.putShort((short) op).putShort((short) n).put(data, from, len);
    return b.array();
  }

  /** One transfer: its socket, its peer, its retransmission timer. */
  private abstract class Transfer {
    final DgramSocket socket;
    final RemoteInfo peer;
    byte[] last;
    Timer timer;
    int tries;
    boolean done;

    Transfer(DgramSocket socket, RemoteInfo peer) {
      this.socket = socket;
      this.peer = peer;
      socket.onMessage((msg, from) -> {
        if (from.port() == peer.port() && from.address().equals(peer.address()) && !done) {
          if (u16(msg, 0) == 5) {
            finish(); // the client gave up on this transfer (a duplicate request's second TID)
          } else {
            packet(msg);
          }
        }
      });
    }

    abstract void start();

    abstract void packet(byte[] msg);

    void transmit(byte[] p) {
      last = p;
      tries = 0;
      socket.send(p, peer.port(), peer.address());
      arm();
    }

    private void arm() {
      if (timer != null) {
        timer.cancel();
      }
      timer = socket.loop().setTimeout(() -> {
        if (done) {
          return;
        }
        if (++tries > MAX_TRIES) {
          finish();
          return;
        }
        retransmissions.incrementAndGet();
        socket.send(last, peer.port(), peer.address());
        arm();
      }, RETRANSMIT_MS);
    }

    void finish() {
      done = true;
      if (timer != null) {
        timer.cancel();
      }
      socket.close();
    }
  }

  private final class Read extends Transfer {
    private final byte[] file;
    private int block = 1;

    Read(DgramSocket socket, RemoteInfo peer, byte[] file) {
      super(socket, peer);
      this.file = file;
    }

    @Override
    void start() {
      if (file == null) {
        byte[] msg = "File not found".getBytes(StandardCharsets.US_ASCII);
        socket.send(encode(5, 1, Arrays.copyOf(msg, msg.length + 1), 0, msg.length + 1), peer.port(), peer.address());
        finish();
        return;
      }
      sendBlock();
    }

    private void sendBlock() {
      int from = (block - 1) * BLOCK;
      int len = Math.max(0, Math.min(BLOCK, file.length - from));
      transmit(encode(3, block, file, from, len));
    }

    @Override
    void packet(byte[] msg) {
      if (u16(msg, 0) != 4 || u16(msg, 2) != (block & 0xffff)) {
        return; // a duplicate ACK: the timer resends if need be
      }
      if ((long) (block - 1) * BLOCK + BLOCK > file.length) {
        finish(); // the last (short) block is acknowledged
        return;
      }
      block++;
      sendBlock();
    }
  }

  private final class Write extends Transfer {
    private final String name;
    private final ByteArrayOutputStream received = new ByteArrayOutputStream();
    private int expected = 1;

    Write(DgramSocket socket, RemoteInfo peer, String name) {
      super(socket, peer);
      this.name = name;
    }

    @Override
    void start() {
      transmit(encode(4, 0, new byte[0], 0, 0));
    }

    @Override
    void packet(byte[] msg) {
      if (u16(msg, 0) != 3) {
        return;
      }
      int n = u16(msg, 2);
      if (n == ((expected - 1) & 0xffff)) {
        socket.send(last, peer.port(), peer.address()); // our ACK was lost: again
        return;
      }
      if (n != (expected & 0xffff)) {
        return;
      }
      received.write(msg, 4, msg.length - 4);
      transmit(encode(4, n, new byte[0], 0, 0));
      expected++;
      if (msg.length - 4 < BLOCK) {
        files.put(name, received.toByteArray());
        // dally: answer a repeat of the last DATA (its ACK may be lost) until the timer gives up
        tries = MAX_TRIES - 5;
      }
    }
  }
}
