// Keeping people out (server/guard): JWT on CONNECT, the Origin allowlist, connection limits and
// the timeouts, end to end against the `chorus` binary (CHORUS_BINARY). Each bad input gets its
// exact refusal, and a witness connected before it keeps working after it.
//
// Every wait is bounded; no test asserts how long anything takes. The timeout tests run with
// bounds of a few hundred ms and only check that the server closed what it should have, within a
// generous wait. With CHORUS_FIXTURE_ARGS="--threads 4" the same runs on 4 shards (the
// connection counts are then shared by shards that each accept on their own socket).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { startFixture } from "./lib/fixture.mjs";
import { rawRequest } from "./lib/raw-http.mjs";
import { RawWs, eventually, sleep, within } from "./lib/util.mjs";

const WAIT_MS = 10_000;
const clientDefaults = { reconnection: false, forceNew: true, timeout: 5_000, transports: ["websocket"] };

function startChorus(args) {
  return startFixture(["--db", ":memory:", "--rate-limit", "0", ...args], { binaryEnv: "CHORUS_BINARY" });
}

/** Connects a socket.io-client socket to `nsp`; resolves once connected (bounded). */
async function connect(t, fx, opts = {}, nsp = "/") {
  const socket = io(`${fx.url}${nsp === "/" ? "" : nsp}`, { ...clientDefaults, ...opts });
  t.after(() => socket.disconnect());
  await within(
    WAIT_MS,
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    `connect to ${nsp}`,
  );
  return socket;
}

/** The connect_error of a socket that must be refused (bounded). */
async function refused(t, fx, opts = {}, nsp = "/") {
  const socket = io(`${fx.url}${nsp === "/" ? "" : nsp}`, { ...clientDefaults, ...opts });
  t.after(() => socket.disconnect());
  return within(
    WAIT_MS,
    new Promise((resolve, reject) => {
      socket.once("connect", () => reject(new Error(`connected to ${nsp} with ${JSON.stringify(opts.auth)}`)));
      socket.once("connect_error", resolve);
    }),
    `connect_error on ${nsp}`,
  );
}

/** The next `name` event on `socket` whose first argument satisfies `pred` (bounded). */
function nextEvent(socket, name, pred = () => true) {
  return within(
    WAIT_MS,
    new Promise((resolve) => {
      const on = (arg) => {
        if (!pred(arg)) return;
        socket.off(name, on);
        resolve(arg);
      };
      socket.on(name, on);
    }),
    `"${name}"`,
  );
}

/** /chat echoes `message` as `response`: the round trip that proves a socket still works. */
async function roundTrip(socket, text) {
  const back = nextEvent(socket, "response", (arg) => arg?.text === text);
  socket.emit("message", { text });
  assert.deepEqual(await back, { text });
}

// ---------------------------------------------------------------------------------------------
// JWT

const SECRET = "guard-test-secret-0123456789abcdef";
const b64u = (value) => Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);

/** A compact JWS; header and claims may be objects or raw JSON text. */
function jwt(claims, { secret = SECRET, header = { alg: "HS256", typ: "JWT" }, hash = "sha256" } = {}) {
  const signed = `${b64u(header)}.${b64u(claims)}`;
  return `${signed}.${createHmac(hash, secret).update(signed).digest("base64url")}`;
}

