// TLS (--tls-cert/--tls-key, server/tls): https polling, wss and the polling→WebSocket upgrade
// with the official socket.io-client trusting a throwaway self-signed certificate through its
// `ca` option (verification stays on); events, acks, binary, a 500 KB message (the conformance
// fixture's echoes) and a room broadcast (the chat app); bad option values exit 2 with a clear
// message; a plain-HTTP request, a garbage ClientHello and a silent TCP client on the TLS port
// are refused or closed while a witness keeps working.
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
import { io } from "socket.io-client";
import { startFixture } from "./lib/fixture.mjs";
import { within, waitEvent } from "./lib/util.mjs";

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
