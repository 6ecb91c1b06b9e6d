package dev.jdgram.examples.dns;

import dev.jdgram.AddressInfo;
import dev.jdgram.Dgram;
import dev.jdgram.DgramSocket;
import dev.jdgram.RemoteInfo;
import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * An authoritative DNS server for one static {@link Zone}, over UDP (RFC 1035): it answers
 * questions about names in the zone with the AA flag, NXDOMAIN for names that do not exist,
 * an empty answer for names that exist without the asked type, and REFUSED for names outside
 * the zone (it is no resolver). An EDNS query (RFC 6891: an OPT record in the additional
 * section) gets an OPT record back and may take a larger answer; a classic one gets at most
 * 512 bytes, and TC set when the answer does not fit, telling the client to ask over TCP.
 *
 * <pre>
 * java dev.jdgram.examples.dns.DnsResponder 5353
 * dig @127.0.0.1 -p 5353 www.example.test AAAA
 * </pre>
 *
 * <p>Message layout (RFC 1035 section 4.1): a 12-byte header (ID, flags, then the counts of
 * questions, answers, authority and additional records, 16 bits each), then the sections.
 */
public final class DnsResponder implements AutoCloseable {
  private static final int HEADER = 12;
  private static final int CLASSIC_LIMIT = 512;
  /** The UDP payload size this server announces and accepts (the DNS Flag Day 2020 value). */
  private static final int EDNS_LIMIT = 1232;
  private static final int OPT = 41;
  private static final int CLASS_IN = 1;

  private static final int NOERROR = 0;
  private static final int FORMERR = 1;
  private static final int NXDOMAIN = 3;
  private static final int NOTIMP = 4;
  private static final int REFUSED = 5;

  private final Zone zone;
  private final DgramSocket socket;

  /** @param zone what to answer for */
  public DnsResponder(Zone zone) {
    this.zone = zone;
    this.socket = Dgram.createSocket("udp4", this::answer);
  }

  /**
   * @param port the UDP port (53 is the standard one, which needs privileges), 0 for any
   * @param address the local address, or null for all
   * @return the bound address, once listening
   */
  public CompletableFuture<AddressInfo> listen(int port, String address) {
    CompletableFuture<AddressInfo> bound = new CompletableFuture<>();
    socket.onError(bound::completeExceptionally);
    socket.bind(port, address, () -> bound.complete(socket.address()));
    return bound;
  }

  @Override
  public void close() {
    socket.close();
  }

  private void answer(byte[] query, RemoteInfo rinfo) {
    byte[] reply = respond(query);
    if (reply != null) {
      socket.send(reply, rinfo.port(), rinfo.address(), null);
    }
  }