describe("JWT on CONNECT (--jwt-secret)", () => {
  let fx;
  before(async () => {
    fx = await startChorus(["--jwt-secret", SECRET]);
  });
  after(async () => {
    await fx?.stop();
  });

  it("a good token connects, and its sub is the chat name whatever `join` claims", async (t) => {
    const witness = await connect(t, fx, { auth: { token: jwt({ sub: "witness", exp: now() + 600 }) } });
    const alice = await connect(t, fx, { auth: { token: jwt({ sub: "alice", exp: now() + 600 }) } });
    const joined = nextEvent(witness, "status", (s) => s?.msg?.endsWith("joined!"));
    alice.emit("join", { username: "mallory" });
    assert.deepEqual(await joined, { msg: "alice joined!" });
    const said = nextEvent(witness, "message", (m) => m?.message === "hello from alice");
    alice.emit("message", { message: "hello from alice" });
    assert.equal((await said).username, "alice");
    // A token with only `name` works too, on every namespace of the chat.
    const bob = await connect(t, fx, { auth: { token: jwt({ name: "bob" }) } }, "/chat");
    await roundTrip(bob, "bob on /chat");
  });

  const bad = [
    ["no auth at all", undefined],
    ["no token", {}],
    ["a token that is not a string", { token: 42 }],
    ["an empty token", { token: "" }],
    ["the wrong secret", { token: jwt({ sub: "eve" }, { secret: "not-the-secret" }) }],
    ["alg none, unsigned", { token: `${b64u({ alg: "none" })}.${b64u({ sub: "eve" })}.` }],
    ["alg none, signed", { token: jwt({ sub: "eve" }, { header: { alg: "none" } }) }],
    ["alg HS512", { token: jwt({ sub: "eve" }, { header: { alg: "HS512" }, hash: "sha512" }) }],
    ["alg RS256", { token: jwt({ sub: "eve" }, { header: { alg: "RS256" } }) }],
    ["expired", { token: jwt({ sub: "eve", exp: now() - 3600 }) }],
    ["not yet valid", { token: jwt({ sub: "eve", nbf: now() + 3600 }) }],
    ["two segments", { token: `${b64u({ alg: "HS256" })}.${b64u({ sub: "eve" })}` }],
    ["bad base64url", { token: "e30=.e30=.AAAA" }],
    ["bad JSON claims", { token: jwt('{"sub":"eve"') }],
    ["no sub or name", { token: jwt({ iat: now() }) }],
    ["a name longer than a username may be", { token: jwt({ sub: "x".repeat(33) }) }],
    ["oversize (over 8 KiB)", { token: jwt({ sub: "eve", pad: "x".repeat(9000) }) }],
  ];

  it("every bad token gets 'Not authorized' and nothing more; the witness keeps chatting", async (t) => {
    const witness = await connect(t, fx, { auth: { token: jwt({ sub: "witness2" }) } }, "/chat");
    await roundTrip(witness, "before");
    for (const [what, auth] of bad) {
      for (const nsp of ["/", "/chat", "/notifications"]) {
        const err = await refused(t, fx, auth === undefined ? {} : { auth }, nsp);
        assert.equal(err.message, "Not authorized", `${what} on ${nsp}`);
        assert.equal(err.data, undefined, `${what} on ${nsp}: nothing else is told`);
      }
    }
    await roundTrip(witness, "after");
    assert.ok(fx.alive());
  });
});

describe("JWT secret from a file (--jwt-secret-file)", () => {
  it("reads the secret without its trailing newline; tokens signed with it get in, others do not", async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-guard-"));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "secret");
    fs.writeFileSync(file, `${SECRET}\n`, { mode: 0o600 });
    const fx = await startChorus(["--jwt-secret-file", file]);
    t.after(() => fx.stop());
    const socket = await connect(t, fx, { auth: { token: jwt({ sub: "carol" }) } }, "/chat");
    await roundTrip(socket, "carol");
    const err = await refused(t, fx, { auth: { token: jwt({ sub: "carol" }, { secret: `${SECRET}\n` }) } }, "/chat");
    assert.equal(err.message, "Not authorized");
  });
});

// ---------------------------------------------------------------------------------------------
// Origin allowlist

/** A raw WebSocket upgrade for a new Engine.IO session with these extra headers. */
function upgradeRequest(fx, headers) {
  const key = Buffer.from("chorus-guard-key").toString("base64");
  return rawRequest(fx.port, "GET", `${fx.path}?EIO=4&transport=websocket`, {
    Upgrade: "websocket",
    Connection: "Upgrade",
    "Sec-WebSocket-Key": key,
    "Sec-WebSocket-Version": "13",
    ...headers,
  }).catch((err) => ({ status: 0, error: err }));
}

const pollingHandshake = (fx, headers) => rawRequest(fx.port, "GET", `${fx.path}?EIO=4&transport=polling`, headers);

/** Opens a WebSocket with an Origin header through `ws`; resolves with "open" or the status. */
async function wsWithOrigin(fx, origin) {
  try {
    const raw = await RawWs.connect(`${fx.wsUrl}${fx.path}?EIO=4&transport=websocket`, { wsOptions: { origin } });
    raw.terminate();
    return "open";
  } catch (err) {
    return err.statusCode ?? err.message;
  }
}

const FORBIDDEN = { code: 4, message: "Origin not allowed" };

