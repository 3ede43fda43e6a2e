// /healthz, /readyz and /metrics against chorus-api-fixture (CHORUS_API_FIXTURE): the endpoints'
// statuses and methods, then every metric checked exactly after a known workload — WebSocket and
// polling clients, rooms, events, broadcasts and one disconnect of each kind a client can cause —
// and the whole body parsed line by line against the Prometheus text format 0.0.4. Last, /readyz
// turns 503 once SIGTERM starts the drain. With CHORUS_FIXTURE_ARGS="--threads 4", on 4 shards.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { io } from "socket.io-client";
import { startFixture } from "./lib/fixture.mjs";
import { rawRequest } from "./lib/raw-http.mjs";
import { eventually, openEngineWs, within } from "./lib/util.mjs";

const clientDefaults = { reconnection: false, forceNew: true, timeout: 5_000 };
// A heartbeat slow enough that a loaded machine never times out a well-behaved client, quick
// enough that the client that never pongs is dropped within seconds.
const fixtureArgs = ["--ping-interval", "1000", "--ping-timeout", "2000"];

const start = () => startFixture(fixtureArgs, { binaryEnv: "CHORUS_API_FIXTURE" });

/** Connects a socket.io-client socket and waits for the fixture's "hello" (bounded). */
async function connect(t, fx, opts = {}, nsp = "/") {
  const socket = io(`${fx.url}${nsp === "/" ? "" : nsp}`, { ...clientDefaults, ...opts, autoConnect: false });
  socket.on("disconnect", (reason) => (socket.disconnectReason = reason));
  const hello = within(5_000, new Promise((resolve) => socket.once("hello", resolve)), '"hello"');
  const connected = within(
    5_000,
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    `connect ${nsp}`,
  );
  socket.connect();
  await connected;
  await hello;
  t.after(() => socket.disconnect());
  return socket;
}

/** A raw Socket.IO connection to "/" over WebSocket (the fixture answers CONNECT, then "hello"). */
async function rawSocketIo(fx, { autoPong = true } = {}) {
  const { raw } = await openEngineWs(fx, { autoPong });
  raw.send("40");
  const reply = await raw.nextText();
  assert.match(reply, /^40\{"sid":/);
  assert.match(await raw.nextText(), /^42\["hello"/);
  return raw;
}

/** Resolves with the first argument of the next `event` on `socket` (bounded). */
const next = (socket, event) => within(5_000, new Promise((resolve) => socket.once(event, resolve)), `"${event}"`);

// --- The exposition format -------------------------------------------------------------------

const NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const LABELS = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE}(?:,[a-zA-Z_][a-zA-Z0-9_]*=${LABEL_VALUE})*)?\\}`;
const VALUE = "(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]Inf|NaN)";
const SAMPLE = new RegExp(`^(${NAME})(${LABELS})? (${VALUE})$`);
const HELP = new RegExp(`^# HELP (${NAME}) (?:[^\\\\\\n]|\\\\[\\\\n])*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

function parseLabels(text) {
  const labels = {};
  if (!text) return labels;
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
  for (const m of text.matchAll(re)) labels[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
  return labels;
}

/**
 * Parses a whole body, failing on any line the grammar does not allow, on a sample before its
 * family's TYPE, on a family declared twice, and on histograms whose buckets are not cumulative
 * or whose +Inf bucket differs from _count. Returns {types, samples: [{name, labels, value}]}.
 */
function parseExposition(body) {
  assert.ok(body.endsWith("\n"), "the body ends with a newline");
  const types = new Map();
  const helps = new Set();
  const samples = [];
  for (const line of body.slice(0, -1).split("\n")) {
    let m;
    if ((m = HELP.exec(line))) {
      assert.ok(!helps.has(m[1]), `HELP twice for ${m[1]}`);
      helps.add(m[1]);
    } else if ((m = TYPE.exec(line))) {
      assert.ok(!types.has(m[1]), `TYPE twice for ${m[1]}`);
      types.set(m[1], m[2]);
    } else if ((m = SAMPLE.exec(line))) {
      const [, name, labelText, valueText] = m;
      const family = [name, name.replace(/_(bucket|sum|count)$/, "")].find((n) => types.has(n));
      assert.ok(family, `sample ${name} before its family's TYPE: ${line}`);
      if (family !== name) assert.equal(types.get(family), "histogram", line);
      const value = valueText === "+Inf" ? Infinity : valueText === "-Inf" ? -Infinity : Number(valueText);
      samples.push({ name, family, labels: parseLabels(labelText), value });
    } else {
      assert.fail(`not a line of the text format: ${JSON.stringify(line)}`);
    }
  }
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const buckets = samples.filter((s) => s.name === `${family}_bucket`);
    let previous = 0;
    for (const b of buckets) {
      assert.ok(b.value >= previous, `${family} buckets are cumulative`);
      previous = b.value;
    }
    assert.equal(buckets.at(-1)?.labels.le, "+Inf", `${family} ends with le="+Inf"`);
    const count = samples.find((s) => s.name === `${family}_count`);
    assert.equal(buckets.at(-1).value, count.value, `${family}: +Inf bucket == _count`);
    assert.ok(samples.some((s) => s.name === `${family}_sum`), `${family}_sum`);
  }
  return { types, samples };
}

