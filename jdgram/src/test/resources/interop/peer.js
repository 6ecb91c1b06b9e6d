'use strict';
// The Node.js side of NodeInteropTest: one role per run, chosen by a JSON config in argv[2].
// It prints one line per event on standard output and exits by itself: when its work is done,
// or after cfg.timeoutMs at the latest (exit code 3).
//
// Network rules (CONTRIBUTING.md): unicast goes to 127.0.0.1 or ::1 only;
// a multicast send needs cfg.multicastInterface === '127.0.0.1', and joins name 127.0.0.1. The
// script refuses anything else before it creates a socket.
//
// Roles:
//   recv: bind cfg.bind port 0 (joining cfg.group on 127.0.0.1 if given), print LISTENING <port>,
//         print MESSAGE for each datagram, answer each with cfg.echo ('prefix': "echo:" + msg,
//         'same': msg) to its sender, and close after cfg.count datagrams.
//   send: bind cfg.bind port 0, print LISTENING <port>, pin cfg.multicastInterface if given, make
//         a payload (cfg.text, or cfg.size random bytes) and print PAYLOAD <size> <sha256>, send it
//         to cfg.to (after connecting to it, without an address, when cfg.connect), print SENT
//         <bytes> or SEND_ERROR <code> <errno> <syscall> <address> <port> <json message>; then
//         send cfg.thenText the same way if given; then wait for cfg.expect datagrams (MESSAGE
//         lines) and close.
// Every role prints CLOSED when its socket has closed.
//
// MESSAGE <size> <address> <family> <port> <sha256> <base64, or - above 2048 bytes>
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const net = require('node:net');

const cfg = JSON.parse(process.argv[2]);
const out = (...parts) => process.stdout.write(parts.join(' ') + '\n');
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex');
const isLoopback = (a) => a === '127.0.0.1' || a === '::1';
const isMulticast = (a) => net.isIPv4(a) && Number(a.split('.')[0]) >= 224 && Number(a.split('.')[0]) <= 239;

function fail(why) {
  out('FATAL', JSON.stringify(why));
  process.exit(2);
}

const timer = setTimeout(() => {
  out('TIMEOUT');
  process.exit(3);
}, cfg.timeoutMs || 10000);
timer.unref(); // the socket keeps the process alive; the timer only ends it if something hangs

function checkDestination(address) {
  if (isLoopback(address)) return;
  if (isMulticast(address) && cfg.multicastInterface === '127.0.0.1') return;
  fail('refusing to send to ' + address + ' (network rules)');
}
if (!isLoopback(cfg.bind) && cfg.bind !== '0.0.0.0') fail('bind address ' + cfg.bind);
if (cfg.group !== undefined && !isMulticast(cfg.group)) fail('group ' + cfg.group);
if (cfg.mode === 'send') checkDestination(cfg.to.address);

const socket = dgram.createSocket({ type: cfg.type, reuseAddr: cfg.group !== undefined });
let received = 0;
let closing = false;
function closeSoon() {
  if (closing) return;
  closing = true;
  socket.close();
}
socket.on('close', () => out('CLOSED'));
socket.on('error', (err) => fail('error event: ' + err.message));
socket.on('message', (msg, rinfo) => {
  received++;
  out('MESSAGE', msg.length, rinfo.address, rinfo.family, rinfo.port, sha(msg),
      msg.length <= 2048 ? (msg.length === 0 ? '=' : msg.toString('base64')) : '-');
  const limit = cfg.mode === 'recv' ? cfg.count : cfg.expect;
  const done = received >= limit;
  if (cfg.mode === 'recv' && cfg.echo) {
    checkDestination(rinfo.address);
    const reply = cfg.echo === 'same' ? msg : Buffer.concat([Buffer.from('echo:'), msg]);
    socket.send(reply, rinfo.port, rinfo.address, (err, bytes) => {
      if (err) fail('echo: ' + err.message);
      out('ECHOED', bytes);
      if (done) closeSoon();
    });
  } else if (done) {
    closeSoon();
  }
});

socket.bind(0, cfg.bind, () => {
  if (cfg.group !== undefined) socket.addMembership(cfg.group, '127.0.0.1');
  out('LISTENING', socket.address().port);
  if (cfg.mode === 'send') {
    if (cfg.multicastInterface !== undefined) socket.setMulticastInterface(cfg.multicastInterface);
    startSending();
  }
});

function sendOne(payload, then) {
  const cb = (err, bytes) => {
    if (err) {
      out('SEND_ERROR', err.code, err.errno, err.syscall, err.address, err.port, JSON.stringify(err.message));
    } else {
      out('SENT', bytes);
    }
    then();
  };
  if (cfg.connect) socket.send(payload, cb);
  else socket.send(payload, cfg.to.port, cfg.to.address, cb);
}

function startSending() {
  const payload = cfg.text !== undefined ? Buffer.from(cfg.text) : crypto.randomBytes(cfg.size);
  out('PAYLOAD', payload.length, sha(payload));
  const afterFirst = () => {
    const finish = () => { if (!(cfg.expect > 0)) closeSoon(); };
    if (cfg.thenText !== undefined) sendOne(Buffer.from(cfg.thenText), finish);
    else finish();
  };
  if (cfg.connect) {
    socket.connect(cfg.to.port, cfg.to.address, (err) => {
      if (err) fail('connect: ' + err.message);
      const r = socket.remoteAddress();
      out('CONNECTED', r.address, r.port);
      sendOne(payload, afterFirst);
    });
  } else {
    sendOne(payload, afterFirst);
  }
}
