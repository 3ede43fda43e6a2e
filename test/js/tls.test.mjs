// TLS (--tls-cert/--tls-key, server/tls): https polling, wss and the polling→WebSocket upgrade
// with the official socket.io-client trusting a throwaway self-signed certificate through its
// `ca` option (verification stays on); events, acks, binary, a 500 KB message (the conformance
// fixture's echoes) and a room broadcast (the chat app); bad option values exit 2 with a clear
// message; a plain-HTTP request, a garbage ClientHello, a silent TCP client and a garbage record
// after the handshake (between two HTTP requests) on the TLS port are refused or closed while a
// witness keeps working.
// TLS in process (server/tls/tls_channel, http/client_stream, the WebSocket connection's
// read_available_tls/seal_queued):
// - one descriptor per connection: 20 wss sessions and 20 kept-alive https connections add
//   exactly 20 + 20 socket descriptors to the server (/proc/<pid>/fd; the former socketpair
//   tunnel: 3 each), all given back at their close;
// - a burst of 2,000 echoes in one go arrives in order and intact (frames sealed together into
//   records); a server-initiated close (ping timeout) is a Close frame, then TLS close_notify
//   (the last record, seen through a recording proxy under TLS 1.2), then a FIN, with no error;
// - on the chorus binary: --max-connections-per-ip counts TLS connections (wss and https) by the
//   client's own address, the one over is closed before its TLS handshake, a closed one gives its
//   place back; --handshakes-per-second-per-ip applies to the TLS client's address (503 on
//   polling and on the upgrade, other addresses unharmed); --access-log shows the client's own
//   address and port with the transport (polling, websocket); a wss member that stops reading
//   is disconnected at --max-queued-bytes ("write queue full") while the room's reader gets all
//   12 MB in order and a witness keeps working.
// Every wait is bounded; no test asserts how long anything takes.
// Needs CHORUS_CONFORMANCE and CHORUS_BINARY. With CHORUS_FIXTURE_ARGS="--threads 4" requests
// move between shards (a polling request or upgrade that lands on a shard other than its
// session's).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { io } from "socket.io-client";
import WebSocket from "ws";
import { startFixture } from "./lib/fixture.mjs";
import { RawFrames, OP } from "./lib/raw-websocket.mjs";
import { eventually, within, waitEvent } from "./lib/util.mjs";

const WAIT_MS = 10_000;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-tls-"));
const certFile = path.join(dir, "cert.pem");
const keyFile = path.join(dir, "key.pem");
const otherKeyFile = path.join(dir, "other-key.pem");
const garbageFile = path.join(dir, "garbage.pem");

// A certificate for 127.0.0.1 that lives one day, made fresh for this run (never committed).
function makeCertificate() {
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
    "-keyout", keyFile, "-out", certFile, "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1",
  ], { stdio: "ignore" });
  execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-out", otherKeyFile], { stdio: "ignore" });
  fs.writeFileSync(garbageFile, "not a certificate\n");
}
makeCertificate();
const ca = fs.readFileSync(certFile);
const tlsArgs = ["--tls-cert", certFile, "--tls-key", keyFile];
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const clientDefaults = { reconnection: false, forceNew: true, timeout: 5_000, ca };
// Polling over keep-alive connections, as browsers do: the conformance fixture's 200 ms ping
// timeout leaves no room for a TLS handshake per request on a busy machine.
const keepAlive = () => ({ agent: new https.Agent({ keepAlive: true, ca }) });

/** A connected socket.io-client socket (bounded wait); closed when the test ends. */
async function connect(t, url, opts) {
  const socket = io(url, { ...clientDefaults, ...opts });
  t.after(() => socket.close());
  await within(WAIT_MS, new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("connect_error", reject);
  }), `connecting to ${url}`);
  return socket;
}

const nextEvent = (socket, name) =>
  within(WAIT_MS, new Promise((resolve) => socket.once(name, (...args) => resolve(args))), `"${name}"`);

const ack = (socket, ...args) =>
  within(WAIT_MS, new Promise((resolve) => socket.emit("message-with-ack", ...args, (...r) => resolve(r))), "the ack");

/** Proves a connection still works: an event with a binary part echoed, and an ack. */
async function assertWorks(socket) {
  const back = nextEvent(socket, "message-back");
  socket.emit("message", "witness", Buffer.from([1, 2, 3]));
  const [text, bytes] = await back;
  assert.equal(text, "witness");
  assert.deepEqual([...bytes], [1, 2, 3]);
  assert.deepEqual(await ack(socket, "still here"), ["still here"]);
}

