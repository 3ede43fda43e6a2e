// Rooms and broadcasts (the fan-out hub) end to end, against chorus-api-fixture
// (CHORUS_API_FIXTURE), with the Socket.IO / Flask-SocketIO semantics: join/leave/rooms, every
// socket in the room named by its id, socket.to(room) (the sender excluded), emit(to=room)
// (included), several rooms at once (each recipient once), broadcast with and without
// include_self, except by room and by socket id, namespace isolation, leave and disconnect, order
// of one sender's messages, a room spread over shards, a room of 10,000 raw members, and the
// write-queue bound: a member that stops reading is disconnected ("write queue full") unless the
// packets are volatile, and the others still get everything.
//
// Who receives what: each client records every event it gets. A test's emits are followed by a
// barrier: the same sender emits a marker to everyone (one sender's packets reach each recipient
// in order), every client waits for it, then a short bounded wait lets stragglers in. Then every
// expected recipient must have the event exactly once and everyone else nothing.
//
// With CHORUS_FIXTURE_ARGS="--threads 4" the same runs on 4 shards (ctest js_rooms_4shards).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { io, Manager } from "socket.io-client";
import { startFixture, fixtureThreads } from "./lib/fixture.mjs";
import { RawFrames, OP } from "./lib/raw-websocket.mjs";
import { eventually, sleep, within } from "./lib/util.mjs";

const STRAGGLERS_MS = 150;
const clientDefaults = { reconnection: false, forceNew: true, timeout: 10_000 };
const WS = { transports: ["websocket"] };
const POLLING = { transports: ["polling"] };
const DEFAULT = {};
const shardLabel = fixtureThreads === 0 ? "one shard per core" : `${fixtureThreads} shard${fixtureThreads === 1 ? "" : "s"}`;

let fx;
before(async () => {
  // A relaxed heartbeat: 20 clients at once on a busy debug build can miss a 200 ms pingTimeout.
  fx = await startFixture(["--ping-interval", "1000", "--ping-timeout", "5000"], { binaryEnv: "CHORUS_API_FIXTURE" });
});
after(async () => {
  await fx?.stop();
});

// ---------------------------------------------------------------------------------------------
// Clients that record what they receive

let clientCount = 0;

/** Records every event but "hello" on `socket.log` as [event, ...args], in arrival order. */
function record(socket, label) {
  socket.label = label;
  socket.log = [];
  socket.onAny((event, ...args) => {
    if (event !== "hello") socket.log.push([event, ...args]);
  });
  socket.on("disconnect", (reason) => {
    socket.disconnectReason = reason;
  });
  return socket;
}

/** Connects `socket` (bounded) and resolves with the id the fixture's "hello" carries. */
async function connectAndHello(socket, ms = 10_000) {
  const hello = within(ms, new Promise((resolve) => socket.once("hello", resolve)), `hello for ${socket.label}`);
  const connected = within(
    ms,
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    `connect of ${socket.label}`,
  );
  socket.connect();
  await connected;
  const { id } = await hello;
  assert.equal(id, socket.id);
  return id;
}

/** A connected socket.io-client socket on `nsp` that records what it receives. */
async function client(t, opts = WS, nsp = "/", fixture = fx) {
  const label = `client ${++clientCount} (${nsp} ${opts.transports ?? "default"})`;
  const socket = record(io(`${fixture.url}${nsp === "/" ? "" : nsp}`, { ...clientDefaults, ...opts, autoConnect: false }), label);
  t.after(() => socket.disconnect());
  await connectAndHello(socket);
  return socket;
}

/** Emits with an ack (bounded); resolves with all the ack's arguments. */
function emitAck(socket, event, ...args) {
  return emitAckWithin(10_000, socket, event, ...args);
}

function emitAckWithin(ms, socket, event, ...args) {
  return within(
    ms,
    new Promise((resolve) => socket.emit(event, ...args, (...got) => resolve(got))),
    `the ack of "${event}" from ${socket.label}`,
  );
}

/** An emit the fixture must ack with nothing (no error). */
async function send(socket, event, ...args) {
  assert.deepEqual(await emitAck(socket, event, ...args), [], `"${event}" ${JSON.stringify(args)}`);
}

/** Joins `room`; resolves with the socket's rooms as the fixture acked them. */
async function join(socket, room) {
  const [rooms] = await emitAck(socket, "join", room);
  assert.ok(rooms.includes(room), `${socket.label} is not in ${room} after joining: ${JSON.stringify(rooms)}`);
  return rooms;
}

const sorted = (list) => [...list].sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : Buffer.from(a) > Buffer.from(b) ? 1 : 0));