describe("Origin allowlist (--allowed-origins)", () => {
  let fx;
  before(async () => {
    fx = await startChorus(["--allowed-origins", "https://chat.example.com, http://localhost:8080"]);
  });
  after(async () => {
    await fx?.stop();
  });

  it("listed origins (any case) and requests without Origin get in; others get 403 on polling and on the upgrade", async (t) => {
    const witness = await connect(t, fx, {}, "/chat");
    await roundTrip(witness, "before");
    for (const origin of ["https://chat.example.com", "HTTPS://Chat.Example.COM", "http://localhost:8080"]) {
      const res = await pollingHandshake(fx, { Origin: origin });
      assert.equal(res.status, 200, origin);
      assert.equal(res.headers["access-control-allow-origin"], origin, origin);
      assert.equal(await wsWithOrigin(fx, origin), "open", origin);
    }
    assert.equal((await pollingHandshake(fx, {})).status, 200, "no Origin: not a browser, let in");
    const refusedOrigins = [
      "https://evil.example",
      "null",
      "http://chat.example.com", // another scheme
      "https://chat.example.com:8443", // another port
      "http://localhost:8081",
      "http://localhost",
      "https://chat.example.com.evil.example",
      "",
    ];
    for (const origin of refusedOrigins) {
      const res = await pollingHandshake(fx, { Origin: origin });
      assert.equal(res.status, 403, `polling, Origin ${JSON.stringify(origin)}`);
      assert.deepEqual(JSON.parse(res.body.toString()), FORBIDDEN);
      assert.equal(res.headers["access-control-allow-origin"], undefined);
      const up = await upgradeRequest(fx, { Origin: origin });
      assert.equal(up.status, 403, `upgrade, Origin ${JSON.stringify(origin)}`);
      assert.deepEqual(JSON.parse(up.body.toString()), FORBIDDEN);
    }
    assert.equal(await wsWithOrigin(fx, "https://evil.example"), 403, "ws client with a forged Origin");
    await roundTrip(witness, "after");
  });

  it("a forged Origin cannot take over an existing session: polling, POST and the upgrade are refused", async (t) => {
    const open = await pollingHandshake(fx, {});
    const { sid } = JSON.parse(open.body.toString().slice(1));
    const evil = { Origin: "https://evil.example" };
    const poll = await rawRequest(fx.port, "GET", `${fx.path}?EIO=4&transport=polling&sid=${sid}`, evil);
    assert.equal(poll.status, 403);
    const post = await rawRequest(fx.port, "POST", `${fx.path}?EIO=4&transport=polling&sid=${sid}`, evil, { body: "40/chat," });
    assert.equal(post.status, 403);
    const up = await upgradeRequest(fx, evil);
    assert.equal(up.status, 403);
    const pre = await rawRequest(fx.port, "OPTIONS", `${fx.path}?EIO=4&transport=polling`, {
      ...evil,
      "Access-Control-Request-Method": "POST",
    });
    assert.equal(pre.status, 403, "a preflight from a refused origin");
    // The session itself is untouched: the rightful owner (no Origin) still polls it.
    const ok = await rawRequest(fx.port, "POST", `${fx.path}?EIO=4&transport=polling&sid=${sid}`, {}, { body: "40/chat," });
    assert.equal(ok.status, 200);
    assert.equal(ok.body.toString(), "ok");
  });
});

describe("Origin default: same origin only", () => {
  let fx;
  before(async () => {
    fx = await startChorus([]);
  });
  after(async () => {
    await fx?.stop();
  });

  it("the page's own origin gets in; another host or port is refused", async (t) => {
    const witness = await connect(t, fx, {}, "/chat");
    const host = `127.0.0.1:${fx.port}`;
    for (const origin of [`http://${host}`, `https://${host}`]) {
      const res = await pollingHandshake(fx, { Origin: origin });
      assert.equal(res.status, 200, origin);
      assert.equal(await wsWithOrigin(fx, origin), "open", origin);
    }
    for (const origin of [`http://127.0.0.1:${fx.port + 1}`, `http://localhost:${fx.port}`, "http://127.0.0.1", "null", "https://evil.example"]) {
      const res = await pollingHandshake(fx, { Origin: origin });
      assert.equal(res.status, 403, origin);
      assert.deepEqual(JSON.parse(res.body.toString()), FORBIDDEN);
      assert.equal(await wsWithOrigin(fx, origin), 403, origin);
    }
    await roundTrip(witness, "after");
  });
});

// ---------------------------------------------------------------------------------------------
// Connection limits