/** The bytes the server sends on a raw TCP connection after `send`, until it closes it. */
function rawExchange(port, send) {
  return within(WAIT_MS, new Promise((resolve, reject) => {
    const chunks = [];
    const conn = net.connect(port, "127.0.0.1", () => {
      if (send) conn.write(send);
    });
    conn.on("data", (d) => chunks.push(d));
    conn.on("error", (e) => (e.code === "ECONNRESET" ? null : reject(e)));
    conn.on("close", () => resolve(Buffer.concat(chunks)));
  }), "the server to close the raw connection");
}

/** Runs chorus with `args` (and `env`); resolves with its exit code and stderr. */
function runChorus(args, env = {}) {
  return within(WAIT_MS, new Promise((resolve, reject) => {
    const child = spawn(process.env.CHORUS_BINARY, ["--port", "0", "--host", "127.0.0.1", ...args],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.resume();
    child.once("error", reject);
    child.once("exit", (code) => resolve({ code, stderr }));
  }), "chorus to exit");
}

describe("TLS", () => {
  let fx;
  let url;
  before(async () => {
    // A short HTTP timeout so the silent client below is closed soon.
    // A ping timeout that leaves room for a 500 KB polling POST on a busy machine.
    fx = await startFixture([...tlsArgs, "--http-timeout", "1000", "--ping-timeout", "5000"]);
    url = `https://127.0.0.1:${fx.port}`;
  });
  after(async () => {
    await fx?.stop();
  });

  const modes = [
    { name: "wss (websocket only)", opts: { transports: ["websocket"] } },
    { name: "https polling only", opts: { transports: ["polling"], ...keepAlive() } },
  ];
  for (const mode of modes) {
    describe(mode.name, () => {
      it("carries events, binary parts and acks", async (t) => {
        const socket = await connect(t, url, mode.opts);
        await assertWorks(socket);
        assert.deepEqual(await ack(socket, { n: 1 }, Buffer.from("xyz")), [{ n: 1 }, Buffer.from("xyz")]);
      });

      it("carries a 500 KB message both ways", async (t) => {
        const socket = await connect(t, url, mode.opts);
        const big = "x".repeat(500 * 1024);
        const back = nextEvent(socket, "message-back");
        socket.emit("message", big);
        const [text] = await back;
        assert.equal(text.length, big.length);
        assert.equal(text, big);
      });
    });
  }

  it("upgrades from https polling to wss", async (t) => {
    const socket = await connect(t, url, keepAlive());
    const engine = socket.io.engine;
    if (engine.transport.name !== "websocket") await waitEvent(engine, "upgrade", WAIT_MS);
    assert.equal(engine.transport.name, "websocket");
    await assertWorks(socket);
  });

  it("does not accept a client that does not trust the certificate", async (t) => {
    const socket = io(url, { ...clientDefaults, ca: undefined, transports: ["websocket"] });
    t.after(() => socket.close());
    const [err] = await nextEvent(socket, "connect_error");
    assert.match(String(err.description?.message ?? err.message), /self.signed|certificate/i);
  });

  it("answers a plain-HTTP request with 400 and closes, while a witness keeps working", async (t) => {
    const witness = await connect(t, url, { transports: ["websocket"] });
    const reply = await rawExchange(fx.port, "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n");
    const text = reply.toString("latin1");
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.ok(text.endsWith("\r\n\r\nThis port speaks HTTPS (TLS) only.\n"), text);
    await assertWorks(witness);
  });

  it("closes on a garbage ClientHello without answering, while a witness keeps working", async (t) => {
    const witness = await connect(t, url, { transports: ["websocket"] });
    // A handshake record header, then bytes that are no ClientHello.
    const garbage = Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), Buffer.alloc(0x40, 0xab)]);
    const reply = await rawExchange(fx.port, garbage);
    // OpenSSL may send a fatal alert record (content type 21) before closing; never more.
    assert.ok(reply.length === 0 || reply[0] === 0x15, `unexpected reply ${reply.toString("hex")}`);
    await assertWorks(witness);
  });

  it("closes a silent TCP client at the HTTP timeout, while a witness keeps working", async (t) => {
    const witness = await connect(t, url, { transports: ["websocket"] });
    const reply = await rawExchange(fx.port, null);
    assert.equal(reply.length, 0);
    await assertWorks(witness);
  });
});