let barriers = 0;
const isMarker = (entry) =>
  (entry[0] === "broadcast-event" && typeof entry[1] === "string" && entry[1].startsWith("barrier ")) ||
  (entry[0] === "room-event" && typeof entry[2] === "string" && entry[2].startsWith("barrier "));

/**
 * Each sender in turn emits a marker to its whole namespace (or only to `room`), itself included,
 * and every client waits for every marker of its namespace; then a short wait for stragglers.
 * Anything a sender emitted before its marker has then reached its recipients.
 */
async function barrier(senders, clients, { room } = {}) {
  for (const sender of senders) {
    const marker = `barrier ${++barriers}`;
    if (room === undefined) await send(sender, "broadcast-all", marker);
    else await send(sender, "room-all", room, marker);
    const got = (e) => (room === undefined ? e[0] === "broadcast-event" && e[1] === marker : e[0] === "room-event" && e[2] === marker);
    await Promise.all(
      clients
        .filter((c) => c.nsp === sender.nsp)
        .map((c) => eventually(() => c.log.some(got), 10_000, `${c.label} to get "${marker}" (got ${JSON.stringify(c.log.slice(-3))})`)),
    );
  }
  await sleep(STRAGGLERS_MS);
}

/** What `socket` received, barrier markers left out. */
const received = (socket) => socket.log.filter((e) => !isMarker(e));

/** Asserts that each client received exactly `expected(client)` (markers left out), then forgets it. */
function assertReceived(clients, expected) {
  for (const c of clients) {
    assert.deepEqual(received(c), expected(c), `what ${c.label} received`);
    c.log.length = 0;
  }
}

/** The fixture's line for a disconnect of `id` from `nsp` (bounded); resolves with the reason. */
async function serverReason(nsp, id, fixture = fx, ms = 10_000) {
  const prefix = `disconnect ${nsp} ${id} `;
  const line = await fixture.waitForLine((l) => l.startsWith(prefix), ms, `"${prefix}…"`);
  return line.slice(prefix.length);
}

/** The shard each socket id lives on, from the fixture's "shard <i> <nsp> <id>" lines. */
function shardsOf(ids, fixture = fx) {
  const wanted = new Set(ids);
  const shards = new Map();
  for (const l of fixture.lines()) {
    const [word, shard, , id] = l.split(" ");
    if (word === "shard" && wanted.has(id)) shards.set(id, Number(shard));
  }
  return shards;
}

// ---------------------------------------------------------------------------------------------

describe(`rooms: membership (${shardLabel})`, () => {
  it("a socket starts in the room named by its id; join/leave/rooms ack the sorted list", async (t) => {
    const a = await client(t);
    assert.deepEqual(await emitAck(a, "rooms"), [[a.id]]);
    assert.deepEqual(await join(a, "lobby"), sorted([a.id, "lobby"]));
    assert.deepEqual(await join(a, "lobby"), sorted([a.id, "lobby"]), "joining twice is a no-op");
    assert.deepEqual(await join(a, "salle ✓ 中文"), sorted([a.id, "lobby", "salle ✓ 中文"]));
    assert.deepEqual(await join(a, "A-upper"), sorted([a.id, "lobby", "salle ✓ 中文", "A-upper"]));
    assert.deepEqual(await emitAck(a, "leave", "lobby"), [sorted([a.id, "salle ✓ 中文", "A-upper"])]);
    assert.deepEqual(await emitAck(a, "leave", "never-joined"), [sorted([a.id, "salle ✓ 中文", "A-upper"])]);
    assert.deepEqual(await emitAck(a, "rooms"), [sorted([a.id, "salle ✓ 中文", "A-upper"])]);
    // another socket's rooms are its own
    const b = await client(t);
    assert.deepEqual(await emitAck(b, "rooms"), [[b.id]]);
    assert.notEqual(a.id, b.id);
  });

  it("a connection's sockets on '/' and '/other' have separate rooms", async (t) => {
    const m = new Manager(fx.url, { ...clientDefaults, ...WS, autoConnect: false });
    t.after(() => m.engine?.close());
    const root = record(m.socket("/"), "root");
    const other = record(m.socket("/other"), "other");
    await Promise.all([connectAndHello(root), connectAndHello(other)]);
    assert.notEqual(root.id, other.id);
    await join(root, "shared");
    assert.deepEqual(await emitAck(other, "rooms"), [[other.id]]);
    assert.deepEqual(await join(other, "only-other"), sorted([other.id, "only-other"]));
    assert.deepEqual(await emitAck(root, "rooms"), [sorted([root.id, "shared"])]);
  });

  for (const nsp of ["/", "/other"]) {
    it(`rooms joined in the connection handler (${nsp}): in them at once, reached at once`, async (t) => {
      const a = await client(t, { ...WS, auth: { join: ["on-connect", "on-connect 2"] } }, nsp);
      assert.deepEqual(await emitAck(a, "rooms"), [sorted([a.id, "on-connect", "on-connect 2"])]);
      const b = await client(t, { ...POLLING, auth: { join: ["on-connect"] } }, nsp);
      await send(b, "to-room", "on-connect", "hi");
      await barrier([b], [a, b]);
      assertReceived([a, b], (s) => (s === a ? [["room-event", "on-connect", "hi"]] : []));
    });
  }

  it("a handler given bad arguments acks an error and the socket carries on", async (t) => {
    const a = await client(t);
    assert.deepEqual(await emitAck(a, "join", 42), [{ error: "expected a room" }]);
    assert.deepEqual(await emitAck(a, "to-rooms", "not-an-array", 1), [{ error: "expected an array of rooms" }]);
    assert.deepEqual(await emitAck(a, "except", "r", [1, 2]), [{ error: "expected a room and an array" }]);
    assert.deepEqual(await emitAck(a, "rooms"), [[a.id]]);
  });
});