/**
 * Opens a raw TCP connection (from `localAddress`) and waits briefly for the server to say
 * something: resolves with {socket, data, closed}. An admitted idle connection hears nothing.
 */
function openRaw(fx, localAddress = "127.0.0.1", listenMs = 300) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port: fx.port, host: "127.0.0.1", localAddress });
    let data = "";
    let closed = false;
    socket.on("data", (d) => (data += d.toString("latin1")));
    socket.on("error", () => {});
    socket.on("close", () => (closed = true));
    socket.once("connect", async () => {
      // Refusals are written at once; wait for one a bounded while, or for the quiet to last.
      const deadline = Date.now() + listenMs;
      while (Date.now() < deadline && !closed && data === "") await sleep(20);
      if (data !== "") await eventually(() => closed || data.includes("\r\n\r\n") && data.length > data.indexOf("\r\n\r\n") + 4, 2_000).catch(() => {});
      resolve({ socket, get data() { return data; }, get closed() { return closed; } });
    });
    socket.once("error", reject);
  });
}

// Connections over --max-connections that the server reads a request from (server/http/over_limit.hpp).
const OVER_LIMIT_RESERVE = 8;

/** Sends a request on an open raw connection; resolves with the status of its answer (NaN: none). */
async function answerOn(raw, target = "/nope-404") {
  const from = raw.data.length;
  raw.socket.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  await eventually(() => raw.closed || raw.data.indexOf("\r\n\r\n", from) >= 0, 2_000).catch(() => {});
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(raw.data.slice(from))?.[1]);
}

/** A rawRequest's response as refusalOf() reads a raw connection's. */
function responseRefusal(res) {
  return { status: res?.status, body: res?.body.toString(), retryAfter: res?.headers["retry-after"] };
}

function refusalOf(raw) {
  const [head, body] = raw.data.split("\r\n\r\n");
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), body, retryAfter: /\r\nRetry-After: (\d+)/i.exec(head)?.[1] };
}

/** A raw connection that must be admitted: the server answers a request on it. */
async function admitted(fx, localAddress) {
  const res = await rawRequest(fx.port, "GET", "/nope-404", {}, { localAddress }).catch((e) => ({ status: e.message }));
  return res?.status;
}