describe("TLS, a bad record after the handshake", () => {
  let fx;
  let url;
  before(async () => {
    // An HTTP timeout well past every wait here: only the bad record can end the connection.
    fx = await startFixture([...tlsArgs, "--http-timeout", "60000"]);
    url = `https://127.0.0.1:${fx.port}`;
  });
  after(async () => {
    await fx?.stop();
  });

  it("closes a connection that sends a garbage record after its handshake, while a witness keeps working", async (t) => {
    const witness = await connect(t, url, { transports: ["websocket"] });
    // The TLS client reaches the server through a pass-through proxy, whose upstream socket
    // lets the test write past the TLS layer.
    let upstream;
    const proxy = net.createServer((client) => {
      upstream = net.connect(fx.port, "127.0.0.1");
      upstream.on("error", () => {});
      client.on("error", () => {});
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    t.after(() => proxy.close());
    const secure = tls.connect({ host: "127.0.0.1", port: proxy.address().port, ca });
    secure.on("error", () => {});
    t.after(() => secure.destroy());
    await within(WAIT_MS, new Promise((resolve, reject) => {
      secure.once("secureConnect", resolve);
      secure.once("error", reject);
    }), "the TLS handshake");
    // One request answered first: the handshake is over and the HTTP session reads the next
    // request when the bad record comes (written sooner, it could overtake the client's Finished
    // in the proxy and fail the handshake instead).
    const answered = new Promise((resolve) => secure.once("data", resolve));
    secure.write("GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await within(WAIT_MS, answered, "the answer to the first request");
    // A close (a FIN, or a reset when the server leaves bytes unread).
    const serverClosed = new Promise((resolve) => upstream.once("close", resolve));
    // An application-data record header, then bytes no key decrypts: the HTTP session's read fails.
    upstream.write(Buffer.concat([Buffer.from([0x17, 0x03, 0x03, 0x00, 0x40]), Buffer.alloc(0x40, 0xcd)]));
    // Fails if the server keeps the connection (it would wait for a request until the 60 s
    // --http-timeout, past this bound).
    await within(WAIT_MS, serverClosed, "the server to close");
    await assertWorks(witness);
  });
});

// ---------------------------------------------------------------------------------------------
// TLS in process: one descriptor per connection, the connection slot and the client's address
// kept with it, coalesced records, a clean close and the queue bound.

/**
 * Open socket descriptors of process `pid`: entries of /proc/<pid>/fd that are sockets (a
 * socketpair's ends are too; a shard's io_uring, made at its first write, is not).
 */
function socketCount(pid) {
  let count = 0;
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) ++count;
    } catch {
      // closed meanwhile
    }
  }
  return count;
}

/**
 * One https request (bounded); resolves {status, headers, body, localPort}. `agent` false opens
 * a connection of its own; `localAddress` picks the loopback source address.
 */
function httpsRequest(port, { method = "GET", path: target = "/socket.io/?EIO=4&transport=polling", body, agent = false, localAddress } = {}) {
  return within(WAIT_MS, new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port, method, path: target, ca, agent, localAddress,
      headers: body === undefined ? {} : { "Content-Type": "text/plain;charset=UTF-8" } }, (res) => {
      const chunks = [];
      const localPort = res.socket.localPort;
      res.on("data", (d) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString(), localPort }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  }), `${method} ${target}`);
}

/** A connected socket.io-client socket, or null if it is refused (bounded); closed when the test ends. */
async function tryConnect(t, url, opts) {
  const socket = io(url, { ...clientDefaults, ...opts });
  t.after(() => socket.close());
  const ok = await within(WAIT_MS, new Promise((resolve) => {
    socket.once("connect", () => resolve(true));
    socket.once("connect_error", () => resolve(false));
  }), `connecting to ${url}`);
  if (ok) return socket;
  socket.close();
  return null;
}

/** Resolves with how a TLS connection attempt ended: "secure" once its handshake is done, else the error. */
function tlsAttempt(port, localAddress) {
  return within(WAIT_MS, new Promise((resolve) => {
    const conn = tls.connect({ host: "127.0.0.1", port, ca, localAddress });
    conn.once("secureConnect", () => {
      conn.destroy();
      resolve("secure");
    });
    conn.once("error", (err) => resolve(err));
    conn.once("close", () => resolve(new Error("closed before the TLS handshake")));
  }), `a TLS handshake from ${localAddress}`);
}

/**
 * A raw WebSocket over TLS (lib/raw-websocket.mjs's RawFrames on a TLS socket): the upgrade by
 * hand, then every frame as the server sent it. `port` may be a recording proxy's.
 */