async function scrape(fx) {
  const res = await rawRequest(fx.port, "GET", "/metrics");
  assert.equal(res.status, 200);
  assert.equal(res.headers["content-type"], "text/plain; version=0.0.4; charset=utf-8");
  return parseExposition(res.body.toString("utf8"));
}

/** The value of one sample (labels must match exactly those given), or undefined. */
function value(parsed, name, labels = {}) {
  const keys = Object.keys(labels);
  const found = parsed.samples.filter(
    (s) => s.name === name && Object.keys(s.labels).length === keys.length && keys.every((k) => s.labels[k] === labels[k]),
  );
  assert.ok(found.length <= 1, `${name} ${JSON.stringify(labels)} appears once`);
  return found[0]?.value;
}

/** The sum of every sample of `name` whose labels include `labels`. */
function total(parsed, name, labels = {}) {
  return parsed.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

// --- Tests -----------------------------------------------------------------------------------

describe("health and readiness endpoints", () => {
  it("answer GET and HEAD, refuse other methods with 405, and leave the server serving", async (t) => {
    const fx = await start();
    t.after(() => fx.stop());
    const witness = await connect(t, fx, { transports: ["websocket"] });

    const health = await rawRequest(fx.port, "GET", "/healthz");
    assert.equal(health.status, 200);
    assert.equal(health.body.toString(), "ok");
    assert.equal(health.headers["cache-control"], "no-store");
    const ready = await rawRequest(fx.port, "GET", "/readyz?probe=1");
    assert.equal(ready.status, 200);
    assert.equal(ready.body.toString(), "ready");

    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      const get = await rawRequest(fx.port, "GET", path);
      const head = await rawRequest(fx.port, "HEAD", path);
      assert.equal(head.status, 200, `HEAD ${path}`);
      assert.equal(head.body.length, 0, `HEAD ${path} has no body`);
      assert.equal(head.headers["content-type"], get.headers["content-type"], `HEAD ${path}`);
      // /metrics may have moved between the two requests; the others are fixed.
      if (path !== "/metrics") assert.equal(head.headers["content-length"], String(get.body.length));
      for (const method of ["POST", "PUT", "DELETE"]) {
        const refused = await rawRequest(fx.port, method, path, {}, { body: "x" });
        assert.equal(refused.status, 405, `${method} ${path}`);
        assert.equal(refused.headers.allow, "GET, HEAD");
        assert.equal(refused.body.toString(), "Method Not Allowed");
      }
    }
    // A path next to them is not theirs: the application's handler (404 in the fixture).
    assert.equal((await rawRequest(fx.port, "GET", "/metricsx")).status, 404);

    // The witness still round-trips.
    const back = next(witness, "room-event");
    assert.deepEqual(await witness.timeout(5_000).emitWithAck("join", "w"), ["w", witness.id].sort());
    witness.emit("room-all", "w", "after");
    assert.equal(await back, "w");
  });

  it("/readyz answers 503 once SIGTERM starts the drain", async (t) => {
    const fx = await start();
    t.after(() => fx.stop());
    // One kept-alive connection: after SIGTERM the listener closes, this connection stays.
    const conn = new KeepAlive(fx.port);
    t.after(() => conn.close());
    assert.equal((await conn.get("/readyz")).status, 200);
    process.kill(fx.pid, "SIGTERM");
    // Asked again until the answer changes (or the server ends the connection: a failure).
    const res = await eventually(
      async () => {
        const r = await conn.get("/readyz");
        return r.status === 503 ? r : null;
      },
      5_000,
      "/readyz to answer 503",
      10,
    );
    assert.equal(res.body, "draining");
  });
});