describe("connection limits", () => {
  it("--max-connections: one over the total gets 503, others are unharmed, a closed one frees its place", async (t) => {
    const fx = await startChorus(["--max-connections", "4"]);
    t.after(() => fx.stop());
    const witness = await connect(t, fx, {}, "/chat"); // 1 connection (WebSocket only)
    await roundTrip(witness, "before");
    const held = [];
    t.after(() => held.forEach((r) => r.socket.destroy()));
    for (let i = 0; i < 3; ++i) {
      const raw = await openRaw(fx);
      assert.equal(raw.data, "", `connection ${i + 2} is admitted`);
      held.push(raw);
    }
    // Over the limit a request is read (an operator's endpoint would be answered) and refused.
    const over = await rawRequest(fx.port, "GET", "/nope-404");
    assert.deepEqual(responseRefusal(over), { status: 503, body: "Too many connections", retryAfter: "1" });
    await roundTrip(witness, "while full");
    // Closing one makes room (the count goes down once the server sees the close).
    held.pop().socket.destroy();
    await eventually(async () => (await admitted(fx)) === 404, WAIT_MS, "a place to free up", 100);
  });

  it("at --max-connections /healthz, /readyz and /metrics still answer; anything else gets 503", async (t) => {
    const fx = await startChorus(["--max-connections", "2"]);
    t.after(() => fx.stop());
    const held = [];
    t.after(() => held.forEach((r) => r.socket.destroy()));
    for (let i = 0; i < 2; ++i) held.push(await openRaw(fx));
    for (const raw of held) assert.equal(await answerOn(raw), 404, "the limit's connections are admitted");
    for (const target of ["/healthz", "/readyz", "/metrics"]) {
      const res = await rawRequest(fx.port, "GET", target);
      assert.equal(res?.status, 200, target);
    }
    assert.equal((await rawRequest(fx.port, "GET", "/healthz")).body.toString(), "ok");
    assert.equal((await rawRequest(fx.port, "HEAD", "/readyz")).status, 200);
    assert.deepEqual(responseRefusal(await pollingHandshake(fx, {})), { status: 503, body: "Too many connections", retryAfter: "1" });
    assert.equal((await upgradeRequest(fx, {})).status, 503, "a WebSocket handshake");
    assert.equal((await rawRequest(fx.port, "GET", "/")).status, 503, "the page");
    const error = await refused(t, fx, { transports: ["polling"] }, "/chat");
    assert.match(String(error?.message), /xhr poll error/);
    for (const raw of held) assert.equal(await answerOn(raw), 404, "the held connections still work");
  });

  it(`the reserve that reads over-limit requests holds ${OVER_LIMIT_RESERVE}; past it the refusal goes out unread`, async (t) => {
    const fx = await startChorus(["--max-connections", "1"]);
    t.after(() => fx.stop());
    const held = [];
    t.after(() => held.forEach((r) => r.socket.destroy()));
    held.push(await openRaw(fx));
    assert.equal(await answerOn(held[0]), 404);
    // Over the limit, each waits (silent) for its request, up to --http-timeout.
    for (let i = 0; i < OVER_LIMIT_RESERVE; ++i) {
      const raw = await openRaw(fx);
      assert.equal(raw.data, "", `over-limit connection ${i + 1} waits for its request`);
      held.push(raw);
    }
    const over = await openRaw(fx);
    assert.deepEqual(refusalOf(over), { status: 503, body: "Too many connections", retryAfter: "1" });
    over.socket.destroy();
    // A reserved connection's request is answered, and its place comes back when it closes.
    const reserved = held.pop();
    assert.equal(await answerOn(reserved, "/healthz"), 200);
    reserved.socket.destroy();
    await eventually(async () => (await rawRequest(fx.port, "GET", "/healthz"))?.status === 200, WAIT_MS, "a reserve place to free up", 100);
  });

  it("every way a connection ends gives its place back exactly once", async (t) => {
    // Idle keep-alive connections the clients leave behind close after 3 s (the held ones below
    // are opened well within that).
    // Room for what one round has open at once (a polling client uses two connections, and a
    // close is seen a moment after the client makes it).
    const max = 8;
    const fx = await startChorus(["--max-connections", `${max}`, "--allowed-origins", "https://ok.example", "--http-timeout", "3000"]);
    t.after(() => fx.stop());
    // Churn through the close paths: plain HTTP, a refused Origin, a polling session (its
    // requests may move to another shard), a WebSocket session, a refused upgrade, a peer reset.
    for (let round = 0; round < 3; ++round) {
      assert.equal(await admitted(fx), 404);
      assert.equal((await pollingHandshake(fx, { Origin: "https://evil.example" })).status, 403);
      const polling = await connect(t, fx, { transports: ["polling"] }, "/chat");
      await roundTrip(polling, `polling ${round}`);
      polling.disconnect();
      const ws = await connect(t, fx, {}, "/chat");
      await roundTrip(ws, `ws ${round}`);
      ws.disconnect();
      assert.equal((await upgradeRequest(fx, { "Sec-WebSocket-Version": "12" })).status, 400);
      (await openRaw(fx, "127.0.0.1", 50)).socket.resetAndDestroy();
    }
    // Now exactly `max` fit again, and one more is refused: no place leaked, none given back twice.
    await eventually(async () => (await admitted(fx)) === 404, 3 * WAIT_MS, "the churn's places to come back", 100);
    const held = [];
    t.after(() => held.forEach((r) => r.socket.destroy()));
    await eventually(async () => {
      held.forEach((r) => r.socket.destroy());
      held.length = 0;
      for (let i = 0; i < max; ++i) held.push(await openRaw(fx, "127.0.0.1", 20));
      // An over-limit connection is silent too until it sends a request: ask on each.
      for (const raw of held) if ((await answerOn(raw)) !== 404) return false;
      return true;
    }, 3 * WAIT_MS, `${max} places`, 200);
    const over = await rawRequest(fx.port, "GET", "/nope-404");
    assert.ok(held.every((r) => !r.closed), "the held connections are still open");
    assert.equal(over.status, 503, `one more connection over --max-connections ${max}`);
  });

  it("--max-connections-per-ip: one address is capped, another is not", async (t) => {
    const fx = await startChorus(["--max-connections-per-ip", "2"]);
    t.after(() => fx.stop());
    const witness = await connect(t, fx, {}, "/chat"); // from 127.0.0.1
    const held = [];
    t.after(() => held.forEach((r) => r.socket.destroy()));
    for (let i = 0; i < 2; ++i) {
      const raw = await openRaw(fx, "127.0.0.2");
      assert.equal(raw.data, "");
      held.push(raw);
    }
    const over = await openRaw(fx, "127.0.0.2");
    assert.deepEqual(refusalOf(over), { status: 503, body: "Too many connections from this address", retryAfter: "1" });
    assert.equal(await admitted(fx, "127.0.0.4"), 404, "another address gets in");
    await roundTrip(witness, "after");
    held.pop().socket.destroy();
    await eventually(async () => (await admitted(fx, "127.0.0.2")) === 404, WAIT_MS, "the address's place to free up", 100);
  });

  it("--handshakes-per-second-per-ip: past the rate a handshake gets 503; other addresses are unharmed", async (t) => {
    // 0.01 a second with a burst of 1: the second handshake is refused however slow the machine.
    const fx = await startChorus(["--handshakes-per-second-per-ip", "0.01"]);
    t.after(() => fx.stop());
    const witness = await connect(t, fx, {}, "/chat");
    const first = await rawRequest(fx.port, "GET", `${fx.path}?EIO=4&transport=polling`, {}, { localAddress: "127.0.0.5" });
    assert.equal(first.status, 200);
    const second = await rawRequest(fx.port, "GET", `${fx.path}?EIO=4&transport=polling`, {}, { localAddress: "127.0.0.5" });
    assert.equal(second.status, 503);
    assert.equal(second.body.toString(), "Too many handshakes from this address");
    assert.equal(second.headers["retry-after"], "1");
    const ws = await upgradeRequest(fx, {}).catch(() => null); // from 127.0.0.1: the witness's address
    assert.equal(ws.status, 503, "the witness's address already made its one handshake");
    const other = await rawRequest(fx.port, "GET", `${fx.path}?EIO=4&transport=polling`, {}, { localAddress: "127.0.0.6" });
    assert.equal(other.status, 200);
    await roundTrip(witness, "after"); // an established session makes no handshakes
  });
});