const modes = [
  { name: "websocket only", members: [WS, WS, WS, WS] },
  { name: "websocket, polling and default clients mixed", members: [POLLING, WS, DEFAULT, POLLING] },
];

for (const mode of modes) {
  describe(`rooms: who receives what, ${mode.name} (${shardLabel})`, () => {
    /** Four connected clients with the mode's transports: [a, b, c, d]. */
    const four = (t) => Promise.all(mode.members.map((opts) => client(t, opts)));

    it("to-room (socket.to): the other members once each, not the sender, not outsiders", async (t) => {
      const [a, b, c, d] = await four(t);
      const room = `to-room ${mode.name}`;
      for (const s of [a, b, c]) await join(s, room);
      await send(a, "to-room", room, "hi", { n: 1, text: "ünï ✓" }, [1, null]);
      await barrier([a], [a, b, c, d]);
      const event = ["room-event", room, "hi", { n: 1, text: "ünï ✓" }, [1, null]];
      assertReceived([a, b, c, d], (s) => (s === b || s === c ? [event] : []));
      // a sender that is not in the room still reaches it
      await send(d, "to-room", room, "from outside");
      await barrier([d], [a, b, c, d]);
      assertReceived([a, b, c, d], (s) => (s === d ? [] : [["room-event", room, "from outside"]]));
    });

    it("room-all (emit to=room, include_self): every member once, the sender included", async (t) => {
      const [a, b, c, d] = await four(t);
      const room = `room-all ${mode.name}`;
      for (const s of [a, b, c]) await join(s, room);
      await send(b, "room-all", room, 1, "two");
      await barrier([b], [a, b, c, d]);
      assertReceived([a, b, c, d], (s) => (s === d ? [] : [["room-event", room, 1, "two"]]));
      // a sender outside the room is not included by include_self
      await send(d, "room-all", room, "outside");
      await barrier([d], [a, b, c, d]);
      assertReceived([a, b, c, d], (s) => (s === d ? [] : [["room-event", room, "outside"]]));
    });

    it("room-all with binary arguments: the attachments reach every member", async (t) => {
      const [a, b, c, d] = await four(t);
      const room = `binary ${mode.name}`;
      for (const s of [a, b, c]) await join(s, room);
      const bytes = Buffer.from([0, 1, 2, 253, 254, 255]);
      await send(c, "room-all", room, "bin", bytes, { nested: Buffer.from("xyz") });
      await barrier([c], [a, b, c, d]);
      for (const s of [a, b, c]) {
        const got = received(s);
        assert.equal(got.length, 1, `${s.label} got ${got.length} events`);
        const [event, r, tag, buf, obj] = got[0];
        assert.deepEqual([event, r, tag], ["room-event", room, "bin"]);
        assert.deepEqual(Buffer.from(buf), bytes, `${s.label}'s first attachment`);
        assert.deepEqual(Buffer.from(obj.nested), Buffer.from("xyz"), `${s.label}'s second attachment`);
      }
      assert.deepEqual(received(d), []);
    });

    it("to-rooms: a member of several of the rooms gets it once; the sender never", async (t) => {
      const [a, b, c, d] = await four(t);
      const [r1, r2, r3] = ["r1", "r2", "r3"].map((r) => `${r} ${mode.name}`);
      await join(a, r1); // the sender is in r1: excluded all the same
      await join(b, r1);
      await join(c, r1);
      await join(c, r2);
      await join(c, r3);
      await join(d, "elsewhere");
      await send(a, "to-rooms", [r1, r2, r3, "no such room"], "multi");
      await barrier([a], [a, b, c, d]);
      const event = ["room-event", [r1, r2, r3, "no such room"], "multi"];
      assertReceived([a, b, c, d], (s) => (s === b || s === c ? [event] : []));
      // rooms named by socket ids work the same (private messages to two sockets)
      await send(d, "to-rooms", [a.id, c.id, a.id], "dm");
      await barrier([d], [a, b, c, d]);
      assertReceived([a, b, c, d], (s) => (s === a || s === c ? [["room-event", [a.id, c.id, a.id], "dm"]] : []));
    });

    it("broadcast reaches the whole namespace but the sender; broadcast-all includes it", async (t) => {
      const [a, b, c, d] = await four(t);
      const elsewhere = await client(t, WS, "/other");
      await join(b, `some room ${mode.name}`);
      await send(a, "broadcast", "to all but me", mode.name);
      await barrier([a], [a, b, c, d]);
      assertReceived([a, b, c, d], (s) => (s === a ? [] : [["broadcast-event", "to all but me", mode.name]]));
      await send(c, "broadcast-all", "to all", mode.name);
      await barrier([c], [a, b, c, d, elsewhere]);
      assertReceived([a, b, c, d], () => [["broadcast-event", "to all", mode.name]]);
      assert.deepEqual(received(elsewhere), [], "a broadcast in '/' reached '/other'");
    });

    it("except: by room and by socket id, the sender always left out", async (t) => {
      const [a, b, c, d] = await four(t);
      const room = `except ${mode.name}`;
      const muted = `muted ${mode.name}`;
      for (const s of [a, b, c, d]) await join(s, room);
      await join(b, muted);
      await send(a, "except", room, [muted], "not to muted");
      await barrier([a], [a, b, c, d]);
      const e1 = ["room-event", room, [muted], "not to muted"];
      assertReceived([a, b, c, d], (s) => (s === c || s === d ? [e1] : []));
      await send(a, "except", room, [c.id], "not to c");
      await barrier([a], [a, b, c, d]);
      const e2 = ["room-event", room, [c.id], "not to c"];
      assertReceived([a, b, c, d], (s) => (s === b || s === d ? [e2] : []));
      await send(a, "except", room, [c.id, muted, "no such room"], "to d only");
      await barrier([a], [a, b, c, d]);
      const e3 = ["room-event", room, [c.id, muted, "no such room"], "to d only"];
      assertReceived([a, b, c, d], (s) => (s === d ? [e3] : []));
      // excepting the target room itself reaches nobody
      await send(a, "except", room, [room], "nobody");
      await barrier([a], [a, b, c, d]);
      assertReceived([a, b, c, d], () => []);
    });

    it("leave, then emit: the one who left gets nothing; joining again gets it again", async (t) => {
      const [a, b, c] = await four(t);
      const room = `leave ${mode.name}`;
      for (const s of [a, b, c]) await join(s, room);
      assert.deepEqual(await emitAck(b, "leave", room), [[b.id]]);
      await send(a, "room-all", room, "after leave");
      await barrier([a], [a, b, c]);
      assertReceived([a, b, c], (s) => (s === b ? [] : [["room-event", room, "after leave"]]));
      await join(b, room);
      await send(a, "to-room", room, "after rejoin");
      await barrier([a], [a, b, c]);
      assertReceived([a, b, c], (s) => (s === a ? [] : [["room-event", room, "after rejoin"]]));
    });
  });
}

