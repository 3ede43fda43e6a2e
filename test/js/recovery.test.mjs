// Connection state recovery (socket.io >= 4.6) with the official client, against
// chorus-api-fixture --recovery-window: a client whose transport dies and comes back within the
// window is the same socket (sid, rooms, data) and gets every stored packet it missed, once and in
// order, before its CONNECT; after the window, for a reason socket.io does not recover from, or
// with a pid or offset that is not its own, it is a fresh socket and gets nothing of anyone else.
// With CHORUS_FIXTURE_ARGS="--threads 4" the clients come back on other shards too.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFixture, fixtureThreads } from "./lib/fixture.mjs";
import {
  connectAgain,
  eventually,
  rawRecoveringConnect,
  recordingClient,
  request,
  sleep,
  waitEvent,
  within,
} from "./lib/util.mjs";

const WINDOW_MS = 1_500;

let fx;
before(async () => {
  fx = await startFixture(["--recovery-window", String(WINDOW_MS)], { binaryEnv: "CHORUS_API_FIXTURE" });
});
after(async () => {
  await fx?.stop();
});

const transports = [
  { name: "websocket", opts: { transports: ["websocket"] } },
  { name: "polling", opts: { transports: ["polling"] } },
];

/** A recording client (lib/util.mjs) of `nsp` on `fixture`. */
const client = (t, opts = {}, nsp = "/", fixture = fx) =>
  recordingClient(t, `${fixture.url}${nsp === "/" ? "" : nsp}`, opts);
const connect = connectAgain;

/** Emits with an ack and resolves with the ack's arguments (bounded). */
const call = (socket, ...args) => within(5_000, socket.emitWithAck(...args), `ack of ${args[0]}`);

/**
 * Kills the client's connection as a network failure would (a TCP reset under WebSocket; for
 * polling, whose requests come and go, the engine closes) and waits until the server's
 * disconnect handler ran for it and the session was kept (the server keeps it just after the
 * handler, so the handler's log line alone may come before it).
 */
async function dropConnection(socket, fixture = fx) {
  const id = socket.id;
  const from = fixture.lines().length;
  const saved = await sessionsSaved(fixture);
  const engine = socket.io.engine;
  if (engine.transport.name === "websocket") engine.transport.ws._socket.resetAndDestroy();
  else engine.close();
  await fixture.waitForLine((line) => line.startsWith(`disconnect ${socket.nsp} ${id} `), 5_000, "the server's disconnect", from);
  await eventually(() => !socket.connected, 5_000, "the client to see the disconnect");
  await eventually(async () => (await sessionsSaved(fixture)) > saved, 5_000, "the session to be kept");
}

/** The fixture's count of sessions kept for recovery, read from /metrics. */
async function sessionsSaved(fixture) {
  const res = await request(`${fixture.url}/metrics`);
  const match = /^chorus_recovery_sessions_saved_total (\d+)$/m.exec(res.text);
  assert.ok(match, "/metrics has chorus_recovery_sessions_saved_total");
  return Number(match[1]);
}

/** The events a client received from index `from` on, without the offsets (each one's last arg). */
const withoutOffsets = (events) => events.map((e) => e.slice(0, -1));
const offsetOf = (event) => event[event.length - 1];

