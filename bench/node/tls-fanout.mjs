// Fan-out to socket.io-client receivers over ws:// or wss:// (bench/tls.sh): what one broadcast
// delivery costs the server in CPU, plain and over TLS. The official client, websocket transport
// only, verification off (rejectUnauthorized: false, a throwaway self-signed certificate).
//
//   node bench/node/tls-fanout.mjs --url https://127.0.0.1:PORT --server-pid PID [options]
//
// --receivers N sockets connect from --processes P forked receiver processes (P ≤ N), at most
// --connect-concurrency C handshakes in flight per process; one more socket in this process is
// the sender, connected before them. Phases, each bounded:
//   connect    the receivers connect: handshakes/s (first one started → last CONNECT reply) and
//              the server's CPU per handshake over that span;
//   idle       --settle-ms later, server RSS per idle connection: (VmRSS now − VmRSS before the
//              receivers connected) / receivers connected;
//   broadcast  the sender emits --messages `message` events ({message: <payload B of text>}) at
//              --rate per second; the chat app sends each to everyone in "/", the sender included
//              (`message`, the lobby broadcast). It ends when every socket has all of them, or
//              --drain-ms after the last one was sent. The server's CPU over exactly that span
//              (utime + stime of /proc/PID/stat, all its threads) divided by the deliveries
//              received, the sender's own included, is the figure.
// Prints one JSON object on stdout; progress goes to stderr. Exits 1 when no receiver connected,
// the server died, or --max-time ran out.
import { fork, execFileSync } from "node:child_process";
import fs from "node:fs";
import { parseArgs } from "node:util";
import { io } from "socket.io-client";

const { values: opt } = parseArgs({
  options: {
    worker: { type: "boolean", default: false },
    url: { type: "string" },
    "server-pid": { type: "string" },
    label: { type: "string", default: "" },
    receivers: { type: "string", default: "2000" },
    processes: { type: "string", default: "4" },
    messages: { type: "string", default: "150" },
    rate: { type: "string", default: "30" },
    payload: { type: "string", default: "100" },
    "connect-concurrency": { type: "string", default: "32" },
    "connect-timeout-ms": { type: "string", default: "60000" },
    "settle-ms": { type: "string", default: "1000" },
    "drain-ms": { type: "string", default: "15000" },
    "max-time": { type: "string", default: "150" },
  },
});

const clientOptions = {
  transports: ["websocket"],
  rejectUnauthorized: false,
  reconnection: false,
  forceNew: true,
  timeout: 20_000,
};

/** Opens one socket; resolves with it connected, rejects on connect_error or after timeoutMs. */
function connectOne(url, timeoutMs) {
  return new Promise((resolve, reject) => {
    const socket = io(url, clientOptions);
    const timer = setTimeout(() => {
      socket.close();
      reject(new Error("connect timeout"));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      socket.close();
      reject(err);
    });
  });
}

// ---- receiver process -------------------------------------------------------------------------
if (opt.worker) {
  const sockets = [];
  let deliveries = 0;
  let expected = Infinity;
  let doneSent = false;
  let disconnects = 0;
  let progressTimer = null;
  const send = (m) => process.send?.(m);
  const checkDone = () => {
    if (!doneSent && deliveries >= expected) {
      doneSent = true;
      send({ type: "done", deliveries, disconnects });
    }
  };
  process.on("disconnect", () => process.exit(0));  // the coordinator went away
  process.on("message", async (m) => {
    if (m.cmd === "connect") {
      const started = Date.now();
      let ok = 0, failed = 0, next = 0;
      const errors = new Map();
      const one = async () => {
        while (next < m.count) {
          next++;
          try {
            const socket = await connectOne(m.url, m.timeoutMs);
            socket.on("message", () => {
              ++deliveries;
              checkDone();
            });
            socket.on("disconnect", () => ++disconnects);
            sockets.push(socket);
            ++ok;
          } catch (err) {
            ++failed;
            const key = String(err?.description?.message ?? err?.message ?? err);
            errors.set(key, (errors.get(key) ?? 0) + 1);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(m.concurrency, m.count) }, one));
      send({ type: "connected", ok, failed, ms: Date.now() - started, errors: [...errors] });
    } else if (m.cmd === "expect") {
      expected = m.perSocket * sockets.length;
      progressTimer = setInterval(() => send({ type: "progress", deliveries, disconnects }), 250);
      checkDone();
    } else if (m.cmd === "report") {
      send({ type: "progress", deliveries, disconnects });
    } else if (m.cmd === "exit") {
      clearInterval(progressTimer);
      for (const s of sockets) s.close();
      setTimeout(() => process.exit(0), 50);
    }
  });
  send({ type: "ready" });
} else {
  await coordinate();
}

