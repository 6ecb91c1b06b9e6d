/*
 * jdgram-bench's C peers: the kernel's limit on this machine. Built by the suite at run time
 * (gcc -O2), one binary, one mode per program. Every mode talks to 127.0.0.1 only and stops by
 * itself (time bounds on every loop). Output: "READY" once bound, then one "RESULT k=v ..." line.
 *
 *   rx-mmsg  PORT WARMUP_MS WINDOW_MS         recvmmsg receiver (64 per call)
 *   rx-cmsg  PORT WARMUP_MS WINDOW_MS         recvmmsg receiver set up as jdgram linux's zero-copy socket:
 *                                             16 per call, IP_PKTINFO on, a control buffer per message
 *   rx-lean  PORT WARMUP_MS WINDOW_MS         as rx-cmsg without IP_PKTINFO (jdgram's packetInfo(false))
 *   rx-ttl, rx-tos, rx-ts  PORT WARMUP_MS WINDOW_MS   as rx-lean with IP_RECVTTL, IP_RECVTOS or
 *                                             SO_TIMESTAMPNS on: what each fact costs the kernel
 *   rx-from  PORT WARMUP_MS WINDOW_MS         recvfrom receiver
 *   tx-mmsg  PORT SIZE WARMUP_MS WINDOW_MS TAIL_MS   sendmmsg sender (64 per call)
 *   tx-gso   PORT SIZE WARMUP_MS WINDOW_MS TAIL_MS   UDP_SEGMENT blaster (up to 64 per sendmsg)
 *   echo     PORT DURATION_MS                 blocking recvfrom/sendto echo server
 *   ping     PORT SIZE WARMUP_N COUNT         one in flight, RTT percentiles in microseconds
 *   pipe     PORT SIZE INFLIGHT WARMUP_MS WINDOW_MS   pipelined echo client: round trips/s
 *   spray    PORTFILE SIZE WARMUP_MS WINDOW_MS TAIL_MS  sendmmsg round robin over many ports
 *   mc-tx    GROUP PORT SIZE WARMUP_MS WINDOW_MS TAIL_MS gso|mmsg   multicast sender to GROUP:PORT,
 *                                             bound to 127.0.0.1, IP_MULTICAST_IF 127.0.0.1, IP_MULTICAST_LOOP 1,
 *                                             IP_MULTICAST_TTL 1; UDP_SEGMENT (64 per sendmsg) or sendmmsg (64 per call)
 *   mc-rx    GROUP PORT MEMBERS WARMUP_MS WINDOW_MS   MEMBERS sockets (SO_REUSEADDR) bound to GROUP:PORT, each
 *                                             joined on 127.0.0.1, in one thread: epoll + recvmmsg (64 per call)
 *                                             on every readable member; count = deliveries to all members
 *
 * Multicast modes refuse a GROUP outside 239.255.0.0/16 and never send without IP_MULTICAST_IF set to
 * 127.0.0.1 first (CONTRIBUTING.md): set before connect(), so the cached route is lo's.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif
#define BATCH 64
#define BUFSZ 2048
#define IDLE_LIMIT_NS (15LL * 1000000000LL) /* no datagram for 15 s: give up */

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}
static void die(const char *what) {
  perror(what);
  exit(2);
}
static struct sockaddr_in lo(int port) {
  struct sockaddr_in a;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}
static int udp_socket(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0) die("socket");
  int sz = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
  setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  return fd;
}
static void timeout(int fd, int ms) {
  struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}
static int bound(int port) {
  int fd = udp_socket();
  struct sockaddr_in a = lo(port);
  if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
  timeout(fd, 100);
  printf("READY\n");
  fflush(stdout);
  return fd;
}

/*
 * Receivers: the window starts WARMUP after the first datagram. mmsg: 0 recvfrom, 1 recvmmsg 64
 * per call, 2 and up recvmmsg 16 per call with a control buffer per message, and the option of
 * the mode (2 IP_PKTINFO, 3 none, 4 IP_RECVTTL, 5 IP_RECVTOS, 6 SO_TIMESTAMPNS).
 */
