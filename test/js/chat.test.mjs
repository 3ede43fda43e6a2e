// The chat application (server/chat/chat_app.cpp) end to end, against the `chorus` binary
// (CHORUS_BINARY), with the official socket.io-client over WebSocket only, polling only, and both
// in one room. The contract is the seed's chat (websockets-lesson.md, "Complete Chat App",
// "Rooms", "Namespaces", "Best Practices"): status on connect, join, message, user_left,
// join_room / leave_room / room_message, the /chat and /notifications echoes, "Invalid message"
// for bad payloads and "Rate limit exceeded" past --rate-limit. Beyond the seed (the chat-service
// issue): `history` on join and join_room (also across a restart with --db <file>), `users`
// presence, volatile `typing`, acks {id, timestamp} once stored, and `private_message`.
//
// Every wait is bounded. Absence is checked after a later event from the same sender has arrived
// (the server keeps one sender's emits in order), plus a short grace period where no such event
// exists; no test asserts how long anything takes.
// With CHORUS_FIXTURE_ARGS="--threads 4" the same runs on 4 shards.
//
// With CHORUS_CHAT_NODES=2 (js_chat_cluster, js_chat_cluster_4shards) each suite starts one
// redis-server and two chorus nodes with --redis-url, and clients connect to the nodes in turn:
// the same contract holds with history and presence kept in Redis. The restart test then
// restarts a node, not Redis, and the cluster suite below adds what only a cluster has: presence
// and private messages across nodes, a node going away, Redis going away.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startFixture } from "./lib/fixture.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { createClient } from "redis";
import { sleep, within } from "./lib/util.mjs";

const WAIT_MS = 10_000;
const GRACE_MS = 300;
const clientDefaults = { reconnection: false, forceNew: true, timeout: 5_000 };
const modes = [
  { name: "websocket only", opts: { transports: ["websocket"] } },
  { name: "polling only", opts: { transports: ["polling"] } },
];
const TIMESTAMP = /^\d\d:\d\d:\d\d$/;
const INVALID = { msg: "Invalid message" };
const RATE_LIMITED = { msg: "Rate limit exceeded" };

let unique = 0;
/** A name no other test uses (the fixture is shared, and broadcasts reach every client). */
const uniq = (prefix) => `${prefix}-${process.pid}-${++unique}`;

/**
 * A socket.io-client socket that records every event it receives, in order.
 * next() takes the first not yet taken event of a name that satisfies a predicate (bounded);
 * seen() lists every such event received so far, taken or not.
 */
