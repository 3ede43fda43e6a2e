// Time to replay missed packets on connection state recovery, with the official client
// (socket.io-client 4.8.4, WebSocket only, reconnection off). Starts chorus-room-server
// --recovery-window 120000 --threads 1 --port 0; per repetition and per case (MISSED missed
// packets, then 0 as the baseline), in a room of its own:
//   1. a subscriber joins the room (its join `status` carries an offset), a witness joins too;
//   2. the subscriber's TCP connection is reset (RST, as a dropped network would look to the
//      server), and the client sees `transport close`;
//   3. the witness sends MISSED room_message (PAYLOAD bytes each) and receives all of them itself
//      (room_message reaches the sender too): the server has stored and sent them all;
//   4. 50 ms later (untimed, so the server has surely seen the reset), socket.connect(); timed from
//      that call to the MISSED-th missed frame received (Engine.IO `packet`), to the first and the
//      MISSED-th missed `message` handled (the client buffers events that come before the CONNECT
//      reply, as the replay does, and hands them over in one burst), and to the `connect` event,
//      which comes after them. socket.recovered must be true, and exactly the missed messages,
//      in order, each with its offset, must arrive.
//   node bench/node/recovery-replay.mjs [--server build/release/bin/chorus-room-server]
//        [--missed 1000] [--reps 10] [--warmup 2] [--payload 100] [--threads 1]
// Prints one line per repetition and a table (median, min, max in ms) of the repetitions after
// the warm-up ones (the first replays take several times longer: V8 compiling the client's
// decoding path, the server's first allocations). Not for CI.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { io } from 'socket.io-client';

const { values: opt } = parseArgs({
  options: {
    server: { type: 'string', default: 'build/release/bin/chorus-room-server' },
    missed: { type: 'string', default: '1000' },
    reps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    payload: { type: 'string', default: '100' },
    threads: { type: 'string', default: '1' },
  },
});
const MISSED = Number(opt.missed), REPS = Number(opt.reps), PAYLOAD = Number(opt.payload);
const WARMUP = Number(opt.warmup);

function startServer() {
  const args = ['--recovery-window', '120000', '--threads', opt.threads, '--port', '0'];
  const child = spawn(opt.server, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on port (\d+)/);
      if (m) resolve({ child, port: Number(m[1]), command: `${opt.server} ${args.join(' ')}` });
    });
  });
}

const once = (emitter, event, ms = 30000) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    emitter.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });

async function joined(url, room, username) {
  const s = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
  await once(s, 'connect');
  const status = new Promise((resolve) => {
    const onStatus = (data) => {
      if (data?.msg === `${username} joined room ${room}`) {
        s.off('status', onStatus);
        resolve();
      }
    };
    s.on('status', onStatus);
  });
  s.emit('join_room', { room, username });
  await status;
  return s;
}