/** Requests one after another on one kept-alive connection; bodies are small, lengths declared. */
class KeepAlive {
  constructor(port) {
    this.socket = net.connect({ port, host: "127.0.0.1" });
    this.socket.on("error", () => {});
    this.data = Buffer.alloc(0);
    this.wake = null;
    this.ended = false;
    this.socket.on("data", (chunk) => {
      this.data = Buffer.concat([this.data, chunk]);
      this.wake?.();
    });
    this.socket.on("close", () => {
      this.ended = true;
      this.wake?.();
    });
  }
  async get(path) {
    this.socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
    return within(
      5_000,
      (async () => {
        for (;;) {
          const end = this.data.indexOf("\r\n\r\n");
          if (end >= 0) {
            const head = this.data.subarray(0, end).toString("latin1");
            const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
            if (this.data.length >= end + 4 + length) {
              const body = this.data.subarray(end + 4, end + 4 + length).toString();
              this.data = this.data.subarray(end + 4 + length);
              return { status: Number(head.split(" ")[1]), body };
            }
          }
          if (this.ended) throw new Error(`the server closed the connection before answering GET ${path}`);
          await new Promise((resolve) => (this.wake = resolve));
        }
      })(),
      `GET ${path}`,
    );
  }
  close() {
    this.socket.destroy();
  }
}