class Client {
  constructor(socket, label) {
    this.socket = socket;
    this.label = label;
    this.events = []; // {name, args, offset, taken}
    this.waiters = [];
    socket.onAny((name, ...args) => {
      // Connection state recovery (on by default) ends every stored event with its offset, a
      // string; no chat event ends with one otherwise.
      const offset = socket._pid && typeof args.at(-1) === "string" ? args.pop() : undefined;
      this.events.push({ name, args, offset, taken: false });
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
    socket.on("disconnect", (reason) => {
      this.disconnectReason = reason;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    });
  }

  find(name, pred) {
    return this.events.find((e) => !e.taken && e.name === name && pred(...e.args));
  }

  /** The first argument of the next `name` event satisfying `pred` (bounded). */
  async next(name, pred = () => true, ms = WAIT_MS, what = undefined) {
    const deadline = Date.now() + ms;
    for (;;) {
      const e = this.find(name, pred);
      if (e) {
        e.taken = true;
        return e.args[0];
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.disconnectReason !== undefined) {
        const tail = this.events.slice(-10).map((x) => `${x.name} ${JSON.stringify(x.args).slice(0, 200)}`);
        throw new Error(
          `${this.label}: ${left <= 0 ? `timed out after ${ms} ms` : "disconnected"} waiting for "${name}"${what ? ` (${what})` : ""}; ` +
            `connected=${this.socket.connected} (${this.disconnectReason ?? "-"}); last events:\n  ${tail.join("\n  ")}`,
        );
      }
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits (bounded) until `count` events of `name` satisfying `pred` have been received. */
  async nextCount(name, pred, count, ms = WAIT_MS, what = undefined) {
    const deadline = Date.now() + ms;
    for (;;) {
      const got = this.seen(name, pred);
      if (got.length >= count) return got;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`${this.label}: timed out after ${ms} ms waiting for ${count} "${name}" events${what ? ` (${what})` : ""}, got ${got.length}`);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The first arguments of every `name` event satisfying `pred` so far. */
  seen(name, pred = () => true) {
    return this.events.filter((e) => e.name === name && pred(...e.args)).map((e) => e.args[0]);
  }

  /** Index in the event log of the first event of `name` satisfying `pred`, or -1. */
  indexOf(name, pred = () => true) {
    return this.events.findIndex((e) => e.name === name && pred(...e.args));
  }

  emit(name, ...args) {
    this.socket.emit(name, ...args);
  }
}

/**
 * Connects a recording client to `nsp` of `fixture` (bounded) and, on "/", takes its
 * "Connected to chat!" status. Disconnects it after the test.
 */
async function connect(t, fixture, opts, label, { nsp = "/", takeStatus = true } = {}) {
  const socket = io(`${fixture.url}${nsp === "/" ? "" : nsp}`, { ...clientDefaults, ...opts, autoConnect: false });
  const client = new Client(socket, label);
  t.after(() => socket.disconnect());
  const connected = within(
    WAIT_MS,
    new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("connect_error", reject);
    }),
    `${label} connecting to ${nsp}`,
  );
  socket.connect();
  await connected;
  if (nsp === "/" && takeStatus) {
    const status = await client.next("status", (d) => d?.msg === "Connected to chat!", WAIT_MS, "the connect status");
    assert.deepEqual(status, { msg: "Connected to chat!" });
  }
  return client;
}

/** Joins `client` as `username` and waits for its own "<username> joined!" status. */
async function join(client, username) {
  client.emit("join", { username });
  const status = await client.next("status", (d) => d?.msg === `${username} joined!`, WAIT_MS, `${username} joined!`);
  assert.deepEqual(status, { msg: `${username} joined!` });
}

/** join_room and wait for the joiner's own "<username> joined room <room>" status. */
async function joinRoom(client, room, username) {
  client.emit("join_room", { room, username });
  const msg = `${username} joined room ${room}`;
  assert.deepEqual(await client.next("status", (d) => d?.msg === msg, WAIT_MS, msg), { msg });
}

const isMessage = (text) => (d) => d?.message === text;

/**
 * Once user `name` on `a` has its histories, drops `a`'s connection as a network failure would (a TCP reset under WebSocket; polling: the
 * engine closes) and, once `b` saw user `name` leave, has `b` write in the lobby and in `room`.
 * Resolves with a's socket id, its event count then, and the two messages it missed.
 */
async function dropWhileOthersWrite(a, b, name, room) {
  // a's histories (of its join and of its join_room) came, so that none is still on its way.
  await historyOf(a, undefined);
  await historyOf(a, room);
  const sid = a.socket.id;
  const engine = a.socket.io.engine;
  if (engine.transport.name === "websocket") engine.transport.ws._socket.resetAndDestroy();
  else engine.close();
  await b.next("user_left", (d) => d?.username === name);
  const missed = [uniq("lobby"), uniq("room")];
  b.emit("message", { message: missed[0] });
  b.emit("room_message", { room, message: missed[1] });
  await b.next("message", isMessage(missed[1]));
  return { sid, seen: a.events.length, missed };
}

/**
 * `a` (user `name`, in `room`, socket id `sid`) came back after its connection dropped, as a
 * recovered connection: the lobby and room `missed` messages that `b` sent meanwhile arrived
 * once and in order after event index `seen`, with no greeting and no history refetched (the
 * page keeps what it has); it is back in the room and in presence (others are told, the roster
 * has the name), and the room's next message reaches it.
 */
async function assertRecovered(a, b, { sid, seen, name, room, missed }) {
  assert.equal(a.socket.recovered, true);
  assert.equal(a.socket.id, sid);
  a.disconnectReason = undefined; // connected again
  await a.next("message", isMessage(missed.at(-1)));
  const messages = a.events.slice(seen).filter((e) => e.name === "message").map((e) => e.args[0].message);
  assert.deepEqual(messages, missed);
  assert.deepEqual(a.events.slice(seen).filter((e) => e.name === "history" || e.name === "status" && e.args[0]?.msg === "Connected to chat!"), []);
  await b.next("status", (d) => d?.msg === `${name} is back`);
  await b.next("users", (d) => d?.room === room && d.users?.includes(name));
  const after = uniq("after");
  b.emit("room_message", { room, message: after });
  await a.next("message", isMessage(after));
}

const CHAT_NODES = Number(process.env.CHORUS_CHAT_NODES ?? 1);
const clustered = CHAT_NODES > 1;

/** One chorus node (the fixture's --db is ignored with --redis-url). */
const startNode = (args, redis) =>
  startFixture([...args, ...(redis ? ["--redis-url", redis.url, "--redis-key", "chat-test"] : [])], { binaryEnv: "CHORUS_BINARY" });

/**
 * The chat under test: one chorus, or with CHORUS_CHAT_NODES=N a redis-server and N nodes
 * sharing it, whose `url` names the next node in turn (so consecutive clients land on different
 * nodes). stop() stops the nodes, then Redis.
 */
async function startChat(args) {
  if (!clustered) return startNode(args);
  const redis = await startRedis();
  const nodes = [];
  try {
    for (let i = 0; i < CHAT_NODES; ++i) nodes.push(await startNode(args, redis));
  } catch (error) {
    for (const node of nodes) await node.stop().catch(() => {});
    await redis.stop();
    throw error;
  }
  let next = 0;
  return {
    redis,
    nodes,
    get url() {
      return nodes[next++ % nodes.length].url;
    },
    async stop() {
      try {
        for (const node of nodes) await node.stop();
      } finally {
        await redis.stop();
      }
    },
  };
}

describe("chat", () => {
  let fx;
  before(async () => {
    fx = await startChat(["--host", "127.0.0.1", "--rate-limit", "0", "--db", ":memory:"]);
  });
  after(async () => {
    await fx?.stop();
  });

  for (const mode of modes) {
    describe(mode.name, () => {
      const open = (t, label, options) => connect(t, fx, mode.opts, label, options);

      it("greets a new connection with a status to that client only", async (t) => {
        const earlier = await open(t, "earlier");
        const alice = await open(t, "alice");
        // alice's join follows her greeting on her connection: once `earlier` sees the join, a
        // greeting sent to everyone would have arrived too.
        const name = uniq("alice");
        await join(alice, name);
        await earlier.next("status", (d) => d?.msg === `${name} joined!`);
        assert.equal(earlier.seen("status", (d) => d?.msg === "Connected to chat!").length, 1);
        assert.equal(alice.seen("status", (d) => d?.msg === "Connected to chat!").length, 1);
      });

      it("recovers a user whose connection drops: same rooms, what was said meanwhile once and in order", async (t) => {
        // Connection state recovery is on by default (--recovery-window 120000): the CONNECT
        // reply carries a pid and stored events an offset.
        const a = await open(t, "a");
        const b = await open(t, "b");
        assert.equal(typeof a.socket._pid, "string");
        const name = uniq("dora");
        const room = uniq("room");
        await join(a, name);
        await joinRoom(a, room, name);
        await joinRoom(b, room, uniq("b"));
        const before = uniq("before");
        a.emit("message", { message: before });
        await a.next("message", isMessage(before));
        assert.equal(typeof a.events.find((e) => e.name === "message" && e.args[0]?.message === before).offset, "string");
        const { sid, seen, missed } = await dropWhileOthersWrite(a, b, name, room);
        const back = within(WAIT_MS, new Promise((resolve) => a.socket.once("connect", resolve)), "a back");
        a.socket.connect();
        await back;
        await assertRecovered(a, b, { sid, seen, name, room, missed });
      });

      it("announces a join to everyone, the joiner included", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const c = await open(t, "c");
        const name = uniq("bob");
        a.emit("join", { username: name });
        for (const client of [a, b, c])
          assert.deepEqual(await client.next("status", (d) => d?.msg === `${name} joined!`), { msg: `${name} joined!` });
        // joining again under another name announces that one
        const renamed = uniq("robert");
        await join(a, renamed);
        await b.next("status", (d) => d?.msg === `${renamed} joined!`);
      });

      it("sends a message to everyone, the sender included, with username and timestamp", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const name = uniq("carol");
        await join(a, name);
        const text = uniq("hello everyone");
        a.emit("message", { message: text });
        for (const client of [a, b]) {
          const got = await client.next("message", isMessage(text));
          assert.deepEqual(Object.keys(got).sort(), ["message", "timestamp", "username"]);
          assert.equal(got.username, name);
          assert.equal(got.message, text);
          assert.match(got.timestamp, TIMESTAMP);
        }
      });

      it("names a sender who never joined Anonymous", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const text = uniq("who am i");
        a.emit("message", { message: text });
        for (const client of [a, b]) {
          const got = await client.next("message", isMessage(text));
          assert.equal(got.username, "Anonymous");
          assert.match(got.timestamp, TIMESTAMP);
        }
      });

      it("returns text verbatim: HTML, quotes, backslashes, control characters, non-ASCII", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const name = `<b>"${uniq("eve")}"</b>`;
        await join(a, name);
        await b.next("status", (d) => d?.msg === `${name} joined!`);
        const texts = [
          "<img src=x onerror=alert(1)>",
          `<script>alert("x")</script> & &amp; 'single' "double" \\ back\\slash /slash`,
          "tab\tnewline\nreturn\r\u0001\u001f\u007f nul\u0000 end",
          "héllo wörld ✓ 😀 \u2028\u2029 中文",
        ];
        for (const text of texts) a.emit("message", { message: text });
        for (const client of [a, b])
          for (const text of texts) {
            const got = await client.next("message", isMessage(text), WAIT_MS, JSON.stringify(text));
            assert.equal(got.username, name);
          }
      });

      it("tells everyone else when a joined user disconnects", async (t) => {
        const leaver = await open(t, "leaver");
        const b = await open(t, "b");
        const c = await open(t, "c");
        const name = uniq("dave");
        await join(leaver, name);
        await b.next("status", (d) => d?.msg === `${name} joined!`);
        leaver.socket.disconnect();
        for (const client of [b, c])
          assert.deepEqual(await client.next("user_left", (d) => d?.username === name), { username: name });
      });

      it("tells everyone else when a joined user's transport closes without a goodbye", async (t) => {
        const leaver = await open(t, "leaver");
        const b = await open(t, "b");
        const name = uniq("frank");
        await join(leaver, name);
        await b.next("status", (d) => d?.msg === `${name} joined!`);
        leaver.socket.io.engine.close(); // no Socket.IO DISCONNECT packet
        assert.deepEqual(await b.next("user_left", (d) => d?.username === name), { username: name });
      });

      it("says nothing when a user who never joined disconnects", async (t) => {
        const silent = await open(t, "silent");
        const joined = await open(t, "joined");
        const b = await open(t, "b");
        const name = uniq("grace");
        await join(joined, name);
        await b.next("status", (d) => d?.msg === `${name} joined!`);
        const silentText = uniq("anonymous words");
        silent.emit("message", { message: silentText });
        await b.next("message", isMessage(silentText));
        silent.socket.disconnect();
        await sleep(GRACE_MS);
        joined.socket.disconnect();
        await b.next("user_left", (d) => d?.username === name);
        await sleep(GRACE_MS);
        // only joined users are announced (earlier tests' users may still be leaving)
        for (const d of b.seen("user_left"))
          assert.ok(typeof d?.username === "string" && d.username !== "" && d.username !== "Anonymous", JSON.stringify(d));
      });

      it("keeps a room's messages and statuses within the room", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const outsider = await open(t, "outsider");
        const room = uniq("room");
        const an = uniq("ann");
        const bn = uniq("ben");
        await joinRoom(a, room, an);
        await joinRoom(b, room, bn);
        assert.deepEqual(await a.next("status", (d) => d?.msg === `${bn} joined room ${room}`), { msg: `${bn} joined room ${room}` });

        const text = uniq("room talk");
        a.emit("room_message", { room, message: text });
        for (const client of [a, b]) {
          const got = await client.next("message", isMessage(text));
          assert.deepEqual(Object.keys(got).sort(), ["message", "room", "timestamp", "username"]);
          assert.equal(got.room, room);
          assert.equal(got.username, "Anonymous"); // a never sent `join`
          assert.match(got.timestamp, TIMESTAMP);
        }
        // after a `join`, room messages carry the name
        const named = uniq("ann-global");
        await join(a, named);
        const text2 = uniq("room talk 2");
        a.emit("room_message", { room, message: text2 });
        assert.equal((await b.next("message", isMessage(text2))).username, named);

        // a message to everyone from a, after the room traffic: once the outsider has it, the room
        // traffic would have arrived too
        const marker = uniq("marker");
        a.emit("message", { message: marker });
        await outsider.next("message", isMessage(marker));
        assert.deepEqual(outsider.seen("message", (d) => d?.room === room), []);
        assert.deepEqual(outsider.seen("status", (d) => String(d?.msg).includes(room)), []);
      });

      it("announces leave_room to those still in the room, not the leaver", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const outsider = await open(t, "outsider");
        const room = uniq("room");
        const an = uniq("ann");
        const bn = uniq("ben");
        await joinRoom(a, room, an);
        await joinRoom(b, room, bn);
        await a.next("status", (d) => d?.msg === `${bn} joined room ${room}`);

        b.emit("leave_room", { room, username: bn });
        const left = `${bn} left room ${room}`;
        assert.deepEqual(await a.next("status", (d) => d?.msg === left), { msg: left });

        // b is out: a's room message reaches a only; b's next message to everyone orders b's view
        const text = uniq("after leaving");
        a.emit("room_message", { room, message: text });
        await a.next("message", isMessage(text));
        const markerA = uniq("marker a");
        a.emit("message", { message: markerA });
        await b.next("message", isMessage(markerA));
        await outsider.next("message", isMessage(markerA));
        assert.deepEqual(b.seen("message", isMessage(text)), []);
        assert.deepEqual(outsider.seen("message", isMessage(text)), []);
        const markerB = uniq("marker b");
        b.emit("message", { message: markerB });
        await b.next("message", isMessage(markerB));
        assert.deepEqual(b.seen("status", (d) => d?.msg === left), [], "the leaver got its own leave_room status");
        assert.deepEqual(outsider.seen("status", (d) => String(d?.msg).includes(room)), []);

        // leaving a room one is not in still announces to the room's members
        const on = uniq("olga");
        outsider.emit("leave_room", { room, username: on });
        await a.next("status", (d) => d?.msg === `${on} left room ${room}`);
      });

      it("delivers a room_message from a non-member to the members only", async (t) => {
        const member = await open(t, "member");
        const sender = await open(t, "sender");
        const room = uniq("room");
        await joinRoom(member, room, uniq("mia"));
        const text = uniq("knock knock");
        sender.emit("room_message", { room, message: text });
        const got = await member.next("message", isMessage(text));
        assert.equal(got.room, room);
        const marker = uniq("marker");
        sender.emit("message", { message: marker });
        await sender.next("message", isMessage(marker));
        assert.deepEqual(sender.seen("message", isMessage(text)), []);
      });

      it("keeps rooms apart", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const both = await open(t, "both");
        const r1 = uniq("r1");
        const r2 = uniq("r2");
        await joinRoom(a, r1, "a");
        await joinRoom(b, r2, "b");
        await joinRoom(both, r1, "both");
        await joinRoom(both, r2, "both");
        const t1 = uniq("to r1");
        const t2 = uniq("to r2");
        both.emit("room_message", { room: r1, message: t1 });
        both.emit("room_message", { room: r2, message: t2 });
        assert.equal((await a.next("message", isMessage(t1))).room, r1);
        assert.equal((await b.next("message", isMessage(t2))).room, r2);
        assert.equal((await both.next("message", isMessage(t1))).room, r1);
        assert.equal((await both.next("message", isMessage(t2))).room, r2);
        const marker = uniq("marker");
        both.emit("message", { message: marker });
        await a.next("message", isMessage(marker));
        await b.next("message", isMessage(marker));
        assert.deepEqual(a.seen("message", isMessage(t2)), []);
        assert.deepEqual(b.seen("message", isMessage(t1)), []);
        assert.equal(both.seen("message", isMessage(t1)).length, 1);
      });

