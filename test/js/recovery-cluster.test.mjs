// Connection state recovery across nodes, over Redis in @socket.io/redis-streams-adapter 0.3.1's
// protocol: a client whose connection dropped on one node comes back on another as the same
// socket (sid, rooms, data) and is sent what it missed, read back from the stream, once and in
// order, each packet ending with its stream entry ID. The session a node keeps for a dropped
// socket is the Redis key sio:session:<pid> = base64(msgpack({sid, pid, rooms, data})) for the
// window (PX), taken (GETDEL) by whichever node the client comes back on. Two topologies, each on
// its own redis-server started here on a free port:
//   A: two chorus nodes (chorus-api-fixture --redis-url --redis-mode streams --recovery-window)
//   B: a chorus node and a Node.js node (socket.io 4.8 + createAdapter from
//      @socket.io/redis-streams-adapter, connectionStateRecovery {maxDisconnectionDuration:
//      WINDOW_MS, skipMiddlewares: true}, with the chorus fixture's handlers these tests use);
//      the drop-and-come-back case runs both ways (chorus → Node and Node → chorus).
// CHORUS_RECOVERY_CLUSTER=reference replaces every chorus node by a Node.js node: the tests then
// check the reference itself (what only chorus is held to is skipped, saying why).
//
// Moving a client to another node: socket.io-client keeps the pid (socket._pid, from the CONNECT
// reply) and the last offset (socket._lastOffset, the last string argument of the last event
// received while a pid is known) on the Socket, and sends {pid, offset, ...auth} in its next
// CONNECT. Its Manager opens each new Engine.IO connection with `new Engine(manager.uri,
// manager.opts)` (engine.io-client takes host and port from that uri each time), so setting
// `socket.io.uri` to the other node's URL while disconnected, then `socket.connect()`, makes the
// same Socket reconnect there, pid and offset included (moveTo below).
//
// Run: cd test/js && CHORUS_API_FIXTURE=../../build/debug/bin/chorus-api-fixture \
//        node --test recovery-cluster.test.mjs          (ctest: js_recovery_cluster)
//      cd test/js && CHORUS_RECOVERY_CLUSTER=reference node --test recovery-cluster.test.mjs
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";

import { Server } from "socket.io";
import { io } from "socket.io-client";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { decode } from "@msgpack/msgpack";
import { createClient } from "redis";

import { envFixtureArgs, startFixture } from "./lib/fixture.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { connectAgain, eventually, openEngineWs, rawRecoveringConnect, recordingClient, request, sleep, within } from "./lib/util.mjs";

const WINDOW_MS = 3_000;
const STREAM = "socket.io";
const OFFSET = /^[0-9]+-[0-9]+$/;
const reference = process.env.CHORUS_RECOVERY_CLUSTER === "reference";
const threads = envFixtureArgs.includes("--threads") ? [] : ["--threads", "2"];

// ---------------------------------------------------------------------------------------------
// Nodes. Each one: {kind: "chorus" | "node", url, wsUrl, path, lines(), waitForLine(), stop()};
// the lines are the chorus fixture's ("connect <nsp> <sid> <auth>", "disconnect <nsp> <sid>
// <reason>"), which the Node.js node prints the same way into its own list.

async function startChorusNode(redisUrl) {
  const fx = await startFixture(
    [...threads, "--redis-url", redisUrl, "--redis-mode", "streams", "--recovery-window", String(WINDOW_MS)],
    { binaryEnv: "CHORUS_API_FIXTURE" },
  );
  return Object.assign(fx, { kind: "chorus" });
}