describe("/metrics after a known workload", () => {
  it("counts connections, events, deliveries and disconnects by reason exactly", async (t) => {
    const fx = await start();
    t.after(() => fx.stop());
    const initial = await scrape(fx);
    const shards = value(initial, "chorus_shards");
    assert.ok(shards >= 1);
    // Every family is there before anything happened, at zero.
    assert.equal(total(initial, "chorus_connections_open"), 0);
    assert.equal(value(initial, "chorus_socketio_events_received_total"), 0);
    assert.equal(value(initial, "chorus_socketio_disconnects_total", { reason: "ping timeout" }), 0);
    assert.equal(value(initial, "chorus_event_handler_duration_seconds_count"), 0);

    // 3 WebSocket and 2 polling clients in "/", each in room "r"; one WebSocket client in "/other".
    const auth = { join: ["r"] };
    const ws = [];
    for (let i = 0; i < 3; ++i) ws.push(await connect(t, fx, { transports: ["websocket"], auth }));
    const polling = [];
    for (let i = 0; i < 2; ++i) polling.push(await connect(t, fx, { transports: ["polling"], auth }));
    await connect(t, fx, { transports: ["websocket"] }, "/other");
    const everyone = [...ws, ...polling];

    // Events: a broadcast to the room (sender included: 5 deliveries), a broadcast to the
    // namespace but the sender (4), a join (room "r2").
    let received = everyone.map((s) => next(s, "room-event"));
    ws[0].emit("room-all", "r", 1);
    assert.deepEqual(await Promise.all(received), everyone.map(() => "r"));
    received = everyone.filter((s) => s !== polling[0]).map((s) => next(s, "broadcast-event"));
    polling[0].emit("broadcast", 2);
    assert.deepEqual(await Promise.all(received), [2, 2, 2, 2]);
    assert.deepEqual(await ws[1].timeout(5_000).emitWithAck("join", "r2"), ["r", "r2", ws[1].id].sort());
    let events = 3;

    // One disconnect of each kind a client can cause. The fixture prints each socket's reason.
    const printed = (id, reason) => fx.waitForLine((l) => l === `disconnect / ${id} ${reason}`, 10_000, `${reason} of ${id}`);
    const kicked = await connect(t, fx, { transports: ["websocket"] });
    let line = printed(kicked.id, "server namespace disconnect");
    kicked.emit("kick");
    await line;
    const closedHard = await connect(t, fx, { transports: ["websocket"] });
    line = printed(closedHard.id, "server namespace disconnect");
    closedHard.emit("kick-close");
    await line;
    events += 2;
    const leaving = await connect(t, fx, { transports: ["websocket"] });
    line = printed(leaving.id, "client namespace disconnect");
    leaving.disconnect();
    await line;

    // Raw clients: a WebSocket close frame (transport close), no pongs (ping timeout), a packet
    // that does not parse (parse error), an unmasked client frame (transport error).
    const closer = await rawSocketIo(fx);
    const silent = await rawSocketIo(fx, { autoPong: false });
    const garbler = await rawSocketIo(fx);
    const unmasked = await rawSocketIo(fx);
    closer.ws.close(1000);
    garbler.send("4Z");
    unmasked.ws._socket.write(Buffer.from([0x81, 0x01, 0x41])); // FIN text "A", no mask
    const reasons = ["transport close", "ping timeout", "parse error", "transport error"];
    for (const reason of reasons)
      await fx.waitForLine((l) => l.startsWith("disconnect / ") && l.endsWith(` ${reason}`), 10_000, reason);
    for (const raw of [closer, silent, garbler, unmasked]) raw.terminate();

    const expectedSocket = {
      "transport close": 1,
      "transport error": 1,
      "ping timeout": 1,
      "parse error": 1,
      "forced close": 0,
      "server shutting down": 0,
      "client namespace disconnect": 1,
      "server namespace disconnect": 2,
      "write queue full": 0,
    };
    // Engine.IO sessions: kicked and leaving close their connection themselves once no namespace
    // is left (transport close), kick-close is the server's (forced close).
    const expectedSession = {
      "transport close": 3,
      "transport error": 1,
      "ping timeout": 1,
      "parse error": 1,
      "forced close": 1,
      "server shutting down": 0,
      "write queue full": 0,
    };
    // Sessions close on the server's own schedule (a client's close reaches it when it does):
    // scrape until every one is counted, then check everything on that one body.
    const m = await eventually(
      async () => {
        const s = await scrape(fx);
        const done = Object.entries(expectedSession).every(
          ([reason, n]) => value(s, "chorus_engineio_disconnects_total", { reason }) === n,
        );
        return done ? s : null;
      },
      10_000,
      "every Engine.IO session close to be counted",
    ).catch(async (err) => {
      const s = await scrape(fx);
      const got = Object.fromEntries(Object.keys(expectedSession).map((r) => [r, value(s, "chorus_engineio_disconnects_total", { reason: r })]));
      throw new Error(`${err.message}: got ${JSON.stringify(got)}`);
    });

    for (const [reason, n] of Object.entries(expectedSocket))
      assert.equal(value(m, "chorus_socketio_disconnects_total", { reason }), n, `socket disconnects: ${reason}`);
    assert.equal(m.samples.filter((s) => s.name === "chorus_socketio_disconnects_total").length, 9, "one line per reason");

    // 3 + 1 + 3 socket.io-client WebSocket sessions and 4 raw ones; 2 polling.
    assert.equal(value(m, "chorus_connections_accepted_total", { transport: "websocket" }), 11);
    assert.equal(value(m, "chorus_connections_accepted_total", { transport: "polling" }), 2);
    assert.equal(total(m, "chorus_connections_open", { transport: "websocket" }), 4);
    assert.equal(total(m, "chorus_connections_open", { transport: "polling" }), 2);
    assert.equal(m.samples.filter((s) => s.name === "chorus_connections_open").length, 2 * shards, "per transport and shard");
    for (let i = 0; i < shards; ++i)
      assert.notEqual(value(m, "chorus_connections_open", { transport: "polling", shard: String(i) }), undefined);
    assert.ok(value(m, "chorus_tcp_connections_accepted_total") >= 13);

    assert.equal(value(m, "chorus_socketio_namespaces"), 2);
    assert.equal(value(m, "chorus_socketio_sockets", { namespace: "/" }), 5);
    assert.equal(value(m, "chorus_socketio_sockets", { namespace: "/other" }), 1);
    assert.equal(value(m, "chorus_socketio_rooms", { namespace: "/" }), 2);
    assert.equal(value(m, "chorus_socketio_rooms", { namespace: "/other" }), 0);

    assert.equal(value(m, "chorus_socketio_events_received_total"), events);
    assert.equal(value(m, "chorus_event_handler_duration_seconds_count"), events);
    assert.equal(value(m, "chorus_broadcast_deliveries_total"), 5 + 4);
    assert.equal(value(m, "chorus_broadcast_passes_total"), 2 * shards);
    // The shard that issues a broadcast delivers it at once; every other one through its inbox.
    assert.equal(value(m, "chorus_fanout_inbox_latency_seconds_count"), 2 * (shards - 1));
    assert.equal(value(m, "chorus_volatile_dropped_total"), 0);
    assert.equal(value(m, "chorus_queue_over_bound_total"), 0);
    assert.ok(value(m, "chorus_engineio_packets_sent_total") >= 9 + 13, "at least the deliveries and opens");
    assert.ok(value(m, "chorus_engineio_packets_received_total") >= events, "at least the events");
    assert.ok(value(m, "chorus_transport_received_bytes_total") > 0);
    assert.ok(value(m, "chorus_transport_sent_bytes_total") > 0);
    assert.equal(m.types.get("chorus_event_handler_duration_seconds"), "histogram");
    assert.equal(m.types.get("chorus_broadcast_deliveries_total"), "counter");
    assert.equal(m.types.get("chorus_connections_open"), "gauge");
  });

  it("times one write pass per broadcast on each shard it reaches over WebSocket", async (t) => {
    // Heartbeats far apart: a ping is a write pass of its own, and one pending when a broadcast
    // reaches a shard with polling recipients only would carry the timing there.
    const fx = await startFixture(["--ping-interval", "60000", "--ping-timeout", "60000"], {
      binaryEnv: "CHORUS_API_FIXTURE",
    });
    t.after(() => fx.stop());
    const auth = { join: ["r"] };
    const ws = [];
    for (let i = 0; i < 4; ++i) ws.push(await connect(t, fx, { transports: ["websocket"], auth }));
    const polling = [];
    for (let i = 0; i < 2; ++i) polling.push(await connect(t, fx, { transports: ["polling"], auth }));
    const everyone = [...ws, ...polling];
    const before = await scrape(fx);
    assert.equal(value(before, "chorus_fanout_write_latency_seconds_count"), 0, "hellos and joins are not broadcasts");

    // Two broadcasts, each reaching every WebSocket client: one from a WebSocket client, one
    // from a polling client (its shard may hold no WebSocket recipient).
    let received = everyone.map((s) => next(s, "room-event"));
    ws[0].emit("room-all", "r", 1);
    await Promise.all(received);
    received = everyone.filter((s) => s !== polling[0]).map((s) => next(s, "broadcast-event"));
    polling[0].emit("broadcast", 2);
    await Promise.all(received);

    const shards = value(before, "chorus_shards");
    let wsShards = 0;
    for (let i = 0; i < shards; ++i)
      if (value(before, "chorus_connections_open", { transport: "websocket", shard: String(i) }) > 0) ++wsShards;
    assert.ok(wsShards >= 1);
    // A pass records its timing after its sends, which may be after the clients read them.
    const m = await eventually(
      async () => {
        const s = await scrape(fx);
        return value(s, "chorus_fanout_write_latency_seconds_count") === 2 * wsShards ? s : null;
      },
      5_000,
      `two write-pass timings on each of ${wsShards} shards with WebSocket recipients`,
    ).catch(async (err) => {
      const got = value(await scrape(fx), "chorus_fanout_write_latency_seconds_count");
      throw new Error(`${err.message}: got ${got}`);
    });
    assert.ok(value(m, "chorus_fanout_write_latency_seconds_sum") > 0);
    assert.equal(m.types.get("chorus_fanout_write_latency_seconds"), "histogram");
  });

  it("counts a slow reader's overflow and the volatile packets dropped for it", async (t) => {
    const fx = await start();
    t.after(() => fx.stop());
    const sender = await connect(t, fx, { transports: ["websocket"] });
    // A raw client in room "slow" that stops reading: the kernel's buffers fill, then its queue.
    const slow = await rawSocketIo(fx);
    slow.send('42["join","slow"]');
    await eventually(
      async () => value(await scrape(fx), "chorus_socketio_rooms", { namespace: "/" }) === 1,
      5_000,
      "the slow client to join",
    );
    slow.ws._socket.pause();
    // Volatile first: dropped, not disconnecting. 200 × 100 kB is more than any socket buffer.
    const volatileDone = await sender
      .timeout(60_000)
      .emitWithAck("volatile-flood", "slow", 200, 100_000, 0)
      .catch((err) => assert.fail(`${err.message}; sender ${sender.disconnectReason}; fixture:\n${fx.output().slice(-2000)}`));
    assert.equal(volatileDone, 200);
    const afterVolatile = await scrape(fx);
    assert.ok(value(afterVolatile, "chorus_volatile_dropped_total") > 0, "some volatile packets dropped");
    assert.equal(value(afterVolatile, "chorus_queue_over_bound_total"), 0);
    const line = fx.waitForLine((l) => l.startsWith("disconnect / ") && l.endsWith(" write queue full"), 30_000, "write queue full");
    await sender.timeout(60_000).emitWithAck("flood", "slow", 200, 100_000, 0);
    await line;
    const m = await scrape(fx);
    assert.equal(value(m, "chorus_queue_over_bound_total"), 1);
    assert.equal(value(m, "chorus_socketio_disconnects_total", { reason: "write queue full" }), 1);
    assert.equal(value(m, "chorus_engineio_disconnects_total", { reason: "write queue full" }), 1);
    slow.terminate();
  });
});