// ---- coordinator and sender --------------------------------------------------------------------
async function coordinate() {
  const need = (name) => {
    if (!opt[name]) {
      console.error(`tls-fanout.mjs: --${name} is required`);
      process.exit(2);
    }
    return opt[name];
  };
  const url = need("url");
  const pid = Number(need("server-pid"));
  const receivers = Number(opt.receivers);
  const processes = Math.max(1, Math.min(Number(opt.processes), receivers));
  const messages = Number(opt.messages);
  const rate = Number(opt.rate);
  const payload = "x".repeat(Number(opt.payload));
  const concurrency = Number(opt["connect-concurrency"]);
  const connectTimeoutMs = Number(opt["connect-timeout-ms"]);
  const settleMs = Number(opt["settle-ms"]);
  const drainMs = Number(opt["drain-ms"]);
  const tick = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  const log = (...a) => console.error(`[${opt.label || "tls-fanout"}]`, ...a);

  /** The server's CPU time (user + system, every thread) in seconds. */
  const serverCpu = () => {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");  // fields[0] is field 3
    return (Number(fields[11]) + Number(fields[12])) / tick;
  };
  const serverRss = () => {
    const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return Number(m[1]) * 1024;
  };
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

  const workers = [];
  let sender = null;
  let exiting = false;
  const shutdown = (code) => {
    if (exiting) return;
    exiting = true;
    for (const w of workers) {
      try { w.send({ cmd: "exit" }); } catch {}
    }
    sender?.close();
    setTimeout(() => {
      for (const w of workers) w.kill("SIGKILL");
      process.exit(code);
    }, 500).unref?.();
    setTimeout(() => process.exit(code), 600);
  };
  const fail = (why) => {
    log(`FAILED: ${why}`);
    shutdown(1);
  };
  setTimeout(() => fail(`--max-time ${opt["max-time"]} s ran out`), Number(opt["max-time"]) * 1000).unref();
  serverCpu();  // the server is there (throws otherwise)

  // Waits (bounded) until every worker has sent a message of `type`; returns them in order.
  const fromAll = (type, timeoutMs) => Promise.race([
    Promise.all(workers.map((w) => new Promise((resolve) => {
      const on = (m) => {
        if (m.type === type) {
          w.off("message", on);
          resolve(m);
        }
      };
      w.on("message", on);
    }))),
    sleep(timeoutMs).then(() => { throw new Error(`no "${type}" from every receiver process within ${timeoutMs} ms`); }),
  ]);

  try {
    const self = new URL(import.meta.url).pathname;
    for (let i = 0; i < processes; ++i) {
      const w = fork(self, ["--worker"], { stdio: ["ignore", "ignore", "inherit", "ipc"] });
      w.on("exit", (code) => { if (!exiting) fail(`a receiver process exited (${code})`); });
      workers.push(w);
    }
    await fromAll("ready", 20_000);

    sender = await connectOne(url, connectTimeoutMs);
    let senderGot = 0;
    sender.on("message", () => ++senderGot);
    await sleep(200);

    // connect phase
    const rssBefore = serverRss();
    const cpuConnect0 = serverCpu();
    const connectStart = process.hrtime.bigint();
    const shares = workers.map((_, i) => Math.floor(receivers / processes) + (i < receivers % processes ? 1 : 0));
    const connected = fromAll("connected", connectTimeoutMs + 10_000);
    workers.forEach((w, i) => w.send({ cmd: "connect", url, count: shares[i], concurrency, timeoutMs: connectTimeoutMs }));
    const results = await connected;
    const connectSeconds = Number(process.hrtime.bigint() - connectStart) / 1e9;
    const cpuConnect = serverCpu() - cpuConnect0;
    const ok = results.reduce((a, r) => a + r.ok, 0);
    const failed = results.reduce((a, r) => a + r.failed, 0);
    const errors = results.flatMap((r) => r.errors);
    log(`connected ${ok}/${receivers} in ${connectSeconds.toFixed(2)} s` +
        (failed ? `, ${failed} failed: ${JSON.stringify(errors)}` : ""));
    if (ok === 0) return fail("no receiver connected");

    // idle
    await sleep(settleMs);
    const rssAfter = serverRss();

    // broadcast phase
    const perSocket = messages;
    const done = fromAll("done", 3_600_000).then(() => true, () => false);
    const latest = new Map();
    for (const w of workers) w.on("message", (m) => { if (m.type === "progress" || m.type === "done") latest.set(w, m); });
    for (const w of workers) w.send({ cmd: "expect", perSocket });
    await sleep(100);
    const cpu0 = serverCpu();
    const t0 = process.hrtime.bigint();
    let sent = 0;
    await new Promise((resolve) => {
      const pump = () => {
        const due = Math.min(messages, Math.floor((Number(process.hrtime.bigint() - t0) / 1e9) * rate) + 1);
        while (sent < due) sender.emit("message", { message: payload }), ++sent;
        if (sent >= messages) return resolve();
        setTimeout(pump, Math.max(1, Math.min(20, 1000 / rate)));
      };
      pump();
    });
    const sendSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const senderDone = (async () => {
      while (senderGot < messages) await sleep(5);
    })();
    const complete = await Promise.race([
      Promise.all([done, senderDone]).then(([d]) => d),
      sleep(drainMs).then(() => false),
    ]);
    const cpu1 = serverCpu();
    const broadcastSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (!complete) {
      for (const w of workers) w.send({ cmd: "report" });
      await sleep(300);
    }
    const received = [...latest.values()].reduce((a, m) => a + m.deliveries, 0);
    const disconnects = [...latest.values()].reduce((a, m) => a + m.disconnects, 0);
    const deliveries = received + Math.min(senderGot, messages);
    const expected = (ok + 1) * messages;
    const cpu = cpu1 - cpu0;
    const result = {
      label: opt.label,
      url,
      receivers,
      connected: ok,
      connect_failed: failed,
      processes,
      messages,
      sent,
      rate,
      payload: payload.length,
      handshakes_per_second: ok / connectSeconds,
      connect_seconds: connectSeconds,
      server_cpu_per_handshake_us: (cpuConnect / ok) * 1e6,
      server_rss_before_bytes: rssBefore,
      server_rss_after_bytes: rssAfter,
      rss_per_connection_bytes: (rssAfter - rssBefore) / ok,
      send_seconds: sendSeconds,
      broadcast_seconds: broadcastSeconds,
      complete,
      deliveries,
      expected_deliveries: expected,
      lost: expected - deliveries,
      disconnects,
      deliveries_per_second: deliveries / broadcastSeconds,
      server_cpu_seconds: cpu,
      server_cpu_per_delivery_us: deliveries ? (cpu / deliveries) * 1e6 : null,
      clock_ticks_per_second: tick,
    };
    log(`${deliveries}/${expected} deliveries in ${broadcastSeconds.toFixed(2)} s, server CPU ${cpu.toFixed(2)} s ` +
        `= ${result.server_cpu_per_delivery_us?.toFixed(3)} µs per delivery`);
    process.stdout.write(JSON.stringify(result) + "\n");
    shutdown(0);
  } catch (err) {
    fail(err?.stack ?? String(err));
  }
}