static int rx(int argc, char **argv, int mmsg) {
  if (argc < 5) return 1;
  int port = atoi(argv[2]);
  long long warm = atoll(argv[3]) * 1000000LL, win = atoll(argv[4]) * 1000000LL;
  int fd = bound(port);
  static char bufs[BATCH][BUFSZ];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in from[BATCH];
  static char ctl[BATCH][64];
  int per = mmsg >= 2 ? 16 : BATCH;
  int one = 1;
  if (mmsg == 2 && setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0) die("IP_PKTINFO");
  if (mmsg == 4 && setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof one) < 0) die("IP_RECVTTL");
  if (mmsg == 5 && setsockopt(fd, IPPROTO_IP, IP_RECVTOS, &one, sizeof one) < 0) die("IP_RECVTOS");
  if (mmsg == 6 && setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0) die("SO_TIMESTAMPNS");
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = BUFSZ;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &from[i];
    msgs[i].msg_hdr.msg_namelen = sizeof from[i];
  }
  long long count = 0, bytes = 0, c0 = 0, b0 = 0, t0 = 0, start = 0, last = now_ns();
  double cpu0 = 0;
  int phase = 0; /* 0 waiting, 1 warm-up, 2 window */
  for (;;) {
    int n;
    if (mmsg) {
      for (int i = 0; i < per; i++) {
        msgs[i].msg_hdr.msg_namelen = sizeof from[i];
        if (mmsg >= 2) {
          msgs[i].msg_hdr.msg_control = ctl[i];
          msgs[i].msg_hdr.msg_controllen = sizeof ctl[i];
        }
      }
      n = recvmmsg(fd, msgs, per, MSG_WAITFORONE, NULL);
      if (n > 0) {
        count += n;
        for (int i = 0; i < n; i++) bytes += msgs[i].msg_len;
      }
    } else {
      socklen_t fl = sizeof from[0];
      ssize_t r = recvfrom(fd, bufs[0], BUFSZ, 0, (struct sockaddr *)&from[0], &fl);
      n = r >= 0 ? 1 : -1;
      if (r >= 0) {
        count++;
        bytes += r;
      }
    }
    long long t = now_ns();
    if (n > 0) last = t;
    else if (errno != EAGAIN && errno != EINTR) die("recv");
    if (t - last > IDLE_LIMIT_NS) break;
    if (phase == 0 && count > 0) {
      phase = 1;
      start = t;
    } else if (phase == 1 && t - start >= warm) {
      phase = 2;
      t0 = t;
      c0 = count;
      b0 = bytes;
      cpu0 = cpu_s();
    } else if (phase == 2 && t - t0 >= win) {
      printf("RESULT count=%lld bytes=%lld secs=%.6f cpu=%.6f\n", count - c0, bytes - b0, (t - t0) / 1e9,
             cpu_s() - cpu0);
      return 0;
    }
  }
  printf("RESULT count=0 bytes=0 secs=0 cpu=0 error=idle\n");
  return 3;
}

/* Senders: flood for WARMUP+WINDOW+TAIL, report what was sent inside the window. */
static int tx_loop(int fd, int size, long long warm, long long win, long long tail, int gso);

static int tx(int argc, char **argv, int gso) {
  if (argc < 7) return 1;
  int port = atoi(argv[2]), size = atoi(argv[3]);
  long long warm = atoll(argv[4]) * 1000000LL, win = atoll(argv[5]) * 1000000LL, tail = atoll(argv[6]) * 1000000LL;
  int fd = udp_socket();
  struct sockaddr_in to = lo(port);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
  return tx_loop(fd, size, warm, win, tail, gso);
}