      it("answers bad payloads with Invalid message to the sender only and carries on", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const name = uniq("henry");
        await join(a, name);
        const room = uniq("room");
        await joinRoom(a, room, name);
        await joinRoom(b, room, uniq("b"));
        const long = (n, ch = "x") => ch.repeat(n);
        const bad = [
          ["join"],
          ["join", {}],
          ["join", { name: "x" }],
          ["join", { username: 5 }],
          ["join", { username: null }],
          ["join", { username: true }],
          ["join", { username: ["x"] }],
          ["join", { username: { first: "x" } }],
          ["join", { username: "" }],
          ["join", { username: long(33) }],
          ["join", { username: long(17, "é") }], // 17 characters, 34 bytes
          ["join", "alice"],
          ["join", 42],
          ["join", null],
          ["join", ["alice"]],
          ["join", Buffer.from("alice")],
          ["message"],
          ["message", {}],
          ["message", { message: 1 }],
          ["message", { message: null }],
          ["message", { message: "" }],
          ["message", { message: ["hi"] }],
          ["message", { message: Buffer.from("hi") }],
          ["message", { message: long(2001) }],
          ["message", { message: long(1001, "é") }], // 1001 characters, 2002 bytes
          ["message", "hi"],
          ["message", 3.5],
          ["join_room", { room }],
          ["join_room", { username: name }],
          ["join_room", { room: "", username: name }],
          ["join_room", { room, username: "" }],
          ["join_room", { room: long(65), username: name }],
          ["join_room", { room, username: long(33) }],
          ["join_room", { room: 7, username: name }],
          ["join_room", room],
          ["leave_room", { room }],
          ["leave_room", { username: name }],
          ["leave_room", { room: long(65), username: name }],
          ["leave_room", { room, username: long(33) }],
          ["leave_room", { room: "", username: name }],
          ["leave_room"],
          ["room_message", { room }],
          ["room_message", { message: "hi" }],
          ["room_message", { room, message: "" }],
          ["room_message", { room, message: long(2001) }],
          ["room_message", { room: long(65), message: "hi" }],
          ["room_message", { room: 1, message: "hi" }],
          ["room_message", { room, message: 1 }],
          ["room_message", [room, "hi"]],
        ];
        for (const args of bad) a.emit(...args);
        const marker = uniq("still here");
        a.emit("message", { message: marker });
        const back = await a.next("message", isMessage(marker));
        assert.equal(back.username, name, "a bad join changed the username");
        await b.next("message", isMessage(marker));
        // a's replies come in order: one error per bad payload, before the marker
        const errors = a.events.slice(0, a.indexOf("message", isMessage(marker))).filter((e) => e.name === "error");
        assert.equal(errors.length, bad.length);
        for (const e of errors) assert.deepEqual(e.args, [INVALID]);
        assert.equal(b.seen("error").length, 0, "b received a's error");
        // nothing was announced or delivered for them: b's statuses between its own room join and
        // the marker are only a's earlier joins (which may come late from another shard, or node)
        const from = b.indexOf("status", (d) => d?.msg?.endsWith(` joined room ${room}`) && !d.msg.startsWith(`${name} `));
        const to = b.indexOf("message", isMessage(marker));
        // (`history` and `users` answer b's own join_room; history may come from the writer thread)
        const extra = b.events
          .slice(from + 1, to)
          .filter(
            (e) =>
              !["user_left", "history", "users"].includes(e.name) &&
              !(e.name === "status" && [`${name} joined!`, `${name} joined room ${room}`].includes(e.args[0]?.msg)),
          );
        assert.deepEqual(extra, []);
        assert.ok(a.socket.connected && b.socket.connected);
        // a is still in the room and can talk in it
        const text = uniq("room still works");
        a.emit("room_message", { room, message: text });
        await b.next("message", isMessage(text));
      });

      it("ignores extra fields, extra arguments and the order of fields", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const room = uniq("room");
        const an = uniq("ann");
        a.emit("join_room", { username: an, extra: [1, 2], room });
        assert.deepEqual(await a.next("status", (d) => d?.msg === `${an} joined room ${room}`), { msg: `${an} joined room ${room}` });
        await joinRoom(b, room, uniq("ben"));
        const name = uniq("ivy");
        a.emit("join", { other: "x", username: name }, "second argument");
        await b.next("status", (d) => d?.msg === `${name} joined!`);
        const text = uniq("extra");
        a.emit("message", { nested: { message: "not this" }, message: text, username: "spoofed", timestamp: "x" }, 2);
        const got = await b.next("message", isMessage(text));
        assert.equal(got.username, name);
        assert.match(got.timestamp, TIMESTAMP);
        const text2 = uniq("room extra");
        a.emit("room_message", { message: text2, username: "spoofed", room });
        const got2 = await b.next("message", isMessage(text2));
        assert.equal(got2.username, name);
        assert.equal(got2.room, room);
        assert.equal(a.seen("error").length, 0);
      });

      it(
        "answers a message with a lone surrogate escape and keeps the connection",
        async (t) => {
          const a = await open(t, "a");
          // JSON.stringify writes "\ud800", which JSON.parse (the npm server) accepts
          a.emit("message", { message: "lone \ud800 surrogate" });
          const marker = uniq("after the surrogate");
          a.emit("message", { message: marker });
          await a.next("message", isMessage(marker), WAIT_MS, "the next message on the same connection");
          // verbatim (as the npm server would) or Invalid message: either way the connection carries on
          const answer = a.events.find((e) => e.name === "error" || (e.name === "message" && e.args[0]?.message?.startsWith("lone ")));
          assert.ok(answer, "no answer to the surrogate message");
          if (answer.name === "error") assert.deepEqual(answer.args, [INVALID]);
          // verbatim, or with the lone surrogate replaced by U+FFFD (chorus) as a UTF-8 decoder would
          else assert.ok(["lone \ud800 surrogate", "lone \ufffd surrogate"].includes(answer.args[0].message), answer.args[0].message);
        },
      );

      it("accepts text at the length limits", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const name = long32(uniq("i"));
        await join(a, name);
        const nameUtf8 = "é".repeat(16); // 32 bytes
        await join(a, nameUtf8);
        const room = (uniq("room") + "r".repeat(64)).slice(0, 64);
        await joinRoom(a, room, name);
        await joinRoom(b, room, "b");
        const text = (uniq("m") + "m".repeat(2000)).slice(0, 2000);
        a.emit("message", { message: text });
        assert.equal((await b.next("message", isMessage(text))).username, nameUtf8);
        const text2 = (uniq("n") + "ü".repeat(1000)).slice(0, 1000); // <= 2000 bytes
        a.emit("room_message", { room, message: text2 });
        assert.equal((await b.next("message", isMessage(text2))).room, room);
        assert.equal(a.seen("error").length, 0);
      });
    });
  }

  it("puts WebSocket, polling and upgrading clients in one room", async (t) => {
    const ws = await connect(t, fx, modes[0].opts, "ws");
    const polling = await connect(t, fx, modes[1].opts, "polling");
    const upgrading = await connect(t, fx, {}, "upgrading");
    const outsider = await connect(t, fx, modes[1].opts, "outsider");
    const room = uniq("mixed");
    const members = [ws, polling, upgrading];
    const names = [uniq("ws"), uniq("polling"), uniq("upgrading")];
    for (let i = 0; i < members.length; ++i) {
      await join(members[i], names[i]);
      await joinRoom(members[i], room, names[i]);
      for (let j = 0; j < i; ++j) await members[j].next("status", (d) => d?.msg === `${names[i]} joined room ${room}`);
    }
    for (let i = 0; i < members.length; ++i) {
      const text = uniq(`from ${names[i]}`);
      members[i].emit("room_message", { room, message: text });
      for (const m of members) {
        const got = await m.next("message", isMessage(text));
        assert.equal(got.username, names[i]);
        assert.equal(got.room, room);
      }
      const everyone = uniq(`everyone from ${names[i]}`);
      members[i].emit("message", { message: everyone });
      for (const m of [...members, outsider]) assert.equal((await m.next("message", isMessage(everyone))).username, names[i]);
    }
    assert.deepEqual(outsider.seen("message", (d) => d?.room === room), []);
    // the polling member leaves; the others hear it, then the WebSocket one disconnects
    polling.emit("leave_room", { room, username: names[1] });
    await ws.next("status", (d) => d?.msg === `${names[1]} left room ${room}`);
    await upgrading.next("status", (d) => d?.msg === `${names[1]} left room ${room}`);
    ws.socket.disconnect();
    for (const c of [polling, upgrading, outsider]) await c.next("user_left", (d) => d?.username === names[0]);
  });

  describe("namespaces", () => {
    for (const mode of modes) {
      for (const [nsp, reply] of [
        ["/chat", "response"],
        ["/notifications", "alert"],
      ]) {
        it(`${nsp} answers message with ${reply} carrying the same data (${mode.name})`, async (t) => {
          const a = await connect(t, fx, mode.opts, `a${nsp}`, { nsp });
          const b = await connect(t, fx, mode.opts, `b${nsp}`, { nsp });
          const id = uniq("id");
          const payloads = [
            { id, message: "hello", nested: { list: [1, 2.5, "three", null, true], empty: {} } },
            { id, message: "<img src=x onerror=alert(1)>" },
            { id, message: "", extra: 1 }, // the echo does not validate
            { id, unicode: "héllo 😀 \u2028", quote: '"\\' },
          ];
          for (const p of payloads) a.emit("message", p);
          const got = await a.nextCount(reply, (d) => d?.id === id, payloads.length);
          assert.deepEqual(got, payloads);
          // binary data comes back as binary
          a.emit("message", { id, bytes: Buffer.from([0, 1, 2, 255]) });
          const bin = await a.next(reply, (d) => d?.id === id && d.bytes !== undefined);
          assert.deepEqual(Buffer.from(bin.bytes), Buffer.from([0, 1, 2, 255]));
          // to the sender only, and not as the main namespace's chat
          const bid = uniq("b");
          b.emit("message", { id: bid });
          assert.deepEqual(await b.next(reply, (d) => d?.id === bid), { id: bid });
          await sleep(GRACE_MS);
          assert.deepEqual(b.seen(reply, (d) => d?.id === id), []);
          assert.deepEqual(a.seen("message"), []);
          assert.deepEqual(a.seen("status"), []);
          assert.deepEqual(a.seen(reply === "response" ? "alert" : "response"), []);
        });
      }
    }

    it("one client on /, /chat and /notifications over one connection keeps them apart", async (t) => {
      const main = io(fx.url, { ...clientDefaults, transports: ["websocket"], autoConnect: false });
      const manager = main.io;
      const chat = new Client(manager.socket("/chat"), "chat");
      const notifications = new Client(manager.socket("/notifications"), "notifications");
      const root = new Client(main, "root");
      t.after(() => {
        for (const s of [main, chat.socket, notifications.socket]) s.disconnect();
        manager.engine?.close();
      });
      for (const s of [main, chat.socket, notifications.socket]) s.connect();
      await within(
        WAIT_MS,
        Promise.all(
          [main, chat.socket, notifications.socket].map(
            (s) => new Promise((resolve, reject) => (s.connected ? resolve() : (s.once("connect", resolve), s.once("connect_error", reject)))),
          ),
        ),
        "three namespaces connecting",
      );
      await root.next("status", (d) => d?.msg === "Connected to chat!");
      const text = uniq("multiplexed");
      chat.emit("message", { text });
      notifications.emit("message", { text });
      root.emit("message", { message: text });
      assert.deepEqual(await chat.next("response"), { text });
      assert.deepEqual(await notifications.next("alert"), { text });
      assert.equal((await root.next("message", isMessage(text))).username, "Anonymous");
      assert.deepEqual(root.seen("response"), []);
      assert.deepEqual(root.seen("alert"), []);
      assert.deepEqual(chat.seen("message"), []);
      assert.deepEqual(notifications.seen("message"), []);
    });
  });

  it("delivers 200 messages sent at once, in order, with --rate-limit 0", async (t) => {
    const ws = await connect(t, fx, modes[0].opts, "ws");
    const polling = await connect(t, fx, modes[1].opts, "polling");
    const tag = uniq("burst");
    const isBurst = (d) => typeof d?.message === "string" && d.message.startsWith(`${tag}:`);
    for (const sender of [ws, polling]) {
      const prefix = `${tag}:${sender.label}:`;
      for (let i = 0; i < 200; ++i) sender.emit("message", { message: `${prefix}${i}` });
      for (const receiver of [ws, polling]) {
        const got = await receiver.nextCount("message", (d) => d?.message?.startsWith(prefix), 200, 30_000, `${sender.label}'s burst`);
        assert.deepEqual(
          got.map((d) => d.message),
          Array.from({ length: 200 }, (_, i) => `${prefix}${i}`),
        );
      }
    }
    assert.equal(ws.seen("error").length + polling.seen("error").length, 0);
    assert.equal(ws.seen("message", isBurst).length, 400);
  });
});

