// Shared helpers for the JS interop and bad-input tests. Every wait here is bounded.
import assert from "node:assert/strict";
import { once } from "node:events";
import WebSocket from "ws";
import { io, Manager } from "socket.io-client";

export const PING_INTERVAL = 300;
export const PING_TIMEOUT = 200;
export const MAX_PAYLOAD = 1_000_000;
export const RS = "\x1e"; // Engine.IO v4 polling packet separator

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves/rejects like `promise`, or rejects after `ms` with a message naming `what`. */
export function within(ms, promise, what = "operation") {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([Promise.resolve(promise), timeout]).finally(() => clearTimeout(timer));
}

/** Waits (bounded) for a single event on an EventEmitter-like object; resolves with its arguments. */
export function waitEvent(emitter, event, ms = 5_000) {
  return within(ms, once(emitter, event), `event "${event}"`);
}

/** Polls `predicate` every `step` ms until it is truthy; rejects after `ms`. */
export async function eventually(predicate, ms = 5_000, what = "condition", step = 25) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(step);
  }
}

// ---------------------------------------------------------------------------------------------
// Raw Engine.IO over HTTP long-polling (fetch)

export function eioQuery(params) {
  const q = new URLSearchParams(params);
  return q.toString();
}

/** fetch with a bounded time; returns {status, headers, text}. */
export async function request(url, { method = "GET", body, headers, ms = 5_000 } = {}) {
  const res = await fetch(url, { method, body, headers, signal: AbortSignal.timeout(ms) });
  const text = await within(ms, res.text(), `body of ${method} ${url}`);
  return { status: res.status, headers: res.headers, text };
}

export const decodePayload = (text) => (text === "" ? [] : text.split(RS));

export class PollingSession {
  constructor(fx, sid, open) {
    this.fx = fx;
    this.sid = sid;
    this.open = open;
  }

  url() {
    return `${this.fx.url}${this.fx.path}?${eioQuery({ EIO: "4", transport: "polling", sid: this.sid })}`;
  }

  /** Handshake over polling; returns the session (with `open` = parsed open packet). */
  static async open(fx, { ms = 5_000 } = {}) {
    const res = await request(`${fx.url}${fx.path}?EIO=4&transport=polling`, { ms });
    if (res.status !== 200) throw new Error(`polling handshake failed: ${res.status} ${res.text}`);
    const [first] = decodePayload(res.text);
    if (!first || first[0] !== "0") throw new Error(`expected an open packet, got ${JSON.stringify(res.text)}`);
    const open = JSON.parse(first.slice(1));
    const session = new PollingSession(fx, open.sid, open);
    session.handshake = res;
    return session;
  }

  /** One GET; returns {status, text, packets}. */
  async get({ ms = 5_000 } = {}) {
    const res = await request(this.url(), { ms });
    return { ...res, packets: res.status === 200 ? decodePayload(res.text) : [] };
  }

  /** One POST of already-encoded packets; returns {status, text}. */
  async post(packets, { ms = 5_000, headers } = {}) {
    const body = Array.isArray(packets) ? packets.join(RS) : packets;
    return request(this.url(), { method: "POST", body, ms, headers });
  }