async function rawWss(port, { autoPong = true, maxVersion, localAddress, target = "/socket.io/?EIO=4&transport=websocket" } = {}) {
  const socket = tls.connect({ host: "127.0.0.1", port, ca, maxVersion, localAddress });
  socket.on("error", () => {});
  await within(WAIT_MS, new Promise((resolve, reject) => {
    socket.once("secureConnect", resolve);
    socket.once("error", reject);
  }), "the TLS handshake");
  return RawFrames.upgrade(socket, port, target, { autoPong });
}

/** A TCP proxy to `port` that records what the server sends and whether it ended with a FIN. */
async function recordingProxy(t, port) {
  const record = { fromServer: [], serverEnded: false, serverReset: false };
  const conns = [];
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, "127.0.0.1");
    conns.push(client, upstream);
    client.on("error", () => {});
    upstream.on("error", () => (record.serverReset = true));
    upstream.on("data", (d) => record.fromServer.push(d));
    upstream.on("end", () => (record.serverEnded = true));
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  t.after(() => {
    conns.forEach((c) => c.destroy());
    proxy.close();
  });
  return { port: proxy.address().port, record };
}

/** TLS records (type, length) in `bytes`; a partial record at the end throws, or is left out if `partial`. */
function tlsRecords(bytes, { partial = false } = {}) {
  const records = [];
  for (let off = 0; off < bytes.length;) {
    const whole = bytes.length - off >= 5 && bytes.length - off - 5 >= bytes.readUInt16BE(off + 3);
    if (!whole && partial) break;
    assert.ok(whole, `a partial record at ${off} of ${bytes.length}`);
    const length = bytes.readUInt16BE(off + 3);
    records.push({ type: bytes[off], length });
    off += 5 + length;
  }
  return records;
}