describe("chat with --rate-limit 5", () => {
  let fx;
  before(async () => {
    fx = await startChat(["--host", "127.0.0.1", "--rate-limit", "5", "--db", ":memory:"]);
  });
  after(async () => {
    await fx?.stop();
  });

  for (const mode of modes) {
    it(`refuses a flood with Rate limit exceeded to the sender only, then recovers (${mode.name})`, async (t) => {
      const flooder = await connect(t, fx, mode.opts, "flooder");
      const other = await connect(t, fx, mode.opts, "other");
      const tag = uniq("flood");
      const mine = (d) => typeof d?.message === "string" && d.message.startsWith(`${tag}:`);
      for (let i = 0; i < 50; ++i) flooder.emit("message", { message: `${tag}:${i}` });
      // every event gets exactly one answer to the sender: its message back, or an error
      const deadline = Date.now() + WAIT_MS;
      while (flooder.seen("message", mine).length + flooder.seen("error").length < 50) {
        if (Date.now() > deadline)
          throw new Error(`flooder got ${flooder.seen("message", mine).length} messages and ${flooder.seen("error").length} errors of 50`);
        await sleep(20);
      }
      const accepted = flooder.seen("message", mine).length;
      const errors = flooder.seen("error");
      assert.equal(accepted + errors.length, 50);
      assert.ok(errors.length >= 1, "no rate-limit error");
      assert.ok(accepted >= 1 && accepted <= 12, `${accepted} of 50 accepted`);
      for (const e of errors) assert.deepEqual(e, RATE_LIMITED);
      // the accepted ones reach the others; the errors do not
      await other.nextCount("message", mine, accepted);
      // another connection is not limited by the flooder's bucket
      const otherText = uniq("other");
      other.emit("message", { message: otherText });
      await flooder.next("message", isMessage(otherText));
      assert.equal(other.seen("message", mine).length, accepted);
      assert.equal(other.seen("error").length, 0);
      // the bucket refills
      await sleep(1_500);
      const again = uniq("again");
      flooder.emit("message", { message: again });
      const back = await flooder.next("message", isMessage(again));
      assert.equal(back.username, "Anonymous");
      await other.next("message", isMessage(again));
      assert.equal(flooder.seen("error").length, errors.length);
      assert.ok(flooder.socket.connected);
    });
  }

  it("drops typing past the rate silently, with a bucket of its own", async (t) => {
    const typist = await connect(t, fx, modes[0].opts, "typist");
    const other = await connect(t, fx, modes[0].opts, "other");
    const room = uniq("typing-rl");
    await joinRoom(typist, room, "typist");
    await joinRoom(other, room, "other");
    for (let i = 0; i < 50; ++i) typist.emit("typing", { room });
    for (let i = 0; i < 50; ++i) typist.emit("typing", { room: "" }); // bad, and past the rate
    // the message bucket is untouched: a message right after is accepted
    const text = uniq("after typing");
    typist.emit("message", { message: text });
    await other.next("message", isMessage(text));
    const typed = other.seen("typing", (d) => d?.room === room).length;
    assert.ok(typed >= 1 && typed <= 12, `${typed} of 50 typing events delivered`);
    assert.deepEqual(typist.seen("error"), []);
  });

  it("limits join and room events too, and the connection carries on", async (t) => {
    const a = await connect(t, fx, modes[0].opts, "a");
    const name = uniq("rl");
    for (let i = 0; i < 30; ++i) a.emit("join", { username: `${name}-${i}` });
    const deadline = Date.now() + WAIT_MS;
    const joined = () => a.seen("status", (d) => d?.msg?.startsWith(`${name}-`)).length;
    while (joined() + a.seen("error").length < 30) {
      if (Date.now() > deadline) throw new Error(`got ${joined()} statuses and ${a.seen("error").length} errors of 30`);
      await sleep(20);
    }
    assert.ok(a.seen("error").length >= 1);
    for (const e of a.seen("error")) assert.deepEqual(e, RATE_LIMITED);
    await sleep(1_500);
    const room = uniq("room");
    await joinRoom(a, room, name);
  });
});