  /**
   * GETs repeatedly, answering server pings with a pong, until `count` non-ping packets have
   * arrived (or a close packet). Returns the non-ping packets in order.
   */
  async collect(count, { ms = 5_000, answerPings = true } = {}) {
    const deadline = Date.now() + ms;
    const got = [];
    while (got.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out collecting ${count} packets, got ${JSON.stringify(got)}`);
      const res = await this.get({ ms: left });
      if (res.status !== 200) throw new Error(`GET failed with ${res.status}: ${res.text}; got so far ${JSON.stringify(got)}`);
      for (const p of res.packets) {
        if (p === "2") {
          if (answerPings) {
            const pong = await this.post("3", { ms: Math.max(deadline - Date.now(), 100) });
            if (pong.status !== 200) throw new Error(`pong POST failed with ${pong.status}`);
          }
        } else {
          got.push(p);
          if (p === "1") return got;
        }
      }
    }
    return got;
  }
}

// ---------------------------------------------------------------------------------------------
// Raw WebSocket (ws) with a message queue

export class RawWs {
  /**
   * @param {string} url
   * @param {{autoPong?: boolean, ms?: number, wsOptions?: object}} opts
   *   autoPong: answer Engine.IO pings ("2") with pongs ("3") and hide them from the queue.
   */
  constructor(url, { autoPong = true, wsOptions = {} } = {}) {
    this.autoPong = autoPong;
    this.messages = [];
    this.waiters = [];
    this.closeInfo = null;
    this.errors = [];
    this.ws = new WebSocket(url, { perMessageDeflate: false, ...wsOptions });
    this.ws.on("error", (err) => this.errors.push(err));
    this.ws.on("message", (data, isBinary) => {
      const msg = isBinary ? { binary: true, data: Buffer.from(data) } : { binary: false, data: data.toString("utf8") };
      if (!msg.binary && msg.data === "2" && this.autoPong) {
        if (this.ws.readyState === WebSocket.OPEN) this.ws.send("3");
        return;
      }
      this.messages.push(msg);
      this.#wake();
    });
    this.closed = new Promise((resolve) => {
      this.ws.on("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
        this.#wake();
      });
    });
  }

  #wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  static async connect(url, opts = {}) {
    const raw = new RawWs(url, opts);
    const ms = opts.ms ?? 5_000;
    await within(
      ms,
      new Promise((resolve, reject) => {
        raw.ws.once("open", resolve);
        raw.ws.once("unexpected-response", (req, res) => reject(Object.assign(new Error(`unexpected response ${res.statusCode}`), { statusCode: res.statusCode })));
        raw.ws.once("close", () => reject(new Error("closed before open")));
      }),
      `WebSocket open ${url}`,
    );
    return raw;
  }

  get isOpen() {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(data, options) {
    this.ws.send(data, options);
  }

  /** Next queued message ({binary, data}); rejects on timeout or if the socket closes first. */
  async next(ms = 5_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.messages.length) return this.messages.shift();
      if (this.closeInfo) throw new Error(`socket closed (code ${this.closeInfo.code}) while waiting for a message`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for a message`);
      await within(left, new Promise((resolve) => this.waiters.push(resolve)), "a WebSocket message").catch(() => {});
    }
  }

  /** Next text message (string); fails if a binary one comes first. */
  async nextText(ms = 5_000) {
    const m = await this.next(ms);
    if (m.binary) throw new Error(`expected a text message, got binary ${m.data.toString("hex")}`);
    return m.data;
  }

  /** Waits (bounded) for the server to close; resolves with {code, reason}. */
  waitClose(ms = 5_000) {
    return within(ms, this.closed, "the server to close the WebSocket");
  }

  /** Closes from our side (if still open) and forgets. */
  terminate() {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
  }
}

/** Opens a raw Engine.IO WebSocket session; returns {raw, open}. */
export async function openEngineWs(fx, { sid, autoPong = true, query = {} } = {}) {
  const q = { EIO: "4", transport: "websocket", ...(sid ? { sid } : {}), ...query };
  const raw = await RawWs.connect(`${fx.wsUrl}${fx.path}?${eioQuery(q)}`, { autoPong });
  if (sid) return { raw, open: null };
  const first = await raw.nextText();
  if (first[0] !== "0") throw new Error(`expected an open packet, got ${first}`);
  return { raw, open: JSON.parse(first.slice(1)) };
}

/**
 * Opens a raw Socket.IO connection over WebSocket and CONNECTs to "/" (or `nsp`):
 * waits for the CONNECT reply and the fixture's "auth" event. Returns the RawWs.
 */
export async function openSocketIoWs(fx, { nsp = "/", auth, autoPong = true } = {}) {
  const { raw } = await openEngineWs(fx, { autoPong });
  const prefix = nsp === "/" ? "" : `${nsp},`;
  raw.send(`40${prefix}${auth ? JSON.stringify(auth) : ""}`);
  const reply = await raw.nextText();
  if (!reply.startsWith(`40${prefix}{`)) throw new Error(`expected a CONNECT reply, got ${reply}`);
  const authEvent = await raw.nextText();
  if (!authEvent.startsWith(`42${prefix}["auth",`)) throw new Error(`expected the auth event, got ${authEvent}`);
  return raw;
}

// ---------------------------------------------------------------------------------------------
// The official socket.io-client

const clientDefaults = { reconnection: false, forceNew: true, timeout: 5_000 };

/**
 * Connects a socket.io-client socket (bounded); registers cleanup on the test context `t`.
 * `socket.authEvent` resolves with the payload of the fixture's "auth" event (bounded).
 */