describe(`rooms: namespaces and disconnects (${shardLabel})`, () => {
  it("the same room name in '/' and '/other' names two rooms: nothing leaks across", async (t) => {
    // The "/" and "/other" senders share a connection, so "/other"'s barrier comes after "/"'s
    // emits on every shard.
    const m = new Manager(fx.url, { ...clientDefaults, ...WS, autoConnect: false });
    t.after(() => m.engine?.close());
    const rootSender = record(m.socket("/"), "root sender");
    const otherSender = record(m.socket("/other"), "other sender");
    await Promise.all([connectAndHello(rootSender), connectAndHello(otherSender)]);
    const roots = [rootSender, await client(t, WS), await client(t, POLLING)];
    const others = [otherSender, await client(t, WS, "/other"), await client(t, POLLING, "/other")];
    const everyone = [...roots, ...others];
    for (const s of everyone) await join(s, "shared");

    await send(rootSender, "room-all", "shared", "from /");
    await barrier([rootSender, otherSender], everyone);
    assertReceived(everyone, (s) => (roots.includes(s) ? [["room-event", "shared", "from /"]] : []));

    await send(otherSender, "to-room", "shared", "from /other");
    await barrier([otherSender, rootSender], everyone);
    assertReceived(everyone, (s) => (others.includes(s) && s !== otherSender ? [["room-event", "shared", "from /other"]] : []));

    await send(otherSender, "broadcast-all", "all of /other");
    await barrier([otherSender, rootSender], everyone);
    assertReceived(everyone, (s) => (others.includes(s) ? [["broadcast-event", "all of /other"]] : []));

    // A "/other" socket id names no room in "/".
    await send(rootSender, "to-rooms", [others[1].id], "wrong namespace");
    await barrier([rootSender, otherSender], everyone);
    assertReceived(everyone, () => []);
  });

  it("disconnect leaves every room: the namespace socket that takes its place is in none", async (t) => {
    // The "/other" socket keeps the connection open while the "/" socket leaves and comes back
    // with a new id (on one shard it gets the freed hub slot).
    const m = new Manager(fx.url, { ...clientDefaults, ...WS, autoConnect: false });
    t.after(() => m.engine?.close());
    const keeper = record(m.socket("/other"), "keeper");
    const leaver = record(m.socket("/"), "leaver");
    await Promise.all([connectAndHello(keeper), connectAndHello(leaver)]);
    const a = await client(t);
    const room = "disconnect";
    await join(a, room);
    await join(leaver, room);
    await join(leaver, "disconnect-2");
    const oldId = leaver.id;
    leaver.disconnect();
    assert.equal(await serverReason("/", oldId), "client namespace disconnect");
    const newId = await connectAndHello(leaver);
    assert.notEqual(newId, oldId);
    assert.deepEqual(await emitAck(leaver, "rooms"), [[newId]]);
    await send(a, "room-all", room, "after disconnect");
    await send(a, "to-rooms", [oldId, "disconnect-2"], "to the old id");
    await barrier([a], [a, leaver]);
    assertReceived([a, leaver], (s) => (s === a ? [["room-event", room, "after disconnect"]] : []));

    // the same after a server-side disconnect (kick)
    await join(leaver, room);
    const kickedId = leaver.id;
    const gone = within(10_000, new Promise((resolve) => leaver.once("disconnect", resolve)), "the kick");
    leaver.emit("kick");
    await gone;
    assert.equal(await serverReason("/", kickedId), "server namespace disconnect");
    const third = await connectAndHello(leaver);
    assert.deepEqual(await emitAck(leaver, "rooms"), [[third]]);
    await send(a, "to-room", room, "after kick");
    await send(a, "to-rooms", [kickedId], "to the kicked id");
    await barrier([a], [a, leaver]);
    assertReceived([a, leaver], () => []);
  });

  it("a member whose connection closes is gone from the room; the others still get it", async (t) => {
    const [a, b, c] = await Promise.all([client(t, WS), client(t, POLLING), client(t, WS)]);
    const room = "closing";
    for (const s of [a, b, c]) await join(s, room);
    const cId = c.id;
    c.io.engine.close();
    assert.equal(await serverReason("/", cId), "transport close");
    await send(a, "room-all", room, "after close");
    await barrier([a], [a, b]);
    assertReceived([a, b], () => [["room-event", room, "after close"]]);
    assert.deepEqual(received(c), []);
  });
});