// ---------------------------------------------------------------------------------------------
// Beyond the seed: history, presence, typing, acks, private messages (server/chat/*).

const HISTORY_SIZE = 50;
const USERS_KEYS = ["count", "room", "users", "version"];

/** The next `history` for `room` (the lobby's when room is undefined). */
const historyOf = (client, room) => client.next("history", (d) => d?.room === room && Array.isArray(d?.messages), WAIT_MS, `history of ${room ?? "the lobby"}`);

/** The next `users` of `room` listing exactly `names` (sorted). */
async function usersOf(client, room, names) {
  const want = [...names].sort();
  const got = await client.next(
    "users",
    (d) => d?.room === room && JSON.stringify(d.users) === JSON.stringify(want),
    WAIT_MS,
    `users of ${room} = ${JSON.stringify(want)}`,
  );
  assert.deepEqual(Object.keys(got).sort(), USERS_KEYS);
  assert.equal(got.count, want.length);
  assert.ok(Number.isSafeInteger(got.version) && got.version > 0, JSON.stringify(got));
  return got;
}

/** emitWithAck, bounded. */
const emitWithAck = (client, name, ...args) => client.socket.timeout(WAIT_MS).emitWithAck(name, ...args);

describe("chat history, presence, typing, acks and private messages", () => {
  let fx;
  before(async () => {
    fx = await startChat(["--host", "127.0.0.1", "--rate-limit", "0", "--db", ":memory:"]);
  });
  after(async () => {
    await fx?.stop();
  });

  for (const mode of modes) {
    describe(mode.name, () => {
      const open = (t, label, options) => connect(t, fx, mode.opts, label, options);

      it("sends a room's last 50 messages, oldest first, as history on join_room", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const room = uniq("history-room");
        const an = uniq("ann");
        await join(a, an);
        a.emit("join_room", { room, username: an });
        assert.deepEqual(await historyOf(a, room), { room, messages: [] }, "a new room has no history");
        const tag = uniq("h");
        const texts = Array.from({ length: HISTORY_SIZE + 5 }, (_, i) => `${tag}:${i}`);
        for (const text of texts) a.emit("room_message", { room, message: text });
        await a.nextCount("message", (d) => d?.room === room, texts.length);
        // Across nodes a's room messages reach b's node a moment after a has them: once b has a's
        // later lobby message, they have passed b's node (one sender's broadcasts keep their order)
        // and b, not yet in the room, got none of them.
        const marker = uniq("history marker");
        a.emit("message", { message: marker });
        await b.next("message", isMessage(marker));
        b.emit("join_room", { room, username: uniq("ben") });
        const history = await historyOf(b, room);
        assert.deepEqual(Object.keys(history).sort(), ["messages", "room"]);
        assert.deepEqual(history.messages.map((m) => m.message), texts.slice(-HISTORY_SIZE));
        for (const [i, m] of history.messages.entries()) {
          assert.deepEqual(Object.keys(m).sort(), ["id", "message", "room", "timestamp", "username"]);
          assert.equal(m.username, an);
          assert.equal(m.room, room);
          assert.match(m.timestamp, TIMESTAMP);
          assert.ok(Number.isSafeInteger(m.id));
          if (i) assert.ok(m.id > history.messages[i - 1].id, "ids grow oldest to newest");
        }
        // the live messages b saw before joining: none; after: live only
        assert.deepEqual(b.seen("message", (d) => d?.room === room), []);
        // a room's history holds only its own messages
        const other = uniq("history-other");
        b.emit("join_room", { room: other, username: "b" });
        assert.deepEqual(await historyOf(b, other), { room: other, messages: [] });
      });

      it("sends the lobby's last 50 messages as history on join", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const an = uniq("lobby-ann");
        await join(a, an);
        await historyOf(a, undefined);
        const tag = uniq("lobby");
        const texts = Array.from({ length: HISTORY_SIZE + 1 }, (_, i) => `${tag}:${i}`);
        for (const text of texts) a.emit("message", { message: text });
        await a.nextCount("message", (d) => d?.message?.startsWith(`${tag}:`), texts.length);
        // tests run one at a time: nothing else reaches this fixture's lobby meanwhile
        b.emit("join", { username: uniq("lobby-ben") });
        const history = await historyOf(b, undefined);
        assert.deepEqual(Object.keys(history), ["messages"]);
        assert.deepEqual(history.messages.map((m) => m.message), texts.slice(-HISTORY_SIZE));
        for (const m of history.messages) {
          assert.deepEqual(Object.keys(m).sort(), ["id", "message", "timestamp", "username"]);
          assert.equal(m.username, an);
          assert.match(m.timestamp, TIMESTAMP);
        }
        // room messages are not the lobby's
        const room = uniq("not-lobby");
        a.emit("room_message", { room, message: uniq("room only") });
        const marker = uniq("lobby marker");
        a.emit("message", { message: marker });
        await a.next("message", isMessage(marker));
        a.emit("join", { username: an });
        const again = await historyOf(a, undefined);
        assert.equal(again.messages.at(-1).message, marker);
        assert.ok(again.messages.every((m) => m.room === undefined));
      });

      it("acks a message and a room_message with {id, timestamp} once stored", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const room = uniq("ack-room");
        await joinRoom(a, room, "a");
        const text = uniq("acked");
        const ack = await emitWithAck(a, "message", { message: text });
        assert.deepEqual(Object.keys(ack).sort(), ["id", "timestamp"]);
        assert.ok(Number.isSafeInteger(ack.id) && ack.id > 0);
        const live = await b.next("message", isMessage(text));
        assert.equal(ack.timestamp, live.timestamp);
        const roomText = uniq("acked in room");
        const roomAck = await emitWithAck(a, "room_message", { room, message: roomText });
        assert.ok(roomAck.id > ack.id, "ids grow");
        assert.match(roomAck.timestamp, TIMESTAMP);
        // the acked id is the one history shows
        b.emit("join_room", { room, username: "b" });
        const history = await historyOf(b, room);
        assert.deepEqual(history.messages.at(-1), { id: roomAck.id, message: roomText, username: "Anonymous", room, timestamp: roomAck.timestamp });
        // a bad payload with an ack: Invalid message, and the ack never comes
        const refused = emitWithAck(a, "message", { message: "" });
        assert.deepEqual(await a.next("error"), INVALID);
        const marker = uniq("after the refused one");
        await emitWithAck(a, "message", { message: marker });
        await assert.rejects(within(GRACE_MS, refused, "an ack that must not come"));
      });

      it("sends users of a room on join_room, leave_room and disconnect, deduplicated and sorted", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const b2 = await open(t, "b2");
        const c = await open(t, "c");
        const room = uniq("presence");
        const [an, bn, cn] = [uniq("zed"), uniq("bea"), uniq("cy")];
        a.emit("join_room", { room, username: an });
        await usersOf(a, room, [an]);
        b.emit("join_room", { room, username: bn });
        for (const x of [a, b]) await usersOf(x, room, [an, bn]);
        b2.emit("join_room", { room, username: bn }); // a second socket of the same user
        const both = await usersOf(a, room, [an, bn]);
        await usersOf(b2, room, [an, bn]);
        c.emit("join_room", { room, username: cn });
        for (const x of [a, b, b2, c]) await usersOf(x, room, [an, bn, cn]);
        // leave_room: the others hear it, the leaver does not
        c.emit("leave_room", { room, username: cn });
        const afterLeave = await usersOf(a, room, [an, bn]);
        for (const x of [b, b2]) await usersOf(x, room, [an, bn]);
        // one of bn's two sockets leaves: bn stays listed
        b2.socket.disconnect();
        const still = await usersOf(a, room, [an, bn]);
        assert.ok(still.version > both.version, "a later roster has a higher version");
        b.socket.io.engine.close(); // no goodbye
        await usersOf(a, room, [an]);
        const marker = uniq("presence marker");
        a.emit("message", { message: marker });
        await c.next("message", isMessage(marker));
        // Versions order rosters: none made from c's leave on reaches c. (Across nodes c may still
        // get one made before it joined, delivered by the other node after c's join.)
        assert.deepEqual(c.seen("users", (d) => d?.room === room && d.version >= afterLeave.version), [], "c heard rosters after leaving");
        if (!clustered)
          assert.deepEqual(c.seen("users", (d) => d?.room === room && d.users.length !== 3 && !d.users.includes(cn)), [], "c heard rosters after leaving");
        // other rooms' rosters do not reach the room
        assert.ok(a.seen("users").every((d) => d.room === room));
      });

      it("sends typing to the rest of the room with the username, volatile, never to the sender", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const c = await open(t, "c");
        const outsider = await open(t, "outsider");
        const room = uniq("typing");
        const an = uniq("typist");
        await joinRoom(a, room, an);
        await joinRoom(b, room, "b");
        await joinRoom(c, room, "c");
        a.emit("typing", { room });
        for (const x of [b, c]) assert.deepEqual(await x.next("typing"), { room, username: an });
        // the sender's later emits arrive after anything it sent before
        const marker = uniq("typing marker");
        a.emit("message", { message: marker });
        for (const x of [a, outsider]) await x.next("message", isMessage(marker));
        assert.deepEqual(a.seen("typing"), []);
        assert.deepEqual(outsider.seen("typing"), []);
        // a never-joined sender is named as in its messages
        outsider.emit("typing", { room });
        assert.deepEqual(await b.next("typing"), { room, username: "Anonymous" });
      });

      it("sends a private message to every socket of the named user, and only to them", async (t) => {
        const alice = await open(t, "alice");
        const bobs = [await open(t, "bob1"), await open(t, "bob2"), await open(t, "bob3")];
        const carol = await open(t, "carol");
        const [an, bn, cn] = [uniq("alice"), uniq("bob"), uniq("carol")];
        await join(alice, an);
        for (const bob of bobs) {
          await join(bob, bn);
          // The first bob's "joined!" reaches the others too and satisfies join()'s wait before
          // their own join has been handled; the lobby history goes to the joiner alone.
          await historyOf(bob, undefined);
        }
        await join(carol, cn);
        const text = uniq("psst");
        const ack = await emitWithAck(alice, "private_message", { to: bn, message: text });
        assert.deepEqual(Object.keys(ack), ["timestamp"]);
        for (const bob of bobs) {
          const got = await bob.next("private_message");
          assert.deepEqual(Object.keys(got).sort(), ["from", "message", "timestamp", "to"]);
          assert.deepEqual(got, { from: an, to: bn, message: text, timestamp: ack.timestamp });
        }
        const marker = uniq("pm marker");
        alice.emit("message", { message: marker });
        for (const x of [alice, carol]) await x.next("message", isMessage(marker));
        assert.deepEqual(alice.seen("private_message"), []);
        assert.deepEqual(carol.seen("private_message"), []);
        // private messages are not history
        carol.emit("join", { username: cn });
        assert.ok((await historyOf(carol, undefined)).messages.every((m) => m.message !== text));
        // an unknown user: an error to the sender only
        alice.emit("private_message", { to: uniq("nobody"), message: "hello?" });
        assert.deepEqual(await alice.next("error"), { msg: "User not found" });
        // a bob who renames no longer gets bn's messages; when no socket is bn, bn is unknown
        await join(bobs[0], uniq("robert"));
        bobs[1].socket.disconnect();
        const second = uniq("second psst");
        await emitWithAck(alice, "private_message", { to: bn, message: second });
        assert.equal((await bobs[2].next("private_message")).message, second);
        const marker2 = uniq("pm marker 2");
        alice.emit("message", { message: marker2 });
        await bobs[0].next("message", isMessage(marker2));
        assert.deepEqual(bobs[0].seen("private_message", (d) => d?.message === second), []);
        bobs[2].socket.disconnect();
        await carol.nextCount("user_left", (d) => d?.username === bn, 2); // bob2's, then bob3's
        alice.emit("private_message", { to: bn, message: "gone?" });
        assert.deepEqual(await alice.next("error"), { msg: "User not found" });
        assert.deepEqual(alice.seen("error").slice(-2), [{ msg: "User not found" }, { msg: "User not found" }]);
      });

      it("refuses join_room past 100 rooms with Too many rooms, and accepts it again after a leave", async (t) => {
        const a = await open(t, "a");
        const tag = uniq("many");
        const rooms = Array.from({ length: 100 }, (_, i) => `${tag}:${i}`);
        for (const room of rooms) a.emit("join_room", { room, username: "a" });
        await a.nextCount("status", (d) => d?.msg?.startsWith(`a joined room ${tag}:`), rooms.length);
        const extra = `${tag}:extra`;
        a.emit("join_room", { room: extra, username: "a" });
        assert.deepEqual(await a.next("error"), { msg: "Too many rooms" });
        a.emit("join_room", { room: rooms[0], username: "a" }); // one it is in: fine
        await a.next("status", (d) => d?.msg === `a joined room ${rooms[0]}`);
        a.emit("leave_room", { room: rooms[1], username: "a" });
        await joinRoom(a, extra, "a");
        assert.equal(a.seen("error").length, 1);
      });

      it("answers bad typing and private_message payloads and reserved room names with Invalid message", async (t) => {
        const a = await open(t, "a");
        const b = await open(t, "b");
        const name = uniq("checker");
        await join(a, name);
        await join(b, uniq("victim"));
        const room = uniq("room");
        await joinRoom(b, room, "b");
        const long = (n, ch = "x") => ch.repeat(n);
        const reserved = `@user:${name}`;
        const bad = [
          ["typing"],
          ["typing", {}],
          ["typing", { room: "" }],
          ["typing", { room: long(65) }],
          ["typing", { room: 5 }],
          ["typing", { room: null }],
          ["typing", room],
          ["typing", { room: reserved }],
          ["private_message"],
          ["private_message", {}],
          ["private_message", { to: name }],
          ["private_message", { message: "hi" }],
          ["private_message", { to: "", message: "hi" }],
          ["private_message", { to: long(33), message: "hi" }],
          ["private_message", { to: 5, message: "hi" }],
          ["private_message", { to: name, message: "" }],
          ["private_message", { to: name, message: long(2001) }],
          ["private_message", { to: name, message: ["hi"] }],
          ["private_message", "hi"],
          ["join_room", { room: reserved, username: name }],
          ["leave_room", { room: reserved, username: name }],
          ["room_message", { room: reserved, message: "into a private room" }],
        ];
        for (const args of bad) a.emit(...args);
        const marker = uniq("still here");
        a.emit("message", { message: marker });
        await a.next("message", isMessage(marker));
        const errors = a.events.slice(0, a.indexOf("message", isMessage(marker))).filter((e) => e.name === "error");
        assert.equal(errors.length, bad.length);
        for (const e of errors) assert.deepEqual(e.args, [INVALID]);
        await b.next("message", isMessage(marker));
        for (const event of ["typing", "private_message", "error"]) assert.deepEqual(b.seen(event), [], `b got ${event}`);
        assert.deepEqual(a.seen("private_message"), []);
        assert.ok(a.socket.connected && b.socket.connected);
      });
    });
  }
});