export async function connectClient(t, fx, opts = {}, nsp = "/") {
  const { connectMs = 5_000, ...clientOpts } = opts;
  const socket = io(`${fx.url}${nsp === "/" ? "" : nsp}`, { ...clientDefaults, ...clientOpts, autoConnect: false });
  socket.authEvent = within(5_000, new Promise((resolve) => socket.once("auth", resolve)), 'the "auth" event');
  socket.authEvent.catch(() => {}); // observed only by the tests that care
  socket.on("disconnect", (reason, details) => {
    socket.disconnectReason = reason;
    socket.disconnectDetails = details;
  });
  t?.after?.(() => socket.disconnect());
  const connected = within(
    connectMs,
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", (err) =>
        reject(err.message ? err : new Error(`connect_error without a message (data ${JSON.stringify(err.data)}, type ${err.type ?? "?"})`)),
      );
    }),
    `socket.io-client connect ${JSON.stringify(clientOpts.transports ?? "default")}`,
  );
  socket.connect();
  await connected;
  return socket;
}

/** Creates a Manager (one Engine.IO connection) with defaults; registers cleanup on `t`. */
/**
 * An official client of `url` that records every event it receives (socket.events: [name,
 * ...args]) and does not reconnect by itself: a test says when it comes back (connectAgain).
 * Resolves once connected.
 */
export async function recordingClient(t, url, opts = {}) {
  const socket = io(url, { forceNew: true, reconnection: false, timeout: 5_000, autoConnect: false, ...opts });
  socket.events = [];
  socket.onAny((...args) => socket.events.push(args));
  t.after(() => socket.disconnect());
  await connectAgain(socket);
  return socket;
}

/** (Re)connects `socket`; resolves once connected, rejects with the connect_error (bounded). */
export function connectAgain(socket) {
  const done = within(
    5_000,
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    `connect ${socket.nsp} at ${socket.io.uri}`,
  );
  socket.connect();
  return done;
}

/**
 * Opens an Engine.IO WebSocket on `fx` and sends a Socket.IO CONNECT with `auth` (an object, or
 * raw JSON text); resolves with the CONNECT reply's data, the events that came before it (what a
 * recovered socket missed) and the RawWs.
 */
export async function rawRecoveringConnect(fx, auth) {
  const { raw } = await openEngineWs(fx);
  raw.send(`40${typeof auth === "string" ? auth : JSON.stringify(auth)}`);
  const before = [];
  for (;;) {
    const text = await raw.nextText();
    if (!text.startsWith("42")) {
      assert.match(text, /^40\{/, `a CONNECT reply, got ${text}`);
      return { raw, before, data: JSON.parse(text.slice(2)) };
    }
    before.push(JSON.parse(text.slice(2)));
  }
}

export function manager(t, fx, opts = {}) {
  const m = new Manager(fx.url, { ...clientDefaults, ...opts });
  t?.after?.(() => m.engine?.close());
  return m;
}

/** Emits "message" with args and resolves with the args of the next "message-back". */
export function echo(socket, args, ms = 5_000) {
  const back = within(
    ms,
    new Promise((resolve) => socket.once("message-back", (...got) => resolve(got))),
    "message-back",
  ).catch((err) => {
    const state = socket.connected ? "still connected" : `disconnected: ${socket.disconnectReason ?? "?"} ${socket.disconnectDetails?.description?.message ?? socket.disconnectDetails?.message ?? ""}`;
    throw new Error(`${err.message} (socket ${state})`);
  });
  socket.emit("message", ...args);
  return back;
}

/** Waits until the socket's engine transport is websocket (after an upgrade). */
export async function upgraded(socket, ms = 5_000) {
  const engine = socket.io.engine;
  if (engine.transport.name === "websocket") return;
  await within(ms, once(engine, "upgrade"), "the transport upgrade");
}

/** Resolves with the disconnect reason of a socket.io-client socket (bounded). */
export function disconnected(socket, ms = 5_000) {
  return within(
    ms,
    new Promise((resolve) => {
      socket.once("disconnect", (reason) => resolve(reason));
    }),
    "disconnect",
  );
}

let witnessCount = 0;
/**
 * The bad-input pattern: connects a well-behaved witness to `fx`, runs the attack, then checks
 * that the fixture is alive and the witness still completes a message -> message-back round trip.
 */
export async function withWitness(t, fx, attack, witnessOpts = { transports: ["websocket"] }) {
  const witness = await connectClient(t, fx, witnessOpts);
  assert.deepEqual(await echo(witness, ["before"]), ["before"]);
  await attack();
  const n = ++witnessCount;
  assert.ok(fx.alive(), `the fixture died:\n${fx.output()}`);
  assert.deepEqual(await echo(witness, ["after the attack", n, { ok: true }]), ["after the attack", n, { ok: true }]);
  assert.ok(witness.connected);
}