describe(`rooms: order and spread (${shardLabel})`, () => {
  it("seq 0..999 arrives in order at every member", { timeout: 120_000 }, async (t) => {
    const members = await Promise.all([
      ...Array.from({ length: 6 }, () => client(t, WS)),
      client(t, POLLING),
      client(t, POLLING),
      client(t, DEFAULT),
      client(t, DEFAULT),
    ]);
    const room = "order";
    for (const s of members) await join(s, room);
    const sender = members[0];
    const n = 1000;
    const all = Array.from({ length: n }, (_, i) => ["seq-event", i]);
    await send(sender, "seq", room, n);
    await barrier([sender], members);
    assertReceived(members, () => all);
    // and from a member on another transport
    await send(members[7], "seq", room, n);
    await barrier([members[7]], members);
    assertReceived(members, () => all);
  });

  it("a 20-client room spread over the shards: every message to every member, once", { timeout: 120_000 }, async (t) => {
    const members = await Promise.all(Array.from({ length: 20 }, (_, i) => client(t, i % 5 === 4 ? POLLING : WS)));
    const ids = members.map((s) => s.id);
    await eventually(() => shardsOf(ids).size === ids.length, 10_000, "the fixture's shard lines");
    const shards = new Set(shardsOf(ids).values());
    t.diagnostic(`20 members on shard(s) ${[...shards].sort().join(", ")}`);
    if (fixtureThreads > 1) assert.ok(shards.size > 1, `all 20 members on shard(s) ${[...shards]}`);
    const room = "twenty";
    for (const s of members) await join(s, room);
    // every member sends to the room at once, some include themselves
    await Promise.all(members.map((s, i) => send(s, i % 2 ? "room-all" : "to-room", room, `from ${i}`)));
    await barrier(members, members);
    for (const [k, s] of members.entries()) {
      const got = received(s);
      const expected = members.flatMap((_, i) => (i === k && i % 2 === 0 ? [] : [["room-event", room, `from ${i}`]]));
      // different senders interleave in any order: compare as multisets
      const key = (e) => JSON.stringify(e);
      assert.deepEqual(got.map(key).sort(), expected.map(key).sort(), `what ${s.label} received`);
      s.log.length = 0;
    }
    // one sender, several messages: in order at everyone
    const sender = members[3];
    for (let i = 0; i < 20; ++i) sender.emit("to-room", room, i);
    await send(sender, "to-room", room, "last");
    await barrier([sender], members);
    const run = [...Array.from({ length: 20 }, (_, i) => ["room-event", room, i]), ["room-event", room, "last"]];
    assertReceived(members, (s) => (s === sender ? [] : run));
  });
});