// ---------------------------------------------------------------------------------------------
// Timeouts

/** Resolves with true once the server closes `socket`, false after `ms`. */
function closedWithin(socket, ms) {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

describe("timeouts (--http-timeout 400, --connect-timeout 400)", () => {
  let fx;
  before(async () => {
    fx = await startChorus(["--http-timeout", "400", "--connect-timeout", "400"]);
  });
  after(async () => {
    await fx?.stop();
  });

  it("slowloris, a silent socket, a WebSocket without CONNECT and a polling session without CONNECT are all closed; the witness is not", async (t) => {
    const witness = await connect(t, fx, {}, "/chat");
    await roundTrip(witness, "before");

    // Header bytes trickled one every 100 ms: the whole request has one deadline.
    const slow = net.connect(fx.port, "127.0.0.1");
    slow.on("error", () => {});
    slow.write(`GET ${fx.path}?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: `);
    const ticker = setInterval(() => slow.writable && slow.write("a"), 100);
    t.after(() => clearInterval(ticker));

    // A TCP connection that never sends a byte.
    const silent = net.connect(fx.port, "127.0.0.1");
    silent.on("error", () => {});

    // A WebSocket that answers pings but never sends the Socket.IO CONNECT.
    const ws = await RawWs.connect(`${fx.wsUrl}${fx.path}?EIO=4&transport=websocket`);
    t.after(() => ws.terminate());
    assert.ok((await ws.nextText()).startsWith("0{"), "the Engine.IO open packet");

    // A polling session that never connects a namespace: its long poll ends with a close.
    const open = await pollingHandshake(fx, {});
    const { sid } = JSON.parse(open.body.toString().slice(1));

    const [slowClosed, silentClosed] = await Promise.all([closedWithin(slow, WAIT_MS), closedWithin(silent, WAIT_MS)]);
    assert.ok(slowClosed, "the slowloris connection is still open");
    assert.ok(silentClosed, "the silent connection is still open");
    await ws.waitClose(WAIT_MS);
    await eventually(
      async () => {
        const poll = await rawRequest(fx.port, "GET", `${fx.path}?EIO=4&transport=polling&sid=${sid}`, {}, { ms: WAIT_MS });
        // The close packet ("1"), or the session already gone.
        return poll.status === 400 || poll.body.toString().split("\x1e").includes("1");
      },
      WAIT_MS,
      "the polling session to be closed",
      100,
    );
    assert.ok(witness.connected);
    await roundTrip(witness, "after");
  });
});