  /** @return the response to one query, or null for what deserves none (responses, junk) */
  byte[] respond(byte[] query) {
    if (query.length < HEADER) {
      return null;
    }
    ByteBuffer in = ByteBuffer.wrap(query);
    int id = in.getShort() & 0xffff;
    int flags = in.getShort() & 0xffff;
    int qdcount = in.getShort() & 0xffff;
    in.getShort(); // ancount
    in.getShort(); // nscount
    int arcount = in.getShort() & 0xffff;
    if ((flags & 0x8000) != 0) {
      return null; // a response: answering it could start a loop between two servers
    }
    int opcode = (flags >> 11) & 0xf;
    boolean rd = (flags & 0x0100) != 0;
    if (opcode != 0) {
      return header(id, opcode, false, rd, NOTIMP, 0, 0, 0);
    }
    if (qdcount != 1) {
      return header(id, opcode, false, rd, FORMERR, 0, 0, 0);
    }
    String qname;
    int qtype;
    int qclass;
    int questionEnd;
    boolean edns = false;
    try {
      qname = readName(in);
      qtype = in.getShort() & 0xffff;
      qclass = in.getShort() & 0xffff;
      questionEnd = in.position();
      for (int i = 0; i < arcount; i++) {
        String name = readName(in);
        int type = in.getShort() & 0xffff;
        in.position(in.position() + 6); // class (the sender's payload size for OPT), TTL
        int rdlength = in.getShort() & 0xffff;
        in.position(in.position() + rdlength);
        edns |= type == OPT && name.isEmpty();
      }
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      return header(id, opcode, false, rd, FORMERR, 0, 0, 0);
    }
    byte[] question = Arrays.copyOfRange(query, HEADER, questionEnd);

    int rcode;
    List<ResourceRecord> answers = List.of();
    if (qclass != CLASS_IN && qclass != 255) {
      rcode = REFUSED;
    } else if (!zone.contains(qname)) {
      rcode = REFUSED;
    } else if (!zone.exists(qname)) {
      rcode = NXDOMAIN;
    } else {
      rcode = NOERROR;
      answers = zone.lookup(qname, qtype);
    }
    boolean authoritative = rcode != REFUSED;

    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(question);
    for (ResourceRecord r : answers) {
      writeShort(body, 0xc000 | HEADER); // the owner: a pointer to the question's name
      writeShort(body, r.type());
      writeShort(body, CLASS_IN);
      writeInt(body, r.ttl());
      writeShort(body, r.rdata().length);
      body.writeBytes(r.rdata());
    }
    int limit = edns ? EDNS_LIMIT : CLASSIC_LIMIT;
    int optSize = edns ? 11 : 0;
    boolean truncated = HEADER + body.size() + optSize > limit;
    if (truncated) {
      body.reset();
      body.writeBytes(question);
      answers = List.of();
    }
    if (edns) {
      body.write(0); // root name
      writeShort(body, OPT);
      writeShort(body, EDNS_LIMIT);
      writeInt(body, 0); // extended RCODE, version 0, no DO flag
      writeShort(body, 0); // no options
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int f = 0x8000 | (authoritative ? 0x0400 : 0) | (truncated ? 0x0200 : 0) | (rd ? 0x0100 : 0)
        | rcode;
    writeShort(out, id);
    writeShort(out, f);
    writeShort(out, 1);
    writeShort(out, answers.size());
    writeShort(out, 0);
    writeShort(out, edns ? 1 : 0);
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  private static byte[] header(int id, int opcode, boolean aa, boolean rd, int rcode, int qd,
      int an, int ar) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writeShort(out, id);
    writeShort(out, 0x8000 | (opcode << 11) | (aa ? 0x0400 : 0) | (rd ? 0x0100 : 0) | rcode);
    writeShort(out, qd);
    writeShort(out, an);
    writeShort(out, 0);
    writeShort(out, ar);
    return out.toByteArray();
  }

  /**
   * A name as a query carries it: labels, each with its length, up to a zero byte. Queries do
   * not compress their one name, so a pointer here is refused rather than followed.
   */
  private static String readName(ByteBuffer in) {
    StringBuilder name = new StringBuilder();
    int total = 0;
    while (true) {
      int len = in.get() & 0xff;
      if (len == 0) {
        return name.toString();
      }
      if (len > 63) {
        throw new IllegalArgumentException("compressed or bad label in a question");
      }
      byte[] label = new byte[len];
      in.get(label);
      total += len + 1;
      if (total > 255) {
        throw new IllegalArgumentException("name longer than 255 bytes");
      }
      if (!name.isEmpty()) {
        name.append('.');
      }
      name.append(new String(label, StandardCharsets.US_ASCII));
    }
  }

  private static void writeShort(ByteArrayOutputStream out, int v) {
    out.write(v >> 8);
    out.write(v);
  }

  private static void writeInt(ByteArrayOutputStream out, int v) {
    writeShort(out, v >>> 16);
    writeShort(out, v & 0xffff);
  }

  /**
   * Serves a small zone, {@code example.test} (a name reserved for testing, RFC 2606).
   *
   * @param args the port (default 5353) and the address (default 127.0.0.1)
   */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 5353;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    Zone zone = new Zone("example.test")
        .a("@", 300, "192.0.2.1")
        .a("www", 300, "192.0.2.10")
        .aaaa("www", 300, "2001:db8::10")
        .txt("@", 60, "v=spf1 -all");
    DnsResponder server = new DnsResponder(zone);
    AddressInfo bound = server.listen(port, address).join();
    System.err.println("dns for " + zone.origin() + " on " + bound.address() + ":" + bound.port());
  }
}