/** On a raw session: the open packet, then CONNECT to "/" and its reply. */
async function rawSocketIo(raw) {
  assert.match(await raw.nextText(), /^0\{/);
  raw.send(OP.text, "40");
  assert.match(await raw.nextText(), /^40\{/);
}

describe("TLS in process (conformance fixture)", () => {
  let fx;
  let url;
  before(async () => {
    // Kept-alive connections stay open for the whole test (--http-timeout), and the heartbeat
    // leaves room for a busy machine.
    fx = await startFixture([...tlsArgs, "--http-timeout", "60000", "--ping-timeout", "5000"]);
    url = `https://127.0.0.1:${fx.port}`;
  });
  after(async () => {
    await fx?.stop();
  });

  it("holds one descriptor per TLS connection, wss or https, and gives each back at its close", async (t) => {
    // Fails if a TLS connection costs more than its own socket (the former socketpair tunnel: 3).
    const N = 20;
    const base = socketCount(fx.pid);
    const sockets = [];
    t.after(() => sockets.forEach((s) => s.close()));
    for (let i = 0; i < N; ++i) sockets.push(await connect(t, url, { transports: ["websocket"] }));
    assert.equal(socketCount(fx.pid) - base, N, `${N} wss connections`);
    // N polling handshakes, each on its own kept-alive connection, left open and idle.
    const agents = [];
    t.after(() => agents.forEach((a) => a.destroy()));
    for (let i = 0; i < N; ++i) {
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
      agents.push(agent);
      const res = await httpsRequest(fx.port, { agent });
      assert.equal(res.status, 200);
      assert.match(res.body, /^0\{"sid":/);
    }
    assert.equal(socketCount(fx.pid) - base, 2 * N, `${N} wss connections and ${N} https connections`);
    // Each still works (a WebSocket session's descriptor is its own socket, not a tunnel's end).
    for (const s of sockets.slice(0, 3)) await assertWorks(s);
    sockets.forEach((s) => s.close());
    agents.forEach((a) => a.destroy());
    await eventually(() => socketCount(fx.pid) === base, WAIT_MS, "the descriptors to be given back", 50)
      .catch(() => assert.fail(`${socketCount(fx.pid) - base} socket descriptors over the ${base} before`));
  });

  it("sends a burst of 2,000 echoes in order and intact over wss (coalesced records)", async (t) => {
    // Fails if records sealed from a turn's queued frames lose, repeat, reorder or cut a frame.
    // Through a recording proxy, to tell how many records carried them (not asserted: how many
    // frames share a turn depends on the timing).
    const proxy = await recordingProxy(t, fx.port);
    const socket = await connect(t, `https://127.0.0.1:${proxy.port}`, { transports: ["websocket"] });
    const count = 2000;
    const payload = (i) => `${i}:` + String.fromCharCode(97 + (i % 26)).repeat((i * 37) % 3000);
    const got = [];
    const all = new Promise((resolve) => socket.on("message-back", (text, ...rest) => {
      got.push([text, rest.length]);
      if (got.length === count) resolve();
    }));
    for (let i = 0; i < count; ++i) socket.emit("message", payload(i));
    await within(60_000, all, `${count} echoes`).catch((err) => assert.fail(`${err.message}; got ${got.length}`));
    for (let i = 0; i < count; ++i) {
      assert.equal(got[i][1], 0, `echo ${i} has one argument`);
      if (got[i][0] !== payload(i)) assert.fail(`echo ${i}: ${String(got[i][0]).slice(0, 40)}… (${String(got[i][0]).length} chars) instead of ${payload(i).slice(0, 40)}… (${payload(i).length})`);
    }
    await assertWorks(socket);
    const records = tlsRecords(Buffer.concat(proxy.record.fromServer), { partial: true }).filter((r) => r.type === 0x17);
    t.diagnostic(`${records.length} application-data records from the server for ${count} echoes and the rest`);
  });
});

describe("TLS in process: a server-initiated close", () => {
  let fx;
  before(async () => {
    // The fixture's own heartbeat: pingInterval 300 ms, pingTimeout 200 ms.
    fx = await startFixture(tlsArgs);
  });
  after(async () => {
    await fx?.stop();
  });

  it("ends a wss session that stops answering pings with a Close frame, then TLS close_notify, then FIN", async (t) => {
    // Fails if the close frame is missing or cut, if no close_notify follows it (the last record
    // from the server must be an alert: TLS 1.2 is asked for so the record type is visible; the
    // client saw no TLS error, so it is close_notify), or if the connection is reset.
    const proxy = await recordingProxy(t, fx.port);
    const raw = await rawWss(proxy.port, { autoPong: false, maxVersion: "TLSv1.2" });
    t.after(() => raw.destroy());
    let tlsError = null;
    raw.socket.on("error", (err) => (tlsError = err));
    const ended = new Promise((resolve) => raw.socket.once("end", resolve));
    assert.equal(raw.socket.getProtocol(), "TLSv1.2");
    await rawSocketIo(raw);
    // The fixture greets with `auth`, then pings; the ping goes unanswered.
    const frames = [];
    for (;;) {
      const frame = await raw.nextFrame(WAIT_MS);
      if (frame.opcode === OP.close) break;
      frames.push(frame.payload.toString());
    }
    assert.ok(frames.includes("2"), `a ping before the close: ${JSON.stringify(frames)}`);
    assert.deepEqual(raw.closeFrame, { code: 1000, reason: "ping timeout" });
    await within(WAIT_MS, ended, "the TLS stream's end");
    await eventually(() => proxy.record.serverEnded || proxy.record.serverReset, WAIT_MS, "the server's FIN");
    assert.equal(proxy.record.serverReset, false, "the server reset the connection");
    assert.equal(tlsError, null, `TLS error: ${tlsError?.message}`);
    const records = tlsRecords(Buffer.concat(proxy.record.fromServer));
    assert.equal(records.at(-1).type, 0x15, `the last record: ${JSON.stringify(records.slice(-3))}`);
    assert.ok(records.slice(0, -1).every((r) => r.type !== 0x15), "one alert, the last record");
  });
});

describe("TLS in process on the chat app: limits, access log, queue bound", () => {
  const startChorus = (args) =>
    startFixture(["--host", "127.0.0.1", "--db", ":memory:", "--rate-limit", "0", ...tlsArgs, ...args], { binaryEnv: "CHORUS_BINARY" });
  const chatUrl = (fx) => `https://127.0.0.1:${fx.port}/chat`;

  /** /chat echoes `message` as `response`: the round trip that proves a socket still works. */
  async function roundTrip(socket, text) {
    const back = new Promise((resolve) => {
      const on = (arg) => {
        if (arg?.text !== text) return;
        socket.off("response", on);
        resolve(arg);
      };
      socket.on("response", on);
    });
    socket.emit("message", { text });
    assert.deepEqual(await within(WAIT_MS, back, `the echo of ${text}`), { text });
  }

  it("--max-connections-per-ip counts TLS connections on their own sockets: the one over is closed before its handshake", async (t) => {
    // Fails if a TLS connection's slot is lost at the upgrade or on a move between shards (the
    // one over would get in), or not given back at the close (no newcomer would get in).
    const K = 3;
    const fx = await startChorus(["--max-connections-per-ip", `${K}`]);
    t.after(() => fx.stop());
    const witness = await connect(t, chatUrl(fx), { transports: ["websocket"] }); // from 127.0.0.1
    // K from 127.0.0.2: two wss sessions and a kept-alive https connection.
    const held = [
      await connect(t, chatUrl(fx), { transports: ["websocket"], localAddress: "127.0.0.2" }),
      await connect(t, chatUrl(fx), { transports: ["websocket"], localAddress: "127.0.0.2" }),
    ];
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca, localAddress: "127.0.0.2" });
    t.after(() => agent.destroy());
    assert.equal((await httpsRequest(fx.port, { agent, path: "/healthz" })).status, 200);
    const over = await tlsAttempt(fx.port, "127.0.0.2");
    assert.notEqual(over, "secure", `connection ${K + 1} from 127.0.0.2 was admitted`);
    assert.equal(await tlsAttempt(fx.port, "127.0.0.4"), "secure", "another address gets in");
    for (const [i, s] of held.entries()) await roundTrip(s, `held ${i}`);
    assert.equal((await httpsRequest(fx.port, { agent, path: "/healthz" })).status, 200, "the held https connection");
    await roundTrip(witness, "witness");
    // A closed wss session gives its place back, then so does the https connection.
    held.pop().close();
    // (The newcomer itself is what tries: a probe that got in would hold the place a moment.)
    const newcomer = await eventually(() => tryConnect(t, chatUrl(fx), { transports: ["websocket"], localAddress: "127.0.0.2" }),
      WAIT_MS, "the wss session's place", 100);
    await roundTrip(newcomer, "newcomer");
    assert.notEqual(await tlsAttempt(fx.port, "127.0.0.2"), "secure", "full again");
    agent.destroy();
    await eventually(async () => (await tlsAttempt(fx.port, "127.0.0.2")) === "secure", WAIT_MS, "the https connection's place", 100);
    await roundTrip(held[0], "still held");
  });

  it("--handshakes-per-second-per-ip counts the TLS client's own address: past the rate a handshake gets 503", async (t) => {
    // Fails if the handshake rate is not applied under TLS (the former tunnel: the inner session
    // had no address, so every handshake was allowed), or applied to other addresses too.
    const fx = await startChorus(["--handshakes-per-second-per-ip", "0.01"]);
    t.after(() => fx.stop());
    const witness = await connect(t, chatUrl(fx), { transports: ["websocket"] }); // 127.0.0.1's one handshake
    const first = await httpsRequest(fx.port, { localAddress: "127.0.0.5" });
    assert.equal(first.status, 200);
    const second = await httpsRequest(fx.port, { localAddress: "127.0.0.5" });
    assert.equal(second.status, 503);
    assert.equal(second.body, "Too many handshakes from this address");
    assert.equal(second.headers["retry-after"], "1");
    const ws = await within(WAIT_MS, new Promise((resolve) => {
      const socket = new WebSocket(`wss://127.0.0.1:${fx.port}/socket.io/?EIO=4&transport=websocket`, { ca, localAddress: "127.0.0.5" });
      socket.on("unexpected-response", (req, res) => {
        resolve(res.statusCode);
        req.destroy();
      });
      socket.on("open", () => {
        resolve("open");
        socket.terminate();
      });
      socket.on("error", (err) => resolve(err.message));
    }), "the refused upgrade");
    assert.equal(ws, 503, "a wss handshake from the same address");
    assert.equal((await httpsRequest(fx.port, { localAddress: "127.0.0.6" })).status, 200, "another address");
    await roundTrip(witness, "after"); // an established session makes no handshakes
  });

  it("--access-log records the TLS client's own address and port, and the transport", async (t) => {
    // Fails if the log shows "-" or any address but the client's (the former tunnel: a unix socket).
    const log = path.join(dir, `access-${process.pid}.log`);
    const fx = await startChorus(["--access-log", log]);
    let stopped = false;
    t.after(() => (stopped ? undefined : fx.stop()));
    const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca });
    t.after(() => agent.destroy());
    const open = await httpsRequest(fx.port, { agent });
    assert.equal(open.status, 200);
    const { sid } = JSON.parse(open.body.slice(1));
    const post = await httpsRequest(fx.port, { agent, method: "POST", path: `/socket.io/?EIO=4&transport=polling&sid=${sid}`, body: "40/chat," });
    assert.equal(post.body, "ok");
    assert.equal(post.localPort, open.localPort, "the POST went on the kept-alive connection");
    const wsPort = await within(WAIT_MS, new Promise((resolve, reject) => {
      const socket = new WebSocket(`wss://127.0.0.1:${fx.port}/socket.io/?EIO=4&transport=websocket`, { ca, localAddress: "127.0.0.3" });
      socket.on("open", () => {
        const port = socket._socket.localPort;
        socket.close();
        resolve(port);
      });
      socket.on("error", reject);
    }), "a wss connection from 127.0.0.3");
    agent.destroy();
    stopped = true;
    await fx.stop(); // the log is complete once the process has ended
    const lines = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => l.split(" "));
    // <ts> <remote> <method> "<target>" <status> <bytes> <µs>us <transport>
    const find = (pred, what) => lines.find(pred) ?? assert.fail(`${what} in:\n${lines.map((l) => l.join(" ")).join("\n")}`);
    const hs = find((l) => l[3] === '"/socket.io/?EIO=4&transport=polling"', "the polling handshake");
    assert.deepEqual([hs[1], hs[2], hs[4], hs[7]], [`127.0.0.1:${open.localPort}`, "GET", "200", "polling"]);
    const p = find((l) => l[2] === "POST", "the POST");
    assert.deepEqual([p[1], p[3], p[4], p[7]], [`127.0.0.1:${open.localPort}`, `"/socket.io/?EIO=4&transport=polling&sid=${sid}"`, "200", "polling"]);
    const up = find((l) => l[3] === '"/socket.io/?EIO=4&transport=websocket"', "the upgrade");
    assert.deepEqual([up[1], up[2], up[4], up[7]], [`127.0.0.3:${wsPort}`, "GET", "101", "websocket"]);
  });

  it("disconnects a wss member that stops reading at --max-queued-bytes; the room's reader and a witness get everything", { timeout: 180_000 }, async (t) => {
    // Fails if the bound is not applied to a TLS connection (no "write queue full"), or if the
    // flood harms another connection.
    // The default bound, given: a reading member's queue stays well under it.
    const fx = await startChorus(["--max-queued-bytes", "1048576", "--ping-interval", "60000", "--ping-timeout", "60000"]);
    t.after(() => fx.stop());
    const base = `https://127.0.0.1:${fx.port}`;
    const room = "tls-flood";
    const witness = await connect(t, chatUrl(fx), { transports: ["websocket"] });
    const flooder = await connect(t, base, { transports: ["websocket"] });
    let flooderGone = null;
    flooder.on("disconnect", (reason) => (flooderGone = reason));
    const joined = (who) => new Promise((resolve) => flooder.on("status", (d) => d?.msg === `${who} joined room ${room}` && resolve()));
    let j = joined("flooder");
    flooder.emit("join_room", { room, username: "flooder" });
    await within(WAIT_MS, j, "the flooder's join");
    // The member that will stop reading: a raw wss client.
    const stalled = await rawWss(fx.port);
    t.after(() => stalled.destroy());
    assert.match(await stalled.nextText(), /^0\{/);
    stalled.send(OP.text, "40");
    j = joined("stalled");
    stalled.send(OP.text, `42["join_room",${JSON.stringify({ room, username: "stalled" })}]`);
    await within(WAIT_MS, j, "the stalled member's join");
    stalled.socket.pause();
    // ~12 MB to the room, more than the kernel's buffers and the bound.
    const count = 6000;
    const text = (i) => `${i}:`.padEnd(1900, "m");
    const got = [];
    flooder.on("message", (d) => d?.room === room && got.push(d.message));
    for (let i = 0; i < count - 1; ++i) flooder.emit("room_message", { room, message: text(i) });
    const last = await within(120_000, new Promise((resolve) => {
      flooder.emit("room_message", { room, message: text(count - 1) }, resolve);
      flooder.on("disconnect", () => resolve(null));
    }), "the last message's ack");
    assert.equal(flooderGone, null, "the flooder, which reads, was disconnected");
    assert.ok(last, "the last message was stored");
    await eventually(() => got.length === count, 60_000, `the flooder's ${count} messages`).catch(() => assert.fail(`the flooder got ${got.length} of ${count}`));
    for (let i = 0; i < count; ++i) if (got[i] !== text(i)) assert.fail(`message ${i}: ${String(got[i]).slice(0, 20)}…`);
    const overBound = async () => {
      const metrics = (await httpsRequest(fx.port, { path: "/metrics" })).body;
      return Number(/^chorus_engineio_disconnects_total\{reason="write queue full"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
    };
    await eventually(async () => (await overBound()) >= 1, 30_000, "a write queue full disconnect");
    assert.equal(await overBound(), 1, "only the stalled member");
    await roundTrip(witness, "after the flood");
    assert.ok(flooder.connected);
    // The stalled member's connection is closed by the server (its Close frame may sit unread).
    stalled.socket.resume();
    const { closeFrame, tcpClosed } = await stalled.waitClose(60_000);
    assert.ok(tcpClosed || closeFrame?.code === 1008, `closed with ${JSON.stringify(closeFrame)}`);
  });
});

describe("TLS on the chat app", () => {
  let fx;
  before(async () => {
    fx = await startFixture(["--host", "127.0.0.1", "--rate-limit", "0", "--db", ":memory:", ...tlsArgs],
      { binaryEnv: "CHORUS_BINARY" });
  });
  after(async () => {
    await fx?.stop();
  });

  it("broadcasts a room message to the room's members over wss and https polling", async (t) => {
    const url = `https://127.0.0.1:${fx.port}`;
    const room = `tls-room-${process.pid}`;
    const members = [
      await connect(t, url, { transports: ["websocket"] }),
      await connect(t, url, { transports: ["polling"] }),
      await connect(t, url, {}),
    ];
    for (const [i, s] of members.entries()) {
      const joined = `user${i} joined room ${room}`;
      const status = new Promise((resolve) => s.on("status", (d) => d?.msg === joined && resolve()));
      s.emit("join_room", { room, username: `user${i}` });
      await within(WAIT_MS, status, joined);
    }
    const got = members.map((s) => new Promise((resolve) => s.on("message", (d) => d?.message === "over tls" && resolve(d))));
    members[0].emit("room_message", { room, message: "over tls" });
    for (const d of await within(WAIT_MS, Promise.all(got), "the room message at every member")) {
      assert.equal(d.room, room);
    }
  });

  it("prints https in its start-up log", () => {
    // The log goes to stderr (stdout carries only "listening on port N").
    assert.ok(fx.output().includes("chorus listening on https://"), fx.output());
  });
});

describe("TLS options", () => {
  const cases = [
    { name: "a certificate without a key", args: ["--tls-cert", certFile],
      error: "--tls-cert and --tls-key go together: give both or neither" },
    { name: "a key without a certificate (environment)", args: [], env: { CHORUS_TLS_KEY: keyFile },
      error: "--tls-cert and --tls-key go together: give both or neither" },
    { name: "a missing certificate file", args: ["--tls-cert", path.join(dir, "nope.pem"), "--tls-key", keyFile],
      error: `--tls-cert ${path.join(dir, "nope.pem")}: No such file or directory` },
    { name: "a certificate file that holds no certificate", args: ["--tls-cert", garbageFile, "--tls-key", keyFile],
      error: new RegExp(`^--tls-cert ${garbageFile}: not a PEM certificate \\(.+\\)$`) },
    { name: "a key file that holds no key", args: ["--tls-cert", certFile, "--tls-key", garbageFile],
      error: new RegExp(`^--tls-key ${garbageFile}: not an unencrypted PEM private key \\(.+\\)$`) },
    { name: "a key that does not match the certificate", args: ["--tls-cert", certFile, "--tls-key", otherKeyFile],
      error: `--tls-key ${otherKeyFile} does not match the certificate in --tls-cert ${certFile}` },
  ];
  for (const c of cases) {
    it(`exits 2 on ${c.name}`, async () => {
      const { code, stderr } = await runChorus(c.args, c.env);
      assert.equal(code, 2, stderr);
      const line = stderr.trim();
      if (c.error instanceof RegExp) assert.match(line, c.error);
      else assert.equal(line, c.error);
    });
  }

  it("starts with both given through the environment", async () => {
    const child = spawn(process.env.CHORUS_BINARY, ["--port", "0", "--host", "127.0.0.1", "--db", ":memory:"],
      { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, CHORUS_TLS_CERT: certFile, CHORUS_TLS_KEY: keyFile } });
    try {
      let out = "";
      child.stdout.setEncoding("utf8");
      const port = await within(WAIT_MS, new Promise((resolve) => child.stdout.on("data", (d) => {
        out += d;
        const m = /listening on port (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      })), "chorus to listen");
      const res = await within(WAIT_MS, new Promise((resolve, reject) => {
        import("node:https").then(({ get }) => get({ host: "127.0.0.1", port, path: "/socket.io/?EIO=4&transport=polling", ca }, (r) => {
          r.resume();
          r.on("end", () => resolve(r.statusCode));
        }).on("error", reject));
      }), "an https request");
      assert.equal(res, 200);
    } finally {
      child.kill("SIGTERM");
    }
  });
});