/* A connected socket floods for WARMUP+WINDOW+TAIL; reports what was sent inside the window. */
static int tx_loop(int fd, int size, long long warm, long long win, long long tail, int gso) {
  int seg = gso ? (65507 / size < BATCH ? 65507 / size : BATCH) : BATCH;
  char *buf = calloc(seg, size);
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = buf;
    iov[i].iov_len = size;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  char ctrl[CMSG_SPACE(sizeof(uint16_t))];
  struct iovec giov = {buf, (size_t)seg * size};
  struct msghdr gmsg;
  memset(&gmsg, 0, sizeof gmsg);
  gmsg.msg_iov = &giov;
  gmsg.msg_iovlen = 1;
  if (gso) {
    memset(ctrl, 0, sizeof ctrl);
    gmsg.msg_control = ctrl;
    gmsg.msg_controllen = sizeof ctrl;
    struct cmsghdr *cm = CMSG_FIRSTHDR(&gmsg);
    cm->cmsg_level = SOL_UDP;
    cm->cmsg_type = UDP_SEGMENT;
    cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    *(uint16_t *)CMSG_DATA(cm) = (uint16_t)size;
  }
  printf("READY\n");
  fflush(stdout);
  long long sent = 0, c0 = -1, c1 = -1, start = now_ns(), t0 = 0, t1 = 0;
  double cpu0 = 0, cpu1 = 0;
  for (;;) {
    int n;
    if (gso) {
      ssize_t r = sendmsg(fd, &gmsg, 0);
      n = r > 0 ? seg : -1;
    } else {
      n = sendmmsg(fd, msgs, BATCH, 0);
    }
    if (n > 0) sent += n;
    else if (errno != ECONNREFUSED && errno != EAGAIN && errno != ENOBUFS && errno != EINTR) die("send");
    long long t = now_ns() - start;
    if (c0 < 0 && t >= warm) {
      c0 = sent;
      t0 = t;
      cpu0 = cpu_s();
    } else if (c0 >= 0 && c1 < 0 && t >= warm + win) {
      c1 = sent;
      t1 = t;
      cpu1 = cpu_s();
    } else if (t >= warm + win + tail) {
      break;
    }
  }
  printf("RESULT count=%lld bytes=%lld secs=%.6f cpu=%.6f\n", c1 - c0, (c1 - c0) * size, (t1 - t0) / 1e9, cpu1 - cpu0);
  return 0;
}

static int echo(int argc, char **argv) {
  if (argc < 4) return 1;
  int port = atoi(argv[2]);
  long long dur = atoll(argv[3]) * 1000000LL, start = now_ns();
  int fd = bound(port);
  char buf[BUFSZ];
  long long n = 0;
  while (now_ns() - start < dur) {
    struct sockaddr_in from;
    socklen_t fl = sizeof from;
    ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl);
    if (r < 0) continue;
    sendto(fd, buf, r, 0, (struct sockaddr *)&from, fl);
    n++;
  }
  printf("RESULT count=%lld\n", n);
  return 0;
}

static int cmp_ll(const void *a, const void *b) {
  long long x = *(const long long *)a, y = *(const long long *)b;
  return x < y ? -1 : x > y;
}

static int ping(int argc, char **argv) {
  if (argc < 6) return 1;
  int port = atoi(argv[2]), size = atoi(argv[3]), warm = atoi(argv[4]), count = atoi(argv[5]);
  int fd = udp_socket();
  struct sockaddr_in to = lo(port);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
  timeout(fd, 200);
  char buf[BUFSZ];
  memset(buf, 'p', sizeof buf);
  long long *rtt = calloc(count, sizeof *rtt);
  int got = 0, lost = 0;
  long long deadline = now_ns() + 60LL * 1000000000LL;
  for (int i = 0; i < warm + count && now_ns() < deadline; i++) {
    long long t = now_ns();
    if (send(fd, buf, size, 0) < 0) {
      lost++;
      usleep(1000);
      continue;
    }
    if (recv(fd, buf, sizeof buf, 0) < 0) {
      lost++;
      continue;
    }
    long long d = now_ns() - t;
    if (i >= warm) rtt[got++] = d;
  }
  if (got == 0) {
    printf("RESULT count=0 lost=%d\n", lost);
    return 3;
  }
  qsort(rtt, got, sizeof *rtt, cmp_ll);
  printf("RESULT count=%d lost=%d p50=%.2f p99=%.2f p999=%.2f\n", got, lost, rtt[got / 2] / 1e3,
         rtt[(int)(got * 0.99)] / 1e3, rtt[(int)(got * 0.999)] / 1e3);
  return 0;
}

static int pipe_client(int argc, char **argv) {
  if (argc < 7) return 1;
  int port = atoi(argv[2]), size = atoi(argv[3]), inflight = atoi(argv[4]);
  long long warm = atoll(argv[5]) * 1000000LL, win = atoll(argv[6]) * 1000000LL;
  int fd = udp_socket();
  struct sockaddr_in to = lo(port);
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
  timeout(fd, 20);
  char buf[BUFSZ];
  memset(buf, 'e', sizeof buf);
  for (int i = 0; i < inflight; i++) send(fd, buf, size, 0);
  long long got = 0, c0 = -1, start = now_ns(), t0 = 0;
  for (;;) {
    ssize_t r = recv(fd, buf, sizeof buf, 0);
    if (r >= 0) {
      got++;
      send(fd, buf, size, 0);
    } else {
      for (int i = 0; i < inflight; i++) send(fd, buf, size, 0); /* lost some: refill */
    }
    long long t = now_ns() - start;
    if (c0 < 0 && t >= warm) {
      c0 = got;
      t0 = t;
    } else if (c0 >= 0 && t - t0 >= win) {
      printf("RESULT count=%lld secs=%.6f\n", got - c0, (t - t0) / 1e9);
      return 0;
    }
  }
}