for (const { name, opts } of transports) {
  describe(`recovery over ${name}`, () => {
    it("a client back within the window is the same socket and gets what it missed, in order", async (t) => {
      const a = await client(t, opts);
      const b = await client(t, opts);
      await call(a, "join", "r1");
      await call(a, "set-data", { user: "alice" });
      await eventually(() => a.events.some((e) => e[0] === "hello"), 5_000, "hello");
      const sid = a.id;
      // Stored packets carry their offset: a string after the handler's arguments.
      assert.equal(typeof offsetOf(a.events.at(-1)), "string");
      await call(a, "emit-later", 300, "direct", "d1");
      await dropConnection(a);
      const seen = a.events.length;
      await call(b, "to-room", "r1", "m1");
      await call(b, "broadcast", "m2");
      await call(b, "volatile-room", "r1", "v1"); // volatile: never stored
      await call(b, "to-room", "elsewhere", "x1"); // not a room of a's
      await call(b, "broadcast-with-ack", 200, ["r1"], "with-ack", "w1"); // acks: never stored
      await sleep(400); // the direct emit happens while a is away
      await call(b, "to-room", "r1", "m3");
      await connect(a);
      assert.equal(a.recovered, true);
      assert.equal(a.id, sid);
      // The connection handler runs for a recovered socket too (as socket.io's "connection"):
      // its hello comes after the CONNECT, so after everything missed.
      await eventually(() => a.events.length > seen + 4, 5_000, "the hello after recovery");
      assert.deepEqual(withoutOffsets(a.events.slice(seen)), [
        ["room-event", "r1", "m1"],
        ["broadcast-event", "m2"],
        ["direct", "d1"],
        ["room-event", "r1", "m3"],
        ["hello", { id: sid }],
      ]);
      // Offsets only grow.
      const offsets = a.events.slice(seen).map(offsetOf);
      assert.deepEqual([...offsets].sort((x, y) => Number(x) - Number(y)), offsets);
      // Rooms and data came back.
      assert.deepEqual((await call(a, "rooms")).sort(), ["r1", sid].sort());
      assert.deepEqual(await call(a, "get-data"), { user: "alice" });
      const live = a.events.length;
      await call(b, "to-room", "r1", "m4");
      await eventually(() => a.events.length > live, 5_000, "a live room event");
      assert.deepEqual(withoutOffsets(a.events.slice(live)), [["room-event", "r1", "m4"]]);
    });

    it("after the window the client comes back as a new socket, given nothing", async (t) => {
      const a = await client(t, opts);
      const b = await client(t, opts);
      await call(a, "join", "late");
      await eventually(() => a.events.length > 0, 5_000, "hello");
      const sid = a.id;
      await dropConnection(a);
      await call(b, "to-room", "late", "gone");
      await sleep(WINDOW_MS + 300);
      const seen = a.events.length;
      await connect(a);
      assert.equal(a.recovered, false);
      assert.notEqual(a.id, sid);
      await eventually(() => a.events.length > seen, 5_000, "hello");
      assert.deepEqual(a.events.slice(seen).map((e) => e[0]), ["hello"]);
      assert.deepEqual(await call(a, "rooms"), [a.id]);
    });
  });
}

describe("recovery: what is and is not stored", () => {
  it("a server emit with an ack carries no offset and is not replayed", async (t) => {
    const a = await client(t, { transports: ["websocket"] });
    const question = waitEvent(a, "question");
    a.once("question", (...args) => args.at(-1)(true));
    a.emit("ask", 1000, "q1");
    const args = await question;
    assert.equal(args.length, 2); // "q1" and the ack callback: no offset between them
    assert.equal(args[0], "q1");
  });

  it("a client that left on purpose is not recovered", async (t) => {
    const a = await client(t, { transports: ["websocket"] });
    await eventually(() => a.events.length > 0, 5_000, "hello");
    const sid = a.id;
    a.disconnect(); // client namespace disconnect: socket.io keeps no session for it
    await connect(a);
    assert.equal(a.recovered, false);
    assert.notEqual(a.id, sid);
  });

  it("a server-side disconnect is not recovered", async (t) => {
    const a = await client(t, { transports: ["websocket"] });
    await eventually(() => a.events.length > 0, 5_000, "hello");
    const sid = a.id;
    const gone = waitEvent(a, "disconnect");
    a.emit("kick");
    assert.equal((await gone)[0], "io server disconnect");
    await connect(a);
    assert.equal(a.recovered, false);
    assert.notEqual(a.id, sid);
  });
});