async function repetition(url, room, missed) {
  const sub = await joined(url, room, 'sub');
  // The subscriber sees the witness join before its reset: nothing but the messages is missed.
  const subSawWitness = new Promise((resolve) => {
    const onStatus = (data) => {
      if (data?.msg === `witness joined room ${room}`) {
        sub.off('status', onStatus);
        resolve();
      }
    };
    sub.on('status', onStatus);
  });
  const witness = await joined(url, room, 'witness');
  await subSawWitness;
  const pid = sub._pid;
  const reason = once(sub, 'disconnect');
  sub.io.engine.transport.ws._socket.resetAndDestroy();
  const [why] = await reason;
  if (why !== 'transport close') throw new Error(`disconnect reason ${why}`);

  const filler = 'x'.repeat(Math.max(0, PAYLOAD - 8));
  const text = (i) => `${String(i).padStart(7, '0')}#${filler}`;
  let seen = 0;
  const allSeen = new Promise((resolve) => {
    if (missed === 0) resolve();
    witness.on('message', () => {
      if (++seen === missed) resolve();
    });
  });
  for (let i = 0; i < missed; ++i) witness.emit('room_message', { room, message: text(i) });
  await allSeen;
  await new Promise((resolve) => setTimeout(resolve, 50));

  let received = 0, outOfOrder = 0, firstMissedAt = null, lastMissedAt = null, connectAt = null;
  const done = new Promise((resolve, reject) => {
    const check = () => {
      if (connectAt !== null && (missed === 0 || lastMissedAt !== null)) resolve();
    };
    sub.on('message', (data, offset) => {
      if (data?.message !== text(received) || typeof offset !== 'string') ++outOfOrder;
      if (++received === 1) firstMissedAt = performance.now();
      if (received === missed) {
        lastMissedAt = performance.now();
        check();
      }
    });
    sub.once('connect', () => {
      connectAt = performance.now();
      check();
    });
    sub.once('connect_error', reject);
    setTimeout(() => reject(new Error(`replay: ${received}/${missed} within 30 s`)), 30000);
  });
  const t0 = performance.now();
  sub.connect();
  // The new Engine.IO socket (created by connect()): when the replay's frames arrive, before
  // Socket.IO decodes them (the client buffers events until the CONNECT reply, then hands them
  // to the handlers in one burst).
  let frames = 0, lastFrameAt = null;
  sub.io.engine.on('packet', (packet) => {
    if (packet.type === 'message' && ++frames === missed) lastFrameAt = performance.now();
  });
  await done;
  // Anything beyond the missed packets would arrive right after: give it a moment.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const result = {
    recovered: sub.recovered,
    samePid: sub._pid === pid,
    received,
    outOfOrder,
    toLastMissedFrameMs: missed ? lastFrameAt - t0 : null,
    toFirstMissedMs: missed ? firstMissedAt - t0 : null,
    toLastMissedMs: missed ? lastMissedAt - t0 : null,
    toConnectMs: connectAt - t0,
  };
  sub.disconnect();
  witness.disconnect();
  if (!result.recovered) throw new Error(`not recovered: ${JSON.stringify(result)}`);
  if (received !== missed || outOfOrder)
    throw new Error(`replay wrong: ${JSON.stringify(result)}`);
  return result;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1] };
};

const { child, port, command } = await startServer();
const url = `http://127.0.0.1:${port}`;
console.log(`server: ${command} (pid ${child.pid}); node ${process.version}`);
const results = { [MISSED]: [], 0: [] };
try {
  for (let rep = -WARMUP; rep < REPS; ++rep) {
    for (const missed of [MISSED, 0]) {
      const r = await repetition(url, `replay-${rep}-${missed}`, missed);
      if (rep >= 0) results[missed].push(r);
      console.log(`${rep < 0 ? 'warm-up' : 'rep'} ${rep} missed ${missed}: ${JSON.stringify(r)}`);
    }
  }
} finally {
  child.kill('SIGTERM');
}
const f = (x) => x.toFixed(2);
console.log(`\n| missed packets (${PAYLOAD} B messages), ms from connect(), median / min / max | ` +
            `last missed frame received (Engine.IO) | first missed event handled | ` +
            `last missed event handled | 'connect' event | recovered |`);
console.log('| --- | --- | --- | --- | --- | --- |');
for (const missed of [MISSED, 0]) {
  const rs = results[missed];
  const c = stats(rs.map((r) => r.toConnectMs));
  const cell = (key) => {
    if (!missed) return '—';
    const s = stats(rs.map((r) => r[key]));
    return `${f(s.median)} / ${f(s.min)} / ${f(s.max)}`;
  };
  console.log(`| ${missed} | ${cell('toLastMissedFrameMs')} | ${cell('toFirstMissedMs')} | ${cell('toLastMissedMs')} | ` +
              `${f(c.median)} / ${f(c.min)} / ${f(c.max)} | ` +
              `${rs.filter((r) => r.recovered).length}/${rs.length} |`);
}
process.exit(0);