// ---------------------------------------------------------------------------------------------
// A room of 10,000 raw members

const BIG_MEMBERS = Number(process.env.CHORUS_BIG_ROOM ?? 10_000);
const PER_WORKER = 2_500;
const BIG_MESSAGES = 50;

/** Starts a member worker; resolves with {worker, next(type, ms)} to await its messages. */
function startMembers(port, count) {
  const worker = new Worker(new URL("./lib/room-member-worker.mjs", import.meta.url), {
    workerData: { port, count, room: "big", expect: BIG_MESSAGES, inFlight: 64, joinMs: 60_000 },
  });
  const inbox = [];
  let wake = null;
  worker.on("message", (m) => {
    inbox.push(m);
    wake?.();
  });
  worker.on("error", (err) => {
    inbox.push({ type: "error", error: err.stack ?? String(err) });
    wake?.();
  });
  const next = async (type, ms) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type || m.type === "error");
      if (i >= 0) {
        const [m] = inbox.splice(i, 1);
        if (m.type === "error") throw new Error(`member worker failed: ${m.error}`);
        return m;
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        worker.postMessage({ type: "report" });
        throw new Error(`timed out after ${ms} ms waiting for "${type}" from a member worker`);
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          wake = null;
          resolve();
        };
      });
    }
  };
  return { worker, next };
}