static int spray(int argc, char **argv) {
  if (argc < 7) return 1;
  FILE *f = fopen(argv[2], "r");
  if (!f) die("portfile");
  int cap = 1 << 16, nports = 0, *ports = malloc(cap * sizeof(int)), p;
  while (nports < cap && fscanf(f, "%d", &p) == 1) ports[nports++] = p;
  fclose(f);
  if (nports == 0) return 1;
  int size = atoi(argv[3]);
  long long warm = atoll(argv[4]) * 1000000LL, win = atoll(argv[5]) * 1000000LL, tail = atoll(argv[6]) * 1000000LL;
  int fd = udp_socket();
  char *buf = calloc(1, size);
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  struct sockaddr_in to[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = buf;
    iov[i].iov_len = size;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
    msgs[i].msg_hdr.msg_name = &to[i];
    msgs[i].msg_hdr.msg_namelen = sizeof to[i];
  }
  printf("READY\n");
  fflush(stdout);
  long long sent = 0, c0 = -1, c1 = -1, start = now_ns(), t0 = 0, t1 = 0;
  int next = 0;
  for (;;) {
    for (int i = 0; i < BATCH; i++) {
      to[i] = lo(ports[next]);
      next = (next + 1) % nports;
    }
    int n = sendmmsg(fd, msgs, BATCH, 0);
    if (n > 0) sent += n;
    long long t = now_ns() - start;
    if (c0 < 0 && t >= warm) {
      c0 = sent;
      t0 = t;
    } else if (c0 >= 0 && c1 < 0 && t >= warm + win) {
      c1 = sent;
      t1 = t;
    } else if (t >= warm + win + tail) {
      break;
    }
  }
  printf("RESULT count=%lld secs=%.6f\n", c1 - c0, (t1 - t0) / 1e9);
  return 0;
}

/* ------------------------------------------------------------------ multicast on 127.0.0.1 */

static struct in_addr mc_group(const char *text) {
  struct in_addr g;
  if (inet_pton(AF_INET, text, &g) != 1 || (ntohl(g.s_addr) >> 16) != ((239u << 8) | 255u)) {
    fprintf(stderr, "group %s: not in 239.255.0.0/16\n", text);
    exit(2);
  }
  return g;
}

/* Every multicast socket: outgoing interface 127.0.0.1, loop on, TTL 1. */
static void mc_pin(int fd) {
  struct in_addr ifa;
  ifa.s_addr = htonl(INADDR_LOOPBACK);
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa) < 0) die("IP_MULTICAST_IF");
  unsigned char loop = 1, ttl = 1;
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) < 0) die("IP_MULTICAST_LOOP");
  if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) < 0) die("IP_MULTICAST_TTL");
}

static int mc_tx(int argc, char **argv) {
  if (argc < 9) return 1;
  struct in_addr g = mc_group(argv[2]);
  int port = atoi(argv[3]), size = atoi(argv[4]), gso = !strcmp(argv[8], "gso");
  long long warm = atoll(argv[5]) * 1000000LL, win = atoll(argv[6]) * 1000000LL, tail = atoll(argv[7]) * 1000000LL;
  int fd = udp_socket();
  mc_pin(fd); /* before bind and connect: the route connect() caches is lo's */
  struct sockaddr_in me = lo(0);
  if (bind(fd, (struct sockaddr *)&me, sizeof me) < 0) die("bind");
  struct sockaddr_in to = lo(port);
  to.sin_addr = g;
  if (connect(fd, (struct sockaddr *)&to, sizeof to) < 0) die("connect");
  return tx_loop(fd, size, warm, win, tail, gso);
}