// The reference: socket.io with the streams adapter and connection state recovery, and the
// chorus fixture's handlers (test/fixture/api_fixture.cpp) that these tests use, with the same
// semantics: every handler acks once done.
async function startNodeNode(redisUrl) {
  const redis = createClient({ url: redisUrl });
  redis.on("error", () => {}); // reconnects by itself
  await redis.connect();
  const httpServer = createServer();
  const io = new Server(httpServer, {
    adapter: createStreamsAdapter(redis),
    connectionStateRecovery: { maxDisconnectionDuration: WINDOW_MS, skipMiddlewares: true },
  });
  const lines = [];
  let wakers = [];
  const print = (line) => {
    lines.push(line);
    const wake = wakers;
    wakers = [];
    for (const w of wake) w();
  };
  // (args..., ack?) → fn(args, ack): ack is a no-op when the client asked for none.
  const handle = (socket, event, fn) =>
    socket.on(event, (...args) => {
      const ack = typeof args.at(-1) === "function" ? args.pop() : () => {};
      fn(args, ack);
    });
  io.on("connection", (socket) => {
    print(`connect / ${socket.id} ${JSON.stringify(socket.handshake.auth)}`);
    socket.on("disconnect", (reason) => print(`disconnect / ${socket.id} ${reason}`));
    for (const room of socket.handshake.auth?.join ?? []) socket.join(room);
    socket.emit("hello", { id: socket.id });
    const rooms = () => [...socket.rooms].sort();
    handle(socket, "join", ([room], ack) => {
      socket.join(room);
      ack(rooms());
    });
    handle(socket, "leave", ([room], ack) => {
      socket.leave(room);
      ack(rooms());
    });
    handle(socket, "rooms", (_, ack) => ack(rooms()));
    handle(socket, "to-room", ([room, ...args], ack) => {
      socket.to(room).emit("room-event", room, ...args);
      ack();
    });
    handle(socket, "volatile-room", ([room, ...args], ack) => {
      io.to(room).volatile.emit("room-event", room, ...args);
      ack();
    });
    handle(socket, "broadcast", (args, ack) => {
      socket.broadcast.emit("broadcast-event", ...args);
      ack();
    });
    handle(socket, "broadcast-all", (args, ack) => {
      io.emit("broadcast-event", ...args);
      ack();
    });
    handle(socket, "emit-later", ([ms, event, ...args], ack) => {
      setTimeout(() => socket.emit(event, ...args), ms);
      ack();
    });
    handle(socket, "set-data", ([value], ack) => {
      socket.data = value;
      ack();
    });
    handle(socket, "get-data", (_, ack) => ack(socket.data));
    handle(socket, "broadcast-with-ack", ([ms, target, event, ...args], ack) => {
      io.timeout(ms)
        .to(target)
        .emit(event, ...args, (err, responses) => ack({ responses: responses ?? [], complete: !err }));
    });
    // Node only (the chorus fixture has no delayed `ask`): socket.emit with an ack callback,
    // `ms` later, to this socket whether it is there or not.
    handle(socket, "ask-later", ([ms, timeout, ...args], ack) => {
      setTimeout(() => socket.timeout(timeout).emit("question", ...args, () => {}), ms);
      ack();
    });
  });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  const { port } = httpServer.address();
  return {
    kind: "node",
    io,
    port,
    url: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    path: "/socket.io/",
    lines: () => lines.slice(),
    async waitForLine(predicate, ms = 5_000, what = "a line", from = 0) {
      const deadline = Date.now() + ms;
      for (let next = from; ; ) {
        for (; next < lines.length; ++next) if (predicate(lines[next])) return lines[next];
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for ${what}; last lines:\n${lines.slice(-20).join("\n")}`);
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          wakers.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    async stop() {
      io.close();
      await Promise.race([redis.quit().catch(() => {}), sleep(3_000)]);
      if (redis.isOpen) await redis.disconnect().catch(() => {});
    },
  };
}

const startNode = (kind, redisUrl) => (kind === "chorus" && !reference ? startChorusNode(redisUrl) : startNodeNode(redisUrl));
const nodeName = (node) => (node.kind === "chorus" ? "chorus" : "Node.js");

// ---------------------------------------------------------------------------------------------
// Clients

/** A recording client (lib/util.mjs) of `node`. */
const client = (t, node, opts = {}) => recordingClient(t, node.url, opts);
const connect = connectAgain;

/** The next connect() of this (disconnected) socket goes to `node`, with its pid and offset. */
function moveTo(socket, node) {
  assert.ok(!socket.connected, "moveTo: the socket must be disconnected");
  socket.io.uri = node.url;
}

/** Emits with an ack and resolves with the ack's arguments (bounded). */
const call = (socket, ...args) => within(5_000, socket.emitWithAck(...args), `ack of ${args[0]}`);

const withoutOffsets = (events) => events.map((e) => e.slice(0, -1));
const offsetOf = (event) => event[event.length - 1];
const compareOffsets = (x, y) => {
  const [xm, xs] = x.split("-").map(BigInt);
  const [ym, ys] = y.split("-").map(BigInt);
  return xm < ym ? -1 : xm > ym ? 1 : xs < ys ? -1 : xs > ys ? 1 : 0;
};
const sessionKey = (pid) => `sio:session:${pid}`;

/** Waits until the client got the hello its connection handler sends (so it holds an offset). */
const helloed = (socket) => eventually(() => socket.events.some((e) => e[0] === "hello"), 5_000, "hello");

// ---------------------------------------------------------------------------------------------
// A raw Socket.IO client over WebSocket, for auth no official client sends.

const rawConnect = rawRecoveringConnect;

/** Asks a raw socket for its rooms (the fixture's `rooms`, ack id 1): the socket still serves. */
async function rawRooms(raw) {
  raw.send('421["rooms"]');
  for (;;) {
    const text = await raw.nextText();
    if (text.startsWith("431")) return JSON.parse(text.slice(3))[0];
  }
}

// ---------------------------------------------------------------------------------------------

const topologies = [
  { name: "two chorus nodes", kinds: ["chorus", "chorus"] },
  { name: "a chorus node and a Node.js node", kinds: ["chorus", "node"] },
];

for (const topology of topologies)
describe(`recovery across nodes (streams): ${reference ? "reference, " : ""}${topology.name}`, { timeout: 90_000 }, () => {
  let redis, publisher;
  const nodes = [];

  before(async () => {
    redis = await startRedis();
    nodes.push(...(await Promise.all(topology.kinds.map((kind) => startNode(kind, redis.url)))));
    publisher = createClient({ url: redis.url });
    publisher.on("error", () => {});
    await publisher.connect();
    // A Node.js node's reader asks for "$" until it reads its first entry, so an entry added
    // while it re-issues an XREAD that expired is lost to it: a probe broadcast from each node
    // until every other node's client got it moves every reader past that (cluster.test.mjs).
    const probes = [];
    for (const node of nodes) {
      const socket = io(node.url, { forceNew: true, reconnection: false, transports: ["websocket"] });
      socket.probes = [];
      socket.on("broadcast-event", (...args) => socket.probes.push(args[0]));
      await within(5_000, new Promise((resolve) => socket.once("connect", resolve)), "a probe client");
      probes.push(socket);
    }
    for (const [i, from] of probes.entries()) {
      await eventually(
        async () => {
          await from.timeout(3_000).emitWithAck("broadcast-all", `probe ${i}`);
          await sleep(100);
          return probes.every((p) => p.probes.includes(`probe ${i}`));
        },
        10_000,
        `a probe broadcast from node ${i} on every node`,
      );
    }
    for (const p of probes) p.disconnect();
  });

  after(async () => {
    if (publisher?.isOpen) await Promise.race([publisher.quit().catch(() => {}), sleep(3_000)]);
    if (publisher?.isOpen) await publisher.disconnect().catch(() => {});
    // A chorus node that did not end cleanly (a sanitizer report) fails the file, once Redis is
    // stopped too.
    const stopped = await Promise.allSettled(nodes.map((n) => n.stop()));
    await redis?.stop();
    for (const result of stopped) if (result.status === "rejected") throw result.reason;
  });

  /**
   * Kills the client's connection as a network failure would (a TCP reset under WebSocket; for
   * polling, the engine closes) and waits until `node` ran its disconnect handler for it and
   * its session is in Redis (a node stores it asynchronously, the reference too).
   */
  async function dropConnection(socket, node) {
    const id = socket.id;
    const pid = socket._pid;
    assert.equal(typeof pid, "string", "a pid: the server has recovery on");
    const from = node.lines().length;
    const engine = socket.io.engine;
    if (engine.transport.name === "websocket") engine.transport.ws._socket.resetAndDestroy();
    else engine.close();
    await node.waitForLine((line) => line.startsWith(`disconnect / ${id} `), 5_000, "the server's disconnect", from);
    await eventually(() => !socket.connected, 5_000, "the client to see the disconnect");
    await eventually(async () => (await publisher.exists(sessionKey(pid))) === 1, 5_000, `${sessionKey(pid)} in Redis`);
  }

  /** Waits until the stream's last entry is the broadcast whose data holds `marker`. */
  async function lastOnStream(marker) {
    await eventually(
      async () => {
        const [last] = await publisher.xRevRange(STREAM, "+", "-", { COUNT: 1 });
        return last?.message.data?.includes(JSON.stringify(marker));
      },
      5_000,
      `${marker} on the stream`,
    );
  }

  /** A client connected to `node` that then dropped: {sid, pid, offset} of its session. */
  async function droppedSession(t, node, room) {
    const a = await client(t, node, { transports: ["websocket"] });
    if (room) await call(a, "join", room);
    await helloed(a);
    const session = { sid: a.id, pid: a._pid, offset: a._lastOffset };
    assert.match(session.offset, OFFSET, "an offset is a stream entry ID");
    await dropConnection(a, node);
    return session;
  }

  const ws = { transports: ["websocket"] };
  // Case 1 both ways in the mixed topology; one way between two chorus nodes (symmetric).
  const ways = topology.kinds[0] === topology.kinds[1] ? [[0, 1]] : [[0, 1], [1, 0]];

  for (const [from, to] of ways) {
    const way = () => `${nodeName(nodes[from])} → ${nodeName(nodes[to])}`;
    it(`a client dropped on node ${from + 1} and back on node ${to + 1} within the window is the same socket, given what it missed`, { timeout: 20_000 }, async (t) => {
      t.diagnostic(way());
      const a = await client(t, nodes[from], ws);
      const b = await client(t, nodes[to], ws); // sends while a is away, on the node a comes back to
      const c = await client(t, nodes[from], ws); // stays on the node a left
      assert.deepEqual(await call(a, "join", "r"), ["r", a.id].sort());
      await call(a, "set-data", { user: "alice", n: [1, 2] });
      await helloed(a);
      const sid = a.id;
      const pid = a._pid;
      // Stored packets carry their offset, a stream entry ID, after the handler's arguments.
      assert.match(offsetOf(a.events.at(-1)), OFFSET, "an offset is a stream entry ID");
      assert.equal(a._lastOffset, offsetOf(a.events.at(-1)));
      await call(a, "emit-later", 300, "direct", "d1"); // fires on node `from` while a is away
      await dropConnection(a, nodes[from]);
      const seen = a.events.length;
      await call(b, "to-room", "r", "m1");
      await call(b, "broadcast-all", "m2");
      await call(b, "to-room", "elsewhere", "x1"); // not a room of a's
      await sleep(400); // the direct emit happens while a is away
      await call(b, "to-room", "r", "m3");
      await lastOnStream("m3");
      assert.equal(a._pid, pid);
      moveTo(a, nodes[to]);
      const connectsFrom = nodes[to].lines().length;
      await connect(a);
      assert.equal(String(a.io.engine.port), String(nodes[to].port), "connected to the other node");
      assert.equal(a.recovered, true);
      assert.equal(a.id, sid);
      await nodes[to].waitForLine((l) => l.startsWith(`connect / ${sid} `), 5_000, "the connect line", connectsFrom);
      // The connection handler runs for a recovered socket too: its hello comes after the
      // CONNECT, so after everything missed.
      await eventually(() => a.events.length >= seen + 5, 5_000, "the missed packets and the hello");
      await sleep(100); // nothing more (no duplicate) comes
      assert.deepEqual(withoutOffsets(a.events.slice(seen)), [
        ["room-event", "r", "m1"],
        ["broadcast-event", "m2"],
        ["direct", "d1"],
        ["room-event", "r", "m3"],
        ["hello", { id: sid }],
      ]);
      const offsets = a.events.slice(seen).map(offsetOf);
      for (const offset of offsets) assert.match(offset, OFFSET);
      assert.deepEqual([...offsets].sort(compareOffsets), offsets, "offsets in stream order");
      assert.equal(new Set(offsets).size, offsets.length, "each offset once");
      // Rooms and data came back, on the other node.
      assert.deepEqual(await call(a, "rooms"), ["r", sid].sort());
      assert.deepEqual(await call(a, "get-data"), { user: "alice", n: [1, 2] });
      // The session is gone: taken by the node a came back to.
      assert.equal(await publisher.exists(sessionKey(pid)), 0);
      // A room broadcast from the node a left reaches it on its new node, once.
      const live = a.events.length;
      await call(c, "to-room", "r", "m4");
      await eventually(() => a.events.length > live, 5_000, "a live room event from the other node");
      await sleep(100);
      assert.deepEqual(withoutOffsets(a.events.slice(live)), [["room-event", "r", "m4"]]);
      assert.match(offsetOf(a.events.at(-1)), OFFSET);
    });
  }

  it("over polling: dropped on node 1, back on node 2, recovered", { timeout: 20_000 }, async (t) => {
    const polling = { transports: ["polling"] };
    const a = await client(t, nodes[0], polling);
    const b = await client(t, nodes[1], polling);
    await call(a, "join", "p");
    await helloed(a);
    const sid = a.id;
    await dropConnection(a, nodes[0]);
    const seen = a.events.length;
    await call(b, "to-room", "p", "p1");
    await call(b, "broadcast-all", "p2");
    await lastOnStream("p2");
    moveTo(a, nodes[1]);
    await connect(a);
    assert.equal(a.io.engine.transport.name, "polling");
    assert.equal(a.recovered, true);
    assert.equal(a.id, sid);
    await eventually(() => a.events.length >= seen + 3, 5_000, "the missed packets and the hello");
    assert.deepEqual(withoutOffsets(a.events.slice(seen)), [
      ["room-event", "p", "p1"],
      ["broadcast-event", "p2"],
      ["hello", { id: sid }],
    ]);
    for (const event of a.events.slice(seen)) assert.match(offsetOf(event), OFFSET);
    assert.deepEqual(await call(a, "rooms"), ["p", sid].sort());
  });

  it("the session in Redis: sio:session:<pid>, base64 msgpack {sid, pid, rooms, data}, PX the window; taken on recovery", { timeout: 20_000 }, async (t) => {
    for (const [from, to] of [[0, 1], [1, 0]]) {
      const a = await client(t, nodes[from], ws);
      await call(a, "join", "k1");
      await call(a, "join", "k2");
      await call(a, "set-data", { name: "key", list: [1, "two", null], nested: { ok: true } });
      await helloed(a);
      const { id: sid, _pid: pid } = a;
      await dropConnection(a, nodes[from]);
      const key = sessionKey(pid);
      const pttl = await publisher.pTTL(key);
      assert.ok(pttl > 0 && pttl <= WINDOW_MS, `PTTL ${pttl} in (0, ${WINDOW_MS}] (stored by ${nodeName(nodes[from])})`);
      const value = await publisher.get(key);
      assert.match(value, /^[A-Za-z0-9+/]+=*$/, "base64");
      const session = decode(Buffer.from(value, "base64"));
      assert.deepEqual(Object.keys(session).sort(), ["data", "pid", "rooms", "sid"]);
      assert.equal(session.sid, sid);
      assert.equal(session.pid, pid);
      assert.deepEqual([...session.rooms].sort(), ["k1", "k2", sid].sort());
      assert.deepEqual(session.data, { name: "key", list: [1, "two", null], nested: { ok: true } });
      moveTo(a, nodes[to]);
      await connect(a);
      assert.equal(a.recovered, true, `recovered on ${nodeName(nodes[to])}`);
      assert.equal(a.id, sid);
      assert.equal(await publisher.exists(key), 0, "the key is taken");
      assert.deepEqual(await call(a, "get-data"), { name: "key", list: [1, "two", null], nested: { ok: true } });
      a.disconnect();
    }
  });

  it("after the window the client comes back on the other node as a new socket, given nothing", { timeout: 20_000 }, async (t) => {
    const a = await client(t, nodes[0], ws);
    const b = await client(t, nodes[1], ws);
    await call(a, "join", "late");
    await helloed(a);
    const sid = a.id;
    const pid = a._pid;
    await dropConnection(a, nodes[0]);
    await call(b, "to-room", "late", "gone");
    await sleep(WINDOW_MS + 300);
    assert.equal(await publisher.exists(sessionKey(pid)), 0, "the key expired");
    const seen = a.events.length;
    moveTo(a, nodes[1]);
    await connect(a);
    assert.equal(a.recovered, false);
    assert.notEqual(a.id, sid);
    assert.notEqual(a._pid, pid);
    await eventually(() => a.events.length > seen, 5_000, "hello");
    await sleep(100);
    assert.deepEqual(withoutOffsets(a.events.slice(seen)), [["hello", { id: a.id }]]);
    assert.deepEqual(await call(a, "rooms"), [a.id]);
    assert.deepEqual(await call(a, "get-data"), {});
  });

  /** A fresh socket, still open and serving, holding nothing of `session`'s. */
  async function assertFresh({ raw, before, data }, session, what) {
    assert.equal(typeof data.sid, "string", what);
    assert.equal(typeof data.pid, "string", what);
    assert.notEqual(data.sid, session.sid, what);
    assert.notEqual(data.pid, session.pid, what);
    assert.deepEqual(before, [], `${what}: nothing before the CONNECT`);
    assert.deepEqual(await within(5_000, rawRooms(raw), `rooms after ${what}`), [data.sid], what);
    assert.ok(raw.isOpen, `${what}: still open`);
  }

  it("guessed, altered, mistyped or live pids get a fresh socket on the other node; the session stays", { timeout: 20_000 }, async (t) => {
    const live = await client(t, nodes[0], ws);
    await helloed(live);
    const session = await droppedSession(t, nodes[0], "secret-room");
    const { pid, offset } = session;
    const altered = pid.slice(0, -1) + (pid.endsWith("A") ? "B" : "A");
    for (const auth of [
      { pid: "AAAAAAAAAAAAAAAAAAAA", offset }, // a guessed pid
      { pid: altered, offset }, // one character off
      { pid: pid.toLowerCase() === pid ? pid.toUpperCase() : pid.toLowerCase(), offset },
      { pid: `${pid}x`, offset },
      { pid: "*", offset },
      { pid: `${pid.slice(0, 10)}*`, offset },
      { pid: "", offset },
      { pid: 42, offset },
      { pid: { $ne: null }, offset },
      { pid: [pid], offset },
      { pid: "x".repeat(10_000), offset },
      { pid: live._pid, offset: live._lastOffset }, // a connected client's: it has no session
    ]) {
      const what = `auth ${JSON.stringify(auth).slice(0, 80)}`;
      const got = await rawConnect(nodes[1], auth);
      await assertFresh(got, session, what);
      assert.notEqual(got.data.sid, live.id, what);
      got.raw.terminate();
    }
    assert.ok(live.connected, "the live client is untouched");
    assert.equal(await publisher.exists(sessionKey(pid)), 1, "a wrong pid takes no one's session");
  });

  it("malformed or unknown offsets with a valid pid get a fresh socket on the other node", { timeout: 30_000 }, async (t) => {
    // A session of its own for each: a node may take the session before finding the offset bad
    // (the reference GETDELs it with a well-formed offset that is not on the stream).
    for (const offset of [
      "abc",
      "1-",
      "-1",
      "1",
      "1-2-3",
      "",
      " 1-1",
      "1-1 ",
      "0-0", // well-formed, not on the stream
      "99999999999999-0",
      "18446744073709551616-0", // past uint64
      "1-18446744073709551616",
      1,
      null,
      ["1-1"],
    ]) {
      const session = await droppedSession(t, nodes[0], "secret-room");
      const what = `offset ${JSON.stringify(offset)}`;
      const got = await rawConnect(nodes[1], { pid: session.pid, offset });
      await assertFresh(got, session, what);
      got.raw.terminate();
    }
  });

  it("a pid comes back once: used on node 2, a second use on node 1 gets a fresh socket", { timeout: 20_000 }, async (t) => {
    const session = await droppedSession(t, nodes[0], "once");
    const first = await rawConnect(nodes[1], { pid: session.pid, offset: session.offset });
    assert.equal(first.data.sid, session.sid);
    assert.equal(first.data.pid, session.pid);
    const second = await rawConnect(nodes[0], { pid: session.pid, offset: session.offset });
    await assertFresh(second, session, "the second use");
    assert.deepEqual(await within(5_000, rawRooms(first.raw), "the first one's rooms"), ["once", session.sid].sort());
    first.raw.terminate();
    second.raw.terminate();
  });

  // Out of order: a second CONNECT for a namespace whose first one still waits on Redis for its
  // session closes the connection, as any CONNECT for a namespace already being connected, and
  // the first one's answer, arriving after, finds it closed and writes nothing. Chorus only: the
  // reference starts a second connect instead.
  const chorusAt = reference ? -1 : topology.kinds.indexOf("chorus");
  it(
    "a second CONNECT while the first still recovers closes the connection; nothing else is harmed",
    { timeout: 20_000, skip: chorusAt < 0 && "chorus only" },
    async (t) => {
      const node = nodes[chorusAt];
      const witness = await client(t, node, ws);
      const session = await droppedSession(t, node, "twice-room");
      const { raw } = await openEngineWs(node);
      const texts = [];
      raw.ws.on("message", (data, binary) => binary || texts.push(data.toString("utf8")));
      const connect = `40${JSON.stringify({ pid: session.pid, offset: session.offset })}`;
      // One TCP write for both, so the server reads the second before Redis can answer the
      // first (sent apart, a fast answer sometimes came first and the first CONNECT was replied).
      raw.ws._socket.cork();
      raw.send(connect);
      raw.send(connect);
      raw.ws._socket.uncork();
      await raw.waitClose(5_000);
      assert.deepEqual(texts.filter((text) => text.startsWith("40")), [], "no CONNECT reply");
      assert.deepEqual(await call(witness, "rooms"), [witness.id]);
    },
  );

  it("a valid pid with another socket's offset recovers its own session and nothing that is not its own", { timeout: 20_000 }, async (t) => {
    const c = await client(t, nodes[0], ws);
    const d = await client(t, nodes[1], ws);
    const b = await client(t, nodes[1], ws);
    await call(c, "join", "c-room");
    await call(d, "join", "d-room");
    await helloed(c);
    await helloed(d);
    // An offset of d's that is surely later than every packet c was sent: c's hello, which a
    // Node.js node or another shard may have added after d's own hello, was on the stream before
    // c got it.
    await call(b, "to-room", "d-room", "d-mark");
    await eventually(() => d.events.at(-1)?.[2] === "d-mark", 5_000, "d-mark at d");
    const dOffset = offsetOf(d.events.at(-1)); // which c never saw
    assert.match(dOffset, OFFSET);
    const sid = c.id;
    await dropConnection(c, nodes[0]);
    await call(b, "to-room", "d-room", "for-d");
    await call(b, "to-room", "c-room", "for-c");
    await lastOnStream("for-c");
    const { raw, before, data } = await rawConnect(nodes[1], { pid: c._pid, offset: dOffset });
    assert.equal(data.sid, sid); // c's session: its pid
    assert.deepEqual(
      before.map((e) => e.slice(0, -1)),
      [["room-event", "c-room", "for-c"]],
      "only what c's rooms were sent after that offset",
    );
    assert.deepEqual(await within(5_000, rawRooms(raw), "rooms"), ["c-room", sid].sort());
    raw.terminate();
  });

  // What socket.io never offsets, and so never means to replay: volatile packets and packets
  // with an ack (addOffsetIfNecessary). The reference streams adapter still replays a volatile
  // broadcast, and an emit with an ack, that it put on the stream (its restoreSession checks
  // neither flags.volatile nor packet.id): held against chorus only. The client comes back on
  // the last chorus node; in the mixed topology it left the Node.js node, whose stream entries
  // then hold a volatile broadcast and an emit with an ack (`ask-later`, Node.js node only).
  const target = reference ? null : topology.kinds.lastIndexOf("chorus");
  it(
    "volatile packets and packets with acks are not replayed on the node the client comes back to",
    {
      timeout: 20_000,
      skip: target === null && "the reference streams adapter replays volatile packets and emits with acks from the stream",
    },
    async (t) => {
      const to = target;
      const from = 1 - to;
      const a = await client(t, nodes[from], ws);
      const here = await client(t, nodes[from], ws);
      const there = await client(t, nodes[to], ws);
      await call(a, "join", "v");
      await helloed(a);
      const sid = a.id;
      if (nodes[from].kind === "node") await call(a, "ask-later", 200, 1_000, "q1"); // with an ack
      await dropConnection(a, nodes[from]);
      const seen = a.events.length;
      await call(here, "volatile-room", "v", "v1");
      await call(there, "volatile-room", "v", "v2");
      await call(there, "broadcast-with-ack", 200, ["v"], "with-ack", "w1");
      await call(here, "broadcast-with-ack", 200, [sid], "with-ack", "w2");
      await sleep(300);
      await call(there, "to-room", "v", "m1");
      await lastOnStream("m1");
      moveTo(a, nodes[to]);
      await connect(a);
      assert.equal(a.recovered, true);
      assert.equal(a.id, sid);
      await eventually(() => a.events.length >= seen + 2, 5_000, "the missed packet and the hello");
      await sleep(100);
      assert.deepEqual(withoutOffsets(a.events.slice(seen)), [
        ["room-event", "v", "m1"],
        ["hello", { id: sid }],
      ]);
    },
  );

  // Redis down: the stream cannot number a stored packet, so a chorus node delivers it to its
  // own clients at once, without an offset (as without recovery), rather than not at all; once
  // Redis is back, stored packets have offsets again and a client recovers again. Last: it
  // restarts Redis, which empties it.
  const chorusNode = reference ? -1 : topology.kinds.indexOf("chorus");
  it(
    "with Redis down a chorus node still delivers its own stored broadcasts, without offsets; with Redis back, clients recover again",
    { timeout: 60_000, skip: chorusNode < 0 && "chorus only (the Node.js adapter drops a broadcast it cannot add)" },
    async (t) => {
      const node = nodes[chorusNode];
      const redisUp = async () => {
        const res = await request(`${node.url}/metrics`);
        const line = res.text.split("\n").find((l) => l.startsWith("chorus_cluster_redis_up "));
        return Number(line?.split(" ")[1]);
      };
      const a = await client(t, node, ws);
      const b = await client(t, node, ws);
      await call(a, "join", "down-room");
      await helloed(a);
      await redis.stop();
      await eventually(async () => (await redisUp()) === 0, 10_000, "chorus_cluster_redis_up 0");
      await call(b, "to-room", "down-room", "while down");
      await eventually(() => a.events.at(-1)?.[2] === "while down", 5_000, "the broadcast at a while Redis is down");
      assert.deepEqual(a.events.at(-1), ["room-event", "down-room", "while down"], "no offset: nothing numbered it");
      await redis.restart();
      await eventually(async () => (await redisUp()) === 1, 15_000, "chorus_cluster_redis_up 1");
      const numbered = (e) => String(e[2]).startsWith("numbered ");
      let sent = 0;
      await eventually(async () => {
        await call(b, "to-room", "down-room", `numbered ${++sent}`);
        return a.events.some((e) => numbered(e) && OFFSET.test(offsetOf(e)));
      }, 15_000, "an offset again");
      // Every one of them reached a (none left to miss), the last one with an offset.
      await eventually(() => a.events.filter(numbered).length === sent, 5_000, "every numbered broadcast at a");
      assert.match(offsetOf(a.events.filter(numbered).at(-1)), OFFSET);
      const sid = a.id;
      await dropConnection(a, node);
      const seen = a.events.length;
      await call(b, "to-room", "down-room", "missed");
      await lastOnStream("missed");
      await connect(a);
      assert.equal(a.recovered, true);
      assert.equal(a.id, sid);
      await eventually(() => a.events.length >= seen + 2, 5_000, "the missed packet and the hello");
      assert.deepEqual(withoutOffsets(a.events.slice(seen, seen + 1)), [["room-event", "down-room", "missed"]]);
    },
  );
});