describe(`rooms: a room of ${BIG_MEMBERS} raw members (${shardLabel})`, () => {
  let bigFx;
  before(async () => {
    // 10,000 heartbeats every 300 ms would be the load, not the room: a 25 s interval.
    bigFx = await startFixture(["--ping-interval", "25000", "--ping-timeout", "20000"], { binaryEnv: "CHORUS_API_FIXTURE" });
  });
  after(async () => {
    await bigFx?.stop();
  });

  it(`one publisher, ${BIG_MESSAGES} messages: every member gets every one, in order`, { timeout: 120_000 }, async (t) => {
    const started = Date.now();
    const workers = [];
    for (let left = BIG_MEMBERS; left > 0; left -= PER_WORKER) workers.push(startMembers(bigFx.port, Math.min(PER_WORKER, left)));
    try {
      const joined = await Promise.all(workers.map((w) => w.next("joined", 90_000)));
      const joinedAt = Date.now();
      const failures = joined.flatMap((r) => r.errors);
      assert.equal(joined.reduce((n, r) => n + r.joined, 0), BIG_MEMBERS, `not every member joined: ${JSON.stringify(failures)}`);

      const publisher = record(io(bigFx.url, { ...clientDefaults, ...WS, autoConnect: false }), "publisher");
      t.after(() => publisher.disconnect());
      await connectAndHello(publisher);
      const sent = Date.now();
      await emitAckWithin(60_000, publisher, "seq", "big", BIG_MESSAGES);
      const done = await Promise.all(workers.map((w) => w.next("done", 60_000)));
      const deliveredAt = Date.now();
      for (const r of done) {
        assert.deepEqual(
          { complete: r.complete, failed: r.failed, outOfOrder: r.outOfOrder, unexpected: r.unexpected, errors: r.errors },
          { complete: r.count, failed: 0, outOfOrder: 0, unexpected: [], errors: [] },
        );
      }
      // the publisher is not a member: it got nothing
      await sleep(STRAGGLERS_MS);
      assert.deepEqual(received(publisher), []);

      const shards = new Map();
      for (const l of bigFx.lines()) {
        const [word, shard, nsp] = l.split(" ");
        if (word === "shard" && nsp === "/") shards.set(shard, (shards.get(shard) ?? 0) + 1);
      }
      if (fixtureThreads > 1) assert.ok(shards.size > 1, `all members on shard(s) ${[...shards.keys()]}`);
      t.diagnostic(
        `${BIG_MEMBERS} members joined in ${joinedAt - started} ms (per shard: ${JSON.stringify(Object.fromEntries(shards))}); ` +
          `${BIG_MESSAGES} messages × ${BIG_MEMBERS} delivered ${deliveredAt - sent} ms after the publish ` +
          `(the first event ${Math.min(...done.map((r) => r.firstEventAt)) - sent} ms after it, the first member complete at ` +
          `${Math.min(...done.map((r) => r.firstCompleteAt)) - sent} ms, the last at ${Math.max(...done.map((r) => r.lastCompleteAt)) - sent} ms)`,
      );
    } finally {
      const closing = Date.now();
      await Promise.all(
        workers.map(async (w) => {
          w.worker.postMessage({ type: "close" });
          await w.next("closed", 10_000).catch(() => {});
          await w.worker.terminate();
        }),
      );
      // Let the server see every connection go before it is stopped (bounded).
      const gone = () => bigFx.lines().filter((l) => l.startsWith("disconnect / ")).length;
      await eventually(() => gone() >= BIG_MEMBERS, 60_000, `${BIG_MEMBERS} disconnect lines (have ${gone()})`, 100).catch(() => {});
      t.diagnostic(`the server saw ${gone()} disconnects ${Date.now() - closing} ms after the close`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The write-queue bound

const MAX_QUEUED = 1_048_576;
const FLOOD_COUNT = 2_000;
const FLOOD_SIZE = 10_000;

/** VmRSS of `pid` in bytes. */
function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m[1]) * 1024;
}

/**
 * A raw WebSocket client that CONNECTs to "/" and joins `room`; resolves with {raw, id}. It
 * reads until then; raw.socket.pause() makes it stop reading.
 */
async function rawMember(fixture, room) {
  const raw = await RawFrames.connect(fixture, "/socket.io/?EIO=4&transport=websocket");
  const open = await raw.nextText();
  assert.match(open, /^0\{/);
  raw.send(OP.text, "40");
  const reply = await raw.nextText();
  assert.match(reply, /^40\{/);
  const { sid: id } = JSON.parse(reply.slice(2));
  assert.equal(await raw.nextText(), `42["hello",{"id":"${id}"}]`);
  raw.send(OP.text, `420["join",${JSON.stringify(room)}]`);
  assert.equal(await raw.nextText(), `430[${JSON.stringify(sorted([id, room]))}]`);
  return { raw, id };
}

// The room of the clients that read, for barriers that must not reach the non-reader: a
// non-volatile packet to a client whose queue is full would disconnect it.
const READERS = "readers";

/** The flood-event indices in `socket`'s log, markers and others left out. */
const floodIndices = (socket) => socket.log.filter((e) => e[0] === "flood-event").map((e) => e[1]);

describe(`rooms: a member that stops reading (--max-queued-bytes ${MAX_QUEUED}, ${shardLabel})`, () => {
  let bpFx;
  before(async () => {
    // No heartbeat during the test: the paused client could not answer pings. ASan keeps freed
    // memory in a quarantine (256 MB by default) that would count as RSS growth: a small one for
    // this fixture (builds without ASan ignore the variable).
    const asanOptions = process.env.ASAN_OPTIONS;
    process.env.ASAN_OPTIONS = [asanOptions, "quarantine_size_mb=4"].filter(Boolean).join(":");
    try {
      bpFx = await startFixture(["--max-queued-bytes", String(MAX_QUEUED), "--ping-interval", "60000", "--ping-timeout", "60000"], {
        binaryEnv: "CHORUS_API_FIXTURE",
      });
    } finally {
      if (asanOptions === undefined) delete process.env.ASAN_OPTIONS;
      else process.env.ASAN_OPTIONS = asanOptions;
    }
  });
  after(async () => {
    await bpFx?.stop();
  });

  /** A flooder and a well-behaved reader (socket.io-client) and a raw non-reader in `room`. */
  async function setup(t, room) {
    const flooder = await client(t, WS, "/", bpFx);
    const reader = await client(t, WS, "/", bpFx);
    for (const s of [flooder, reader]) {
      await join(s, room);
      await join(s, READERS);
    }
    const stalled = await rawMember(bpFx, room);
    t.after(() => stalled.raw.destroy());
    stalled.raw.socket.pause();
    return { flooder, reader, stalled };
  }

  it("flood: the non-reader is disconnected (write queue full), the reader gets everything, RSS stays bounded", { timeout: 120_000 }, async (t) => {
    const room = "backpressure";
    const { flooder, reader, stalled } = await setup(t, room);
    const before = rss(bpFx.pid);
    const from = bpFx.lines().length;
    assert.deepEqual(await emitAckWithin(90_000, flooder, "flood", room, FLOOD_COUNT, FLOOD_SIZE), [FLOOD_COUNT]);
    assert.equal(await serverReason("/", stalled.id, bpFx, 30_000), "write queue full");
    const after = rss(bpFx.pid);
    await send(flooder, "room-all", room, "after the flood");
    await barrier([flooder], [flooder, reader], { room: READERS });
    const all = Array.from({ length: FLOOD_COUNT }, (_, i) => i);
    for (const s of [reader, flooder]) {
      const indices = floodIndices(s);
      assert.equal(indices.length, FLOOD_COUNT, `${s.label} got ${indices.length} of ${FLOOD_COUNT}`);
      assert.deepEqual(indices, all, `${s.label}: in order`);
      const last = received(s).at(-1);
      assert.deepEqual(last, ["room-event", room, "after the flood"]);
      assert.ok(s.connected, `${s.label} is still connected`);
      assert.equal(s.log.find((e) => e[0] === "flood-event")[2].length, FLOOD_SIZE);
    }
    // nobody else was disconnected
    const gone = bpFx.lines().slice(from).filter((l) => l.startsWith("disconnect "));
    assert.deepEqual(gone, [`disconnect / ${stalled.id} write queue full`]);
    t.diagnostic(`fixture RSS ${(before / 2 ** 20).toFixed(1)} MiB before, ${(after / 2 ** 20).toFixed(1)} MiB after`);
    assert.ok(after - before < 64 * 2 ** 20, `RSS grew by ${((after - before) / 2 ** 20).toFixed(1)} MiB`);
    // the connection is closed by the server (the Close frame may sit unread in the buffers)
    stalled.raw.socket.resume();
    const { closeFrame, tcpClosed } = await stalled.raw.waitClose(30_000);
    assert.ok(tcpClosed || closeFrame?.code === 1008, `closed with ${JSON.stringify(closeFrame)}`);
  });

  it("volatile-flood: the non-reader stays connected (volatile packets dropped), the reader gets everything", { timeout: 120_000 }, async (t) => {
    const room = "backpressure-volatile";
    const { flooder, reader, stalled } = await setup(t, room);
    const before = rss(bpFx.pid);
    const from = bpFx.lines().length;
    assert.deepEqual(await emitAckWithin(90_000, flooder, "volatile-flood", room, FLOOD_COUNT, FLOOD_SIZE), [FLOOD_COUNT]);
    await barrier([flooder], [flooder, reader], { room: READERS });
    const after = rss(bpFx.pid);
    const all = Array.from({ length: FLOOD_COUNT }, (_, i) => i);
    for (const s of [reader, flooder]) assert.deepEqual(floodIndices(s), all, `${s.label}: every volatile event, in order`);
    assert.deepEqual(bpFx.lines().slice(from).filter((l) => l.startsWith("disconnect ")), [], "nobody was disconnected");
    t.diagnostic(`fixture RSS ${(before / 2 ** 20).toFixed(1)} MiB before, ${(after / 2 ** 20).toFixed(1)} MiB after`);
    assert.ok(after - before < 64 * 2 ** 20, `RSS grew by ${((after - before) / 2 ** 20).toFixed(1)} MiB`);

    // Reading again, the non-reader gets an increasing subsequence of the events (the dropped
    // ones missing, none reordered or repeated) until its queue is empty (nothing comes for a
    // while); then a non-volatile event reaches it, and its connection still works.
    stalled.raw.socket.resume();
    const indices = [];
    for (;;) {
      let text;
      try {
        text = await stalled.raw.nextText(500);
      } catch (err) {
        if (/timed out/.test(err.message)) break;
        throw err;
      }
      const m = /^42\["flood-event",(\d+),"(x*)"\]$/.exec(text);
      assert.ok(m, `unexpected packet ${text.slice(0, 80)}`);
      assert.equal(m[2].length, FLOOD_SIZE);
      indices.push(Number(m[1]));
    }
    for (let i = 1; i < indices.length; ++i) assert.ok(indices[i] > indices[i - 1], `event ${indices[i]} after ${indices[i - 1]}`);
    t.diagnostic(`the non-reader got ${indices.length} of ${FLOOD_COUNT} volatile events`);
    assert.ok(indices.length < FLOOD_COUNT, "no volatile event was dropped: the non-reader's queue never filled");
    await send(flooder, "room-all", room, "after the flood");
    assert.equal(await stalled.raw.nextText(10_000), `42["room-event",${JSON.stringify(room)},"after the flood"]`);
    await barrier([flooder], [flooder, reader], { room: READERS });
    for (const s of [reader, flooder]) assert.deepEqual(received(s).at(-1), ["room-event", room, "after the flood"]);
    stalled.raw.send(OP.text, '421["rooms"]');
    assert.equal(await stalled.raw.nextText(10_000), `431[${JSON.stringify(sorted([stalled.id, room]))}]`);
    assert.deepEqual(bpFx.lines().slice(from).filter((l) => l.startsWith("disconnect ")), []);
  });
});
