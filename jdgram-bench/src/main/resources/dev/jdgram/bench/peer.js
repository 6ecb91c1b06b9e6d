// jdgram-bench's Node.js dgram peer: node peer.js ROLE ARGS... (same protocol as Peer.java:
// READY once bound, one RESULT line, then exit). 127.0.0.1 only; every role bounded in time.
'use strict';
const dgram = require('dgram');
const [role, ...a] = process.argv.slice(2);
const n = (i) => parseInt(a[i], 10);
const LO = '127.0.0.1';
setTimeout(() => { console.log('RESULT count=0 error=watchdog'); process.exit(4); }, 120000).unref();

function cpu() { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; }

function meter(count, warmupMs, windowMs, afterFirst) {
  const start = Date.now();
  const wait = () => {
    if (afterFirst && count.n === 0) {
      if (Date.now() - start > 15000) { console.log('RESULT count=0 error=idle'); process.exit(3); }
      setTimeout(wait, 1);
      return;
    }
    setTimeout(() => {
      const c0 = count.n, b0 = count.b, t0 = process.hrtime.bigint(), cpu0 = cpu();
      setTimeout(() => {
        const c1 = count.n, b1 = count.b, t1 = process.hrtime.bigint(), cpu1 = cpu();
        console.log(`RESULT count=${c1 - c0} bytes=${b1 - b0} secs=${Number(t1 - t0) / 1e9} cpu=${(cpu1 - cpu0).toFixed(6)}`);
        count.done = true;
        if (count.onDone) count.onDone(); else process.exit(0);
      }, windowMs);
    }, warmupMs);
  };
  wait();
}

function socket() {
  return dgram.createSocket({ type: 'udp4', recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
}

if (role === 'rx') {
  const count = { n: 0, b: 0 };
  const s = socket();
  s.on('message', (m) => { count.n++; count.b += m.length; });
  s.bind(n(0), LO, () => { console.log('READY'); meter(count, n(1), n(2), true); });
} else if (role === 'tx') {
  const port = n(0), size = n(1), tail = n(4);
  const count = { n: 0, b: 0 };
  const msg = Buffer.alloc(size);
  const s = socket();
  const cb = (err) => { if (!err) { count.n++; count.b += size; } };
  // connected to the sink, like every tx-64 sender (the kernel then skips a route lookup per datagram)
  s.bind(0, LO, () => s.connect(port, LO, () => {
    console.log('READY');
    const pump = () => {
      if (count.stop) return;
      for (let k = 0; k < 64 && s.getSendQueueCount() < 1024; k++) s.send(msg, cb);
      setImmediate(pump);
    };
    pump();
    count.onDone = () => setTimeout(() => { count.stop = true; process.exit(0); }, tail);
    meter(count, n(2), n(3), false);
  }));
} else if (role === 'echo') {
  const s = socket();
  s.on('message', (m, r) => s.send(m, r.port, r.address));
  s.bind(n(0), LO, () => { console.log('READY'); setTimeout(() => { console.log('RESULT count=1'); process.exit(0); }, n(1)); });
} else if (role === 'ping') {
  const port = n(0), size = n(1), warm = n(2), count = n(3), total = warm + count;
  const rtt = new Float64Array(count);
  const msg = Buffer.alloc(size);
  let seen = 0, t0 = 0n;
  const s = socket();
  console.log('READY');
  s.on('message', () => {
    const d = Number(process.hrtime.bigint() - t0);
    const k = seen++;
    if (k >= warm) rtt[k - warm] = d;
    if (k + 1 >= total) {
      rtt.sort();
      const p = (q) => (rtt[Math.floor(count * q)] / 1e3).toFixed(2);
      console.log(`RESULT count=${count} lost=0 p50=${p(0.5)} p99=${p(0.99)} p999=${p(0.999)}`);
      process.exit(0);
    }
    t0 = process.hrtime.bigint();
    s.send(msg, port, LO);
  });
  s.bind(0, LO, () => { t0 = process.hrtime.bigint(); s.send(msg, port, LO); });
  setTimeout(() => { console.log('RESULT count=0 error=timeout'); process.exit(3); }, 60000).unref();
} else if (role === 'mc-rx') {
  // mc-rx GROUP PORT MEMBERS WARMUP WINDOW: MEMBERS sockets bound to GROUP:PORT (reuseAddr), each
  // joined on 127.0.0.1, multicast interface pinned to 127.0.0.1; counts deliveries to all members.
  const group = a[0], port = n(1), members = n(2);
  if (!/^239\.255\.\d+\.\d+$/.test(group)) { console.error('group not in 239.255.0.0/16'); process.exit(1); }
  const count = { n: 0, b: 0 };
  let bound = 0;
  for (let k = 0; k < members; k++) {
    const s = dgram.createSocket({ type: 'udp4', reuseAddr: true, recvBufferSize: 4 << 20, sendBufferSize: 4 << 20 });
    s.on('message', (m) => { count.n++; count.b += m.length; });
    s.bind(port, group, () => {
      s.addMembership(group, LO);
      s.setMulticastInterface(LO);
      s.setMulticastLoopback(true);
      if (++bound === members) { console.log('READY'); meter(count, n(3), n(4), true); }
    });
  }
} else {
  console.error('unknown role ' + role);
  process.exit(1);
}