/** `client` joins as a new user and a new room, and sends one acked message to each. */
async function storeTwo(client, prefix) {
  const name = uniq(prefix);
  await join(client, name);
  const room = uniq(`${prefix}-room`);
  await joinRoom(client, room, name);
  const lobbyText = uniq("lobby kept");
  const lobbyAck = await emitWithAck(client, "message", { message: lobbyText });
  const roomText = uniq("room kept");
  const roomAck = await emitWithAck(client, "room_message", { room, message: roomText });
  return { name, room, lobbyText, lobbyAck, roomText, roomAck };
}

describe("chat history across a restart", { skip: clustered && "with Redis: see the cluster suite" }, () => {
  const dbPath = path.join(os.tmpdir(), `chorus-chat-test-${process.pid}.db`);
  const removeDb = () => {
    for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(dbPath + suffix, { force: true });
  };
  const start = () => startFixture(["--host", "127.0.0.1", "--rate-limit", "0", "--db", dbPath], { binaryEnv: "CHORUS_BINARY" });
  let fx;
  before(removeDb);
  after(async () => {
    await fx?.stop();
    removeDb();
  });

  it("keeps the lobby's and a room's messages, acked or only queued at shutdown", async (t) => {
    fx = await start();
    const a = await connect(t, fx, modes[0].opts, "a");
    const { name, room, lobbyText, lobbyAck, roomText, roomAck } = await storeTwo(a, "persistent");
    // sent without an ack: queued when SIGTERM arrives at the latest; the writer flushes it
    const lastText = uniq("flushed at shutdown");
    a.emit("room_message", { room, message: lastText });
    await a.next("message", isMessage(lastText));
    a.socket.disconnect();
    await fx.stop();

    fx = await start();
    const b = await connect(t, fx, modes[1].opts, "b");
    b.emit("join", { username: uniq("later") });
    const lobby = await historyOf(b, undefined);
    assert.deepEqual(lobby.messages, [{ id: lobbyAck.id, username: name, message: lobbyText, timestamp: lobbyAck.timestamp }]);
    b.emit("join_room", { room, username: "b" });
    const kept = await historyOf(b, room);
    assert.deepEqual(kept.messages.map((m) => m.message), [roomText, lastText]);
    assert.deepEqual(kept.messages[0], { id: roomAck.id, message: roomText, username: name, room, timestamp: roomAck.timestamp });
    assert.ok(kept.messages[1].id > roomAck.id);
    // new messages get ids after the stored ones
    const next = await emitWithAck(b, "message", { message: uniq("after restart") });
    assert.ok(next.id > kept.messages[1].id);
  });
});