describe("recovery: bad or borrowed pids and offsets", () => {
  const rawConnect = (auth) => rawRecoveringConnect(fx, auth);

  it("a malformed, unknown or mistyped pid or offset gets a fresh socket, never an error", async (t) => {
    const a = await client(t, { transports: ["websocket"] });
    await eventually(() => a.events.length > 0, 5_000, "hello");
    const pid = a._pid;
    const offset = offsetOf(a.events.at(-1));
    await dropConnection(a);
    for (const auth of [
      { pid: "AAAAAAAAAAAAAAAAAAAA", offset }, // a guessed pid
      { pid: pid.slice(0, -1) + (pid.endsWith("A") ? "B" : "A"), offset }, // an altered one
      { pid, offset: "not-an-offset" },
      { pid, offset: "0" },
      { pid, offset: "18446744073709551616" },
      { pid, offset: 1 },
      { pid: 42, offset },
      { pid: { $ne: null }, offset },
      { pid: "x".repeat(10_000), offset },
    ]) {
      const { raw, data } = await rawConnect(auth);
      assert.equal(typeof data.sid, "string");
      assert.equal(typeof data.pid, "string");
      assert.notEqual(data.pid, pid, `auth ${JSON.stringify(auth).slice(0, 80)}`);
      assert.notEqual(data.sid, a.id);
      raw.terminate();
    }
  });

  it("a pid comes back once: a second use of it gets a fresh socket", async (t) => {
    const a = await client(t, { transports: ["websocket"] });
    await eventually(() => a.events.length > 0, 5_000, "hello");
    const pid = a._pid;
    const offset = offsetOf(a.events.at(-1));
    await dropConnection(a);
    const first = await rawConnect({ pid, offset });
    assert.equal(first.data.pid, pid);
    const second = await rawConnect({ pid, offset });
    assert.notEqual(second.data.pid, pid);
    first.raw.terminate();
    second.raw.terminate();
  });

  it("a valid pid with another socket's offset recovers nothing that is not its own", async (t) => {
    const c = await client(t, { transports: ["websocket"] });
    const d = await client(t, { transports: ["websocket"] });
    const b = await client(t, { transports: ["websocket"] });
    await call(c, "join", "c-room");
    await call(d, "join", "d-room");
    await eventually(() => c.events.length > 0 && d.events.length > 0, 5_000, "hello");
    const dOffset = offsetOf(d.events.at(-1)); // d's own hello, which c never saw
    const sid = c.id;
    await dropConnection(c);
    await call(b, "to-room", "d-room", "for-d");
    await call(b, "to-room", "c-room", "for-c");
    const { raw, before, data } = await rawConnect({ pid: c._pid, offset: dOffset });
    assert.equal(data.sid, sid); // c's session: its pid
    assert.deepEqual(
      before.map((e) => e.slice(0, -1)),
      [["room-event", "c-room", "for-c"]],
      "only what c's rooms were sent after that offset",
    );
    raw.terminate();
  });
});

describe("recovery: middlewares run again", () => {
  it("a token refused since is not let back in through the pid", async (t) => {
    let token = "secret";
    const a = await client(t, { transports: ["websocket"], auth: (cb) => cb({ token }) }, "/private");
    await eventually(() => a.events.length > 0, 5_000, "hello");
    await dropConnection(a);
    token = "revoked";
    await assert.rejects(connect(a), /Not authorized/);
  });

  it("with --recovery-skip-middlewares the pid is enough", async (t) => {
    const skipping = await startFixture(["--recovery-window", String(WINDOW_MS), "--recovery-skip-middlewares"], {
      binaryEnv: "CHORUS_API_FIXTURE",
    });
    t.after(() => skipping.stop());
    let token = "secret";
    const a = await client(t, { transports: ["websocket"], auth: (cb) => cb({ token }) }, "/private", skipping);
    await eventually(() => a.events.length > 0, 5_000, "hello");
    const sid = a.id;
    await dropConnection(a, skipping);
    token = "revoked";
    await connect(a);
    assert.equal(a.recovered, true);
    assert.equal(a.id, sid);
  });
});

describe("recovery across shards", () => {
  it("clients that come back on another shard are recovered", { skip: fixtureThreads < 2 && "one shard" }, async (t) => {
    const b = await client(t, { transports: ["websocket"] });
    const clients = [];
    for (let i = 0; i < 8; ++i) {
      const c = await client(t, { transports: ["websocket"] });
      await call(c, "join", "shards");
      clients.push(c);
    }
    const shardOf = (c) => fx.lines().findLast((l) => l.startsWith("shard ") && l.endsWith(` / ${c.id}`));
    const before = clients.map(shardOf);
    for (const c of clients) await dropConnection(c);
    const seen = clients.map((c) => c.events.length);
    await call(b, "to-room", "shards", "while-away");
    const from = fx.lines().length;
    for (const c of clients) await connect(c);
    let moved = 0;
    for (const [i, c] of clients.entries()) {
      assert.equal(c.recovered, true);
      await eventually(() => c.events.length >= seen[i] + 2, 5_000, "the hello after recovery");
      assert.deepEqual(withoutOffsets(c.events.slice(seen[i])), [
        ["room-event", "shards", "while-away"],
        ["hello", { id: c.id }],
      ]);
    }
    for (const [i, c] of clients.entries()) {
      const engineShard = c.io.engine.id; // the Engine.IO sid names its shard in 2 characters
      const index = (ch) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(ch);
      const now = `shard ${(index(engineShard[0]) << 6) | index(engineShard[1])} / ${c.id}`;
      if (before[i] && now !== before[i]) ++moved;
    }
    assert.ok(moved > 0, `no client of 8 came back on another shard (${from})`);
  });
});