#define MAX_MEMBERS 64
static int mc_rx(int argc, char **argv) {
  if (argc < 7) return 1;
  struct in_addr g = mc_group(argv[2]);
  int port = atoi(argv[3]), members = atoi(argv[4]);
  long long warm = atoll(argv[5]) * 1000000LL, win = atoll(argv[6]) * 1000000LL;
  if (members < 1 || members > MAX_MEMBERS) return 1;
  int ep = epoll_create1(0);
  if (ep < 0) die("epoll_create1");
  int fds[MAX_MEMBERS];
  long long per[MAX_MEMBERS], per0[MAX_MEMBERS];
  for (int m = 0; m < members; m++) {
    int fd = udp_socket(), one = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0) die("SO_REUSEADDR");
    mc_pin(fd);
    struct sockaddr_in a = lo(port);
    a.sin_addr = g;
    if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0) die("bind");
    struct ip_mreq mr;
    mr.imr_multiaddr = g;
    mr.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0) die("IP_ADD_MEMBERSHIP");
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)m};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) die("epoll_ctl");
    fds[m] = fd;
    per[m] = 0;
  }
  printf("READY\n");
  fflush(stdout);
  static char bufs[BATCH][BUFSZ];
  struct mmsghdr msgs[BATCH];
  struct iovec iov[BATCH];
  for (int i = 0; i < BATCH; i++) {
    iov[i].iov_base = bufs[i];
    iov[i].iov_len = BUFSZ;
    memset(&msgs[i], 0, sizeof msgs[i]);
    msgs[i].msg_hdr.msg_iov = &iov[i];
    msgs[i].msg_hdr.msg_iovlen = 1;
  }
  long long count = 0, bytes = 0, c0 = 0, b0 = 0, t0 = 0, start = 0, last = now_ns();
  double cpu0 = 0;
  int phase = 0;
  struct epoll_event evs[MAX_MEMBERS];
  for (;;) {
    int ne = epoll_wait(ep, evs, MAX_MEMBERS, 100);
    for (int e = 0; e < ne; e++) {
      int m = (int)evs[e].data.u32;
      int n = recvmmsg(fds[m], msgs, BATCH, MSG_DONTWAIT, NULL);
      if (n > 0) {
        count += n;
        per[m] += n;
        for (int i = 0; i < n; i++) bytes += msgs[i].msg_len;
      }
    }
    long long t = now_ns();
    if (ne > 0) last = t;
    if (t - last > IDLE_LIMIT_NS) break;
    if (phase == 0 && count > 0) {
      phase = 1;
      start = t;
    } else if (phase == 1 && t - start >= warm) {
      phase = 2;
      t0 = t;
      c0 = count;
      b0 = bytes;
      cpu0 = cpu_s();
      for (int m = 0; m < members; m++) per0[m] = per[m];
    } else if (phase == 2 && t - t0 >= win) {
      long long lo_m = -1, hi_m = 0;
      for (int m = 0; m < members; m++) {
        long long d = per[m] - per0[m];
        if (lo_m < 0 || d < lo_m) lo_m = d;
        if (d > hi_m) hi_m = d;
      }
      printf("RESULT count=%lld bytes=%lld secs=%.6f cpu=%.6f memberMin=%lld memberMax=%lld\n", count - c0, bytes - b0,
             (t - t0) / 1e9, cpu_s() - cpu0, lo_m, hi_m);
      return 0;
    }
  }
  printf("RESULT count=0 bytes=0 secs=0 cpu=0 error=idle\n");
  return 3;
}

int main(int argc, char **argv) {
  if (argc < 2) return 1;
  const char *m = argv[1];
  if (!strcmp(m, "rx-mmsg")) return rx(argc, argv, 1);
  if (!strcmp(m, "rx-from")) return rx(argc, argv, 0);
  if (!strcmp(m, "rx-cmsg")) return rx(argc, argv, 2);
  if (!strcmp(m, "rx-lean")) return rx(argc, argv, 3);
  if (!strcmp(m, "rx-ttl")) return rx(argc, argv, 4);
  if (!strcmp(m, "rx-tos")) return rx(argc, argv, 5);
  if (!strcmp(m, "rx-ts")) return rx(argc, argv, 6);
  if (!strcmp(m, "tx-mmsg")) return tx(argc, argv, 0);
  if (!strcmp(m, "tx-gso")) return tx(argc, argv, 1);
  if (!strcmp(m, "echo")) return echo(argc, argv);
  if (!strcmp(m, "ping")) return ping(argc, argv);
  if (!strcmp(m, "pipe")) return pipe_client(argc, argv);
  if (!strcmp(m, "spray")) return spray(argc, argv);
  if (!strcmp(m, "mc-tx")) return mc_tx(argc, argv);
  if (!strcmp(m, "mc-rx")) return mc_rx(argc, argv);
  fprintf(stderr, "unknown mode %s\n", m);
  return 1;
}