describe("chat across nodes over Redis", { skip: !clustered && "CHORUS_CHAT_NODES=2 runs it" }, () => {
  const args = ["--host", "127.0.0.1", "--rate-limit", "0"];
  let redis;
  let nodes = [];
  before(async () => {
    redis = await startRedis();
    nodes = [await startNode(args, redis), await startNode(args, redis)];
  });
  after(async () => {
    try {
      for (const node of nodes) await node.stop();
    } finally {
      await redis?.stop();
    }
  });
  const on = (t, i, label, opts = modes[0].opts) => connect(t, nodes[i], opts, label);
  const BUSY = [{ msg: "Server busy" }, { msg: "Message not stored" }];
  /** A client on node 0 and one on node 1, joined under new names: [c0, c1, name0, name1]. */
  const joinedOnEach = async (t, prefix0, prefix1) => {
    const clients = [await on(t, 0, prefix0), await on(t, 1, prefix1)];
    const names = [uniq(prefix0), uniq(prefix1)];
    for (const i of [0, 1]) await join(clients[i], names[i]);
    return [...clients, ...names];
  };

  it("serves the same history on every node, and after a node restarts", async (t) => {
    const a = await on(t, 0, "a");
    const { name, room, lobbyText, lobbyAck, roomText, roomAck } = await storeTwo(a, "kept");
    assert.ok(roomAck.id > lobbyAck.id, "ids grow");
    const expectLobby = { id: lobbyAck.id, username: name, message: lobbyText, timestamp: lobbyAck.timestamp };
    const expectRoom = { id: roomAck.id, username: name, message: roomText, room, timestamp: roomAck.timestamp };

    const b = await on(t, 1, "b", modes[1].opts);
    b.emit("join", { username: uniq("b") });
    assert.deepEqual((await historyOf(b, undefined)).messages, [expectLobby]);
    b.emit("join_room", { room, username: "b" });
    assert.deepEqual((await historyOf(b, room)).messages, [expectRoom]);
    // an id taken on the other node is higher still
    const bAck = await emitWithAck(b, "room_message", { room, message: uniq("from b") });
    assert.ok(bAck.id > roomAck.id);

    await nodes[1].stop();
    nodes[1] = await startNode(args, redis);
    const c = await on(t, 1, "c");
    c.emit("join_room", { room, username: "c" });
    const kept = await historyOf(c, room);
    assert.deepEqual(kept.messages.map((m) => m.id), [roomAck.id, bAck.id]);
    assert.deepEqual(kept.messages[0], expectRoom);
    const cAck = await emitWithAck(c, "message", { message: uniq("after restart") });
    assert.ok(cAck.id > bAck.id);
  });

  it("recovers a user on the other node with --redis-mode streams: name, rooms, what was said meanwhile", async (t) => {
    // Two more nodes on the streams protocol (its own key: the Pub/Sub nodes' channels differ),
    // where sessions and stored events live in Redis, so a client may come back on either.
    const streamsNodes = [];
    t.after(async () => {
      for (const node of streamsNodes) await node.stop();
    });
    for (let i = 0; i < 2; ++i)
      streamsNodes.push(
        await startFixture([...args, "--redis-url", redis.url, "--redis-key", "chat-streams", "--redis-mode", "streams"], {
          binaryEnv: "CHORUS_BINARY",
        }),
      );
    const a = await connect(t, streamsNodes[0], modes[0].opts, "a");
    const b = await connect(t, streamsNodes[1], modes[0].opts, "b");
    const name = uniq("erin");
    const room = uniq("room");
    await join(a, name);
    await joinRoom(a, room, name);
    await joinRoom(b, room, uniq("b"));
    const { sid, seen, missed } = await dropWhileOthersWrite(a, b, name, room);
    // The same client, pid and offset included, now to the other node.
    a.socket.io.uri = streamsNodes[1].url;
    const back = within(WAIT_MS, new Promise((resolve) => a.socket.once("connect", resolve)), "a back on the other node");
    a.socket.connect();
    await back;
    // The other node knew the name and rooms from socket.data alone.
    await assertRecovered(a, b, { sid, seen, name, room, missed });
  });

  it("lists a room's users from both nodes and drops a stopped node's users", async (t) => {
    const a = await on(t, 0, "a");
    const b = await on(t, 1, "b");
    const a2 = await on(t, 0, "a2");
    const room = uniq("cluster-room");
    const [an, bn] = [uniq("amy"), uniq("bo")];
    a.emit("join_room", { room, username: an });
    await usersOf(a, room, [an]);
    b.emit("join_room", { room, username: bn });
    const both = await usersOf(a, room, [an, bn]);
    await usersOf(b, room, [an, bn]);
    // the same name on both nodes is one user
    a2.emit("join_room", { room, username: bn });
    const same = await usersOf(b, room, [an, bn]);
    assert.ok(same.version > both.version);
    a2.emit("leave_room", { room, username: bn });
    const afterLeave = await usersOf(b, room, [an, bn]);
    assert.ok(afterLeave.version > same.version);

    // node 1 stops: its users leave every roster computed afterwards
    await nodes[1].stop();
    nodes[1] = await startNode(args, redis);
    const late = await on(t, 0, "late");
    const ln = uniq("late");
    late.emit("join_room", { room, username: ln });
    const rest = await usersOf(late, room, [an, ln]);
    assert.ok(rest.version > afterLeave.version);
  });

  it("counts no user of a node whose liveness key is gone (a node that died)", async (t) => {
    const client = createClient({ url: redis.url });
    await within(WAIT_MS, client.connect(), "a Redis client connecting");
    t.after(() => Promise.race([client.quit().catch(() => {}), sleep(3_000)]));
    const a = await on(t, 0, "a");
    const b = await on(t, 1, "b");
    const room = uniq("ghost-room");
    const ghost = uniq("ghost");
    // what a node that died without a goodbye leaves behind: fields under its id, no liveness key
    const dead = "00000000deadbeef";
    const roomKey = `chat-test#chat#room#${room}`;
    const userKey = `chat-test#chat#user#${ghost}`;
    await client.hSet(roomKey, `${dead}:${ghost}`, "1");
    await client.hSet(userKey, dead, "1");
    assert.equal(await client.exists(`chat-test#chat#node#${dead}`), 0);
    const an = uniq("amy");
    a.emit("join_room", { room, username: an });
    await usersOf(a, room, [an]);
    assert.equal(await client.hExists(roomKey, `${dead}:${ghost}`), false, "the dead node's field was dropped");
    b.emit("private_message", { to: ghost, message: "there?" });
    assert.deepEqual(await b.next("error"), { msg: "User not found" });
    assert.equal(await client.exists(userKey), 0, "the dead node's sign-in was dropped");
    // a live node's users count: node 1 has a liveness key
    const live = (await client.keys("chat-test#chat#node#*")).length;
    assert.equal(live, 2, "both nodes keep a liveness key");
  });

  it("sends a private message to a user on the other node, and User not found for one online nowhere", async (t) => {
    const [alice, bob, an, bn] = await joinedOnEach(t, "alice", "bob");
    await alice.next("status", (d) => d?.msg === `${bn} joined!`);
    const text = uniq("across");
    const ack = await emitWithAck(alice, "private_message", { to: bn, message: text });
    assert.deepEqual(await bob.next("private_message"), { from: an, to: bn, message: text, timestamp: ack.timestamp });
    const back = uniq("back");
    await emitWithAck(bob, "private_message", { to: an, message: back });
    assert.equal((await alice.next("private_message")).message, back);
    alice.emit("private_message", { to: uniq("nobody"), message: "hello?" });
    assert.deepEqual(await alice.next("error"), { msg: "User not found" });
    // bob leaves: user_left reaches node 0 once bob is offline there too
    bob.socket.disconnect();
    await alice.next("user_left", (d) => d?.username === bn);
    alice.emit("private_message", { to: bn, message: "gone?" });
    assert.deepEqual(await alice.next("error"), { msg: "User not found" });
    assert.deepEqual(alice.seen("private_message").length, 1);
  });

  it("answers with errors while Redis is down, and works again once it is back", async (t) => {
    const [a, b, an, bn] = await joinedOnEach(t, "ann", "ben");
    await redis.stop();
    // each event gets an answer: an error, never silence
    const refused = emitWithAck(a, "message", { message: uniq("lost") });
    const error = await a.next("error");
    assert.ok(BUSY.some((e) => JSON.stringify(e) === JSON.stringify(error)), JSON.stringify(error));
    await assert.rejects(within(GRACE_MS, refused, "an ack for a message not stored"));
    a.emit("join_room", { room: uniq("dark"), username: an });
    assert.deepEqual(await a.next("error"), { msg: "Server busy" }, "history while Redis is down");
    a.emit("private_message", { to: bn, message: "anyone?" });
    assert.deepEqual(await a.next("error"), { msg: "Server busy" }, "a user on another node while Redis is down");
    assert.ok(nodes.every((node) => node.alive()));

    await redis.restart();
    // the nodes reconnect on their own (backoff up to 5 s): a message is acked again
    const deadline = Date.now() + 20_000;
    let ack;
    while (!ack) {
      assert.ok(Date.now() < deadline, "no message acked within 20 s of Redis coming back");
      // a refused message is never acked: each try waits 2 s at most
      ack = await a.socket.timeout(2_000).emitWithAck("message", { message: uniq("back") }).catch(() => undefined);
      if (!ack) await sleep(200);
    }
    assert.ok(Number.isSafeInteger(ack.id) && ack.id > 0);
  });
});

/** `text` padded or cut to exactly 32 bytes (ASCII). */
function long32(text) {
  return (text + "x".repeat(32)).slice(0, 32);
}
