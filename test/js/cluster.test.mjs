// A cluster over Redis: two chorus nodes (chorus-api-fixture --redis-url) and one Node.js node
// (socket.io 4.8 + a Redis adapter, this process) share one redis-server started here on a free
// port, once per protocol (--redis-mode): the classic Pub/Sub one (@socket.io/redis-adapter 8.3
// createAdapter), the sharded one (its createShardedAdapter; SSUBSCRIBE/SPUBLISH, room channels)
// and the streams one (@socket.io/redis-streams-adapter 0.3.1: a stream plus Pub/Sub). Every
// operation, chorus→Node, Node→chorus and chorus→chorus, in each; bad messages on the channels
// (and the stream); classic only: the Redis emitter, allRooms, the legacy SOCKETS request;
// classic and streams: Redis stopped and started again; sharded only: room channels subscribed
// while a room exists; streams only: the entries on the stream. By default pubsub and sharded
// run; CHORUS_REDIS_MODE (pubsub, sharded or streams) runs one protocol alone (js_cluster_streams
// runs streams). Clients are the official socket.io-client.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";

import { Server } from "socket.io";
import { createAdapter, createShardedAdapter, RedisAdapter } from "@socket.io/redis-adapter";
import { Emitter } from "@socket.io/redis-emitter";
import { createAdapter as createStreamsAdapter } from "@socket.io/redis-streams-adapter";
import { decode } from "@msgpack/msgpack";
import { createClient } from "redis";

import { envFixtureArgs, startFixture } from "./lib/fixture.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { connectClient, eventually, request, sleep, within } from "./lib/util.mjs";

const threads = envFixtureArgs.includes("--threads") ? [] : ["--threads", "2"];
// Each chorus node's shards, as the fixture is started.
const fixtureThreads = [...envFixtureArgs, ...threads];
const shards = Number(fixtureThreads[fixtureThreads.indexOf("--threads") + 1]);
const modes = process.env.CHORUS_REDIS_MODE ? [process.env.CHORUS_REDIS_MODE] : ["pubsub", "sharded"];

// The Node adapter decodes broadcast-channel messages outside any try (redis-adapter 8.3's
// onmessage): the malformed ones a test publishes throw in this process ("Could not parse",
// "Cannot create property 'nsp' on number"). Caught and kept here, so the Node node survives
// them as chorus must; the test checks chorus, not the reference.
const nodeAdapterErrors = [];
const onmessage = RedisAdapter.prototype.onmessage;
RedisAdapter.prototype.onmessage = function (...args) {
  try {
    return onmessage.apply(this, args);
  } catch (err) {
    nodeAdapterErrors.push(err);
  }
};

// The Node.js node: the reference server with the Redis adapter of `mode`, and the same few
// handlers the chorus fixture has for these tests. The streams adapter takes one client and
// duplicates it for its stream reader and its subscriptions (closed by io.close()).
async function startNodeNode(redisUrl, mode) {
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  for (const c of [pub, sub]) c.on("error", () => {}); // reconnects by itself
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = createServer();
  const adapter =
    mode === "sharded" ? createShardedAdapter(pub, sub)
    : mode === "streams" ? createStreamsAdapter(pub)
    : createAdapter(pub, sub, { requestsTimeout: 3_000 });
  const io = new Server(httpServer, { adapter });
  io.on("connection", (socket) => {
    for (const room of socket.handshake.auth?.join ?? []) socket.join(room);
    socket.on("rooms", (ack) => ack([...socket.rooms].sort()));
    socket.on("broadcast-all", (...args) => {
      const ack = typeof args.at(-1) === "function" ? args.pop() : null;
      io.emit("broadcast-event", ...args);
      ack?.();
    });
  });
  // serverSideEmit from the other nodes: recorded, and answered when asked.
  const serverEvents = [];
  io.on("ping-node", (...args) => {
    const ack = typeof args.at(-1) === "function" ? args.pop() : null;
    serverEvents.push(args);
    ack?.({ from: "node", got: args });
  });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  return {
    io,
    serverEvents,
    url: `http://127.0.0.1:${httpServer.address().port}`,
    async close() {
      io.close();
      await closeRedisClients(pub, sub);
    },
  };
}

// quit() lets the adapter's last commands (its unsubscribes on io.close()) finish; a client
// still reconnecting may never answer it, and an open client keeps this process alive: after a
// bounded wait, disconnect() whatever is still open.
async function closeRedisClients(...clients) {
  await Promise.race([Promise.allSettled(clients.map((c) => c.quit())), sleep(3_000)]);
  await Promise.allSettled(clients.filter((c) => c.isOpen).map((c) => c.disconnect()));
}

// Resolves with the args of the next `event` on `socket`, or rejects after `ms`.
const next = (socket, event, ms = 5_000) =>
  within(ms, new Promise((resolve) => socket.once(event, (...args) => resolve(args))), `"${event}"`);

// Records every `event` a socket receives, to show what did *not* arrive.
function record(socket, event) {
  const seen = [];
  socket.on(event, (...args) => seen.push(args));
  return seen;
}

async function metric(fx, name) {
  const res = await request(`${fx.url}/metrics`);
  const line = res.text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.split(" ")[1]);
}

// PUBSUB SHARDCHANNELS / SHARDNUMSUB of one channel, as a Redis client sees them.
const shardChannels = async (client, channel) => client.sendCommand(["PUBSUB", "SHARDCHANNELS", channel]);
async function shardNumSub(client, channel) {
  const reply = await client.sendCommand(["PUBSUB", "SHARDNUMSUB", channel]);
  return Number(reply[1]);
}

// Clients blocked in XREAD: the nodes reading the stream.
async function streamReaders(client) {
  const list = await client.sendCommand(["CLIENT", "LIST"]);
  return list.split("\n").filter((line) => / cmd=xread( |$)/.test(line)).length;
}

// Each test bounded on its own, so a hang names its test instead of timing the whole file out.
for (const mode of modes)
describe(`cluster (${mode}): two chorus nodes and a Node.js node over Redis`, { timeout: 60_000 }, () => {
  const sharded = mode === "sharded";
  const streams = mode === "streams";
  let redis, a, b, node, publisher;
  // Sharded: a room's broadcasts go on the room's channel, which each node subscribes to once a
  // socket of its own joins the room (asynchronously): wait for `nodes` subscribers before one.
  const roomSubscribed = async (room, nodes) => {
    if (sharded)
      await eventually(async () => (await shardNumSub(publisher, `socket.io#/#${room}#`)) === nodes, 5_000,
        `${nodes} nodes on ${room}'s channel`);
  };
  // What only the classic protocol has (the emitter, allRooms, legacy requests), or is tested in
  // it alone (Redis restarted).
  const classicOnly = (name, fn) => {
    if (mode === "pubsub") test(name, fn);
  };
  const shardedOnly = (name, fn) => {
    if (sharded) test(name, fn);
  };
  const streamsOnly = (name, fn) => {
    if (streams) test(name, fn);
  };
  const classicOrStreams = (name, fn) => {
    if (!sharded) test(name, fn);
  };
  // After bad input: a chorus node's broadcast still reaches the other chorus node.
  const crossNodeStillWorks = async (t) => {
    const ca = await connectClient(t, a);
    const cb = await connectClient(t, b);
    const got = next(cb, "broadcast-event");
    await ca.emitWithAck("broadcast-all", "still fine");
    assert.deepEqual(await got, ["still fine"]);
  };
  before(async () => {
    redis = await startRedis();
    const args = [...threads, "--redis-url", redis.url, "--redis-requests-timeout", "3000", "--redis-mode", mode];
    [a, b] = await Promise.all([
      startFixture(args, { binaryEnv: "CHORUS_API_FIXTURE" }),
      startFixture(args, { binaryEnv: "CHORUS_API_FIXTURE" }),
    ]);
    node = await startNodeNode(redis.url, mode);
    publisher = createClient({ url: redis.url });
    publisher.on("error", () => {});
    await publisher.connect();
    // Every node subscribed: each one counts three servers.
    const probe = await connectClient(null, a);
    await eventually(async () => (await probe.timeout(3_000).emitWithAck("server-count")) === 3, 10_000, "3 servers");
    await eventually(async () => (await node.io.of("/").adapter.serverCount()) === 3, 10_000, "3 servers from Node");
    // Streams: every node's reader waiting on the stream too (Node's starts at "$" whenever its
    // client is connected).
    if (streams) {
      await eventually(async () => (await streamReaders(publisher)) === 3, 10_000, "3 stream readers");
      // Node's reader asks for "$" until it reads its first entry, so an entry added while it
      // re-issues an XREAD that expired (5 s, easily spent starting sanitized nodes) is lost to
      // it: a probe that every node's client receives moves every reader past that.
      const onB = await connectClient(null, b);
      const onNode = await connectClient(null, node);
      const [seenB, seenNode] = [record(onB, "broadcast-event"), record(onNode, "broadcast-event")];
      await eventually(
        async () => {
          await probe.timeout(3_000).emitWithAck("broadcast-all", "probe");
          await sleep(100);
          return seenB.length > 0 && seenNode.length > 0;
        },
        10_000,
        "a probe broadcast on every node",
      );
      onB.disconnect();
      onNode.disconnect();
    }
    probe.disconnect();
  });

  after(async () => {
    if (publisher) await closeRedisClients(publisher);
    await node?.close();
    // A chorus node that did not end cleanly (a sanitizer report) fails the file, once Redis
    // is stopped too.
    const stopped = await Promise.allSettled([a?.stop(), b?.stop()]);
    await redis?.stop();
    for (const result of stopped) if (result.status === "rejected") throw result.reason;
  });

  test("a broadcast from a chorus node reaches every node's clients, binary included", async (t) => {
    const ca = await connectClient(t, a);
    const cb = await connectClient(t, b);
    const cn = await connectClient(t, node);
    const got = [next(ca, "broadcast-event"), next(cb, "broadcast-event"), next(cn, "broadcast-event")];
    await ca.emitWithAck("broadcast-all", "hi", 1, { nested: [true, null] }, Buffer.from([1, 2, 3]));
    for (const args of await Promise.all(got)) {
      assert.deepEqual(args.slice(0, 3), ["hi", 1, { nested: [true, null] }]);
      assert.deepEqual([...args[3]], [1, 2, 3]);
    }
  });

  test("a room broadcast reaches the room's members on every node, except the excepted", async (t) => {
    const ca = await connectClient(t, a);
    const cb = await connectClient(t, b, { auth: { join: ["r1"] } });
    const cn = await connectClient(t, node, { auth: { join: ["r1"] } });
    const cx = await connectClient(t, b, { auth: { join: ["r1", "muted"] } });
    const outside = await connectClient(t, node);
    const notInRoom = record(outside, "room-event");
    const muted = record(cx, "room-event");
    await roomSubscribed("r1", 2); // b and Node
    const got = [next(cb, "room-event"), next(cn, "room-event")];
    await ca.emitWithAck("except", "r1", ["muted"], "to r1");
    for (const args of await Promise.all(got)) assert.deepEqual(args, ["r1", ["muted"], "to r1"]);
    // A later broadcast to everyone is seen by both; the room event never was.
    const marker = [next(outside, "broadcast-event"), next(cx, "broadcast-event")];
    await ca.emitWithAck("broadcast-all", "marker");
    await Promise.all(marker);
    assert.deepEqual(notInRoom, []);
    assert.deepEqual(muted, []);
  });

  test("a broadcast from the Node.js node reaches chorus clients (room, except, binary)", async (t) => {
    const ca = await connectClient(t, a, { auth: { join: ["r2"] } });
    const cb = await connectClient(t, b, { auth: { join: ["r2"] } });
    const skipped = await connectClient(t, b, { auth: { join: ["r2", "skip"] } });
    const none = record(skipped, "from-node");
    await roomSubscribed("r2", 2); // a and b
    const got = [next(ca, "from-node"), next(cb, "from-node")];
    node.io.to("r2").except("skip").emit("from-node", "x", { n: 2.5 }, Buffer.from("bin"));
    for (const args of await Promise.all(got)) {
      assert.deepEqual(args.slice(0, 2), ["x", { n: 2.5 }]);
      assert.equal(Buffer.from(args[2]).toString(), "bin");
    }
    const marker = next(skipped, "from-node-all");
    node.io.emit("from-node-all");
    await marker;
    assert.deepEqual(none, []);
  });

  test("local() stays on its node; a chorus node's broadcast reaches the other chorus node", async (t) => {
    const ca = await connectClient(t, a);
    const ca2 = await connectClient(t, a);
    const cb = await connectClient(t, b);
    const cn = await connectClient(t, node);
    const remote = [record(cb, "broadcast-event"), record(cn, "broadcast-event")];
    const here = next(ca2, "broadcast-event");
    await ca.emitWithAck("local-broadcast", "only a");
    assert.deepEqual(await here, ["only a"]);
    const marker = [next(cb, "broadcast-event"), next(cn, "broadcast-event")];
    await ca.emitWithAck("broadcast-all", "everyone");
    await Promise.all(marker);
    for (const seen of remote) assert.deepEqual(seen, [["everyone"]]);
  });

  classicOnly("the Redis emitter's broadcasts reach chorus clients", async (t) => {
    const ca = await connectClient(t, a, { auth: { join: ["r3"] } });
    const cb = await connectClient(t, b);
    const outside = record(cb, "from-emitter");
    const got = next(ca, "from-emitter");
    new Emitter(publisher).to("r3").emit("from-emitter", { a: 1 }, [1, "two"]);
    assert.deepEqual(await got, [{ a: 1 }, [1, "two"]]);
    const marker = next(cb, "from-emitter-all");
    new Emitter(publisher).emit("from-emitter-all");
    await marker;
    assert.deepEqual(outside, []);
  });

  test("fetchSockets: Node sees chorus sockets (id, rooms, data); chorus sees every node's", async (t) => {
    const ca = await connectClient(t, a, { auth: { join: ["f1"] } });
    const cb = await connectClient(t, b, { auth: { join: ["f1", "f2"] } });
    const cn = await connectClient(t, node, { auth: { join: ["f1"] } });
    await ca.emitWithAck("set-data", { name: "alice" });
    const fromNode = await node.io.in("f1").fetchSockets();
    const byId = new Map(fromNode.map((s) => [s.id, s]));
    assert.deepEqual([...byId.keys()].sort(), [ca.id, cb.id, cn.id].sort());
    assert.deepEqual(byId.get(ca.id).data, { name: "alice" });
    assert.deepEqual([...byId.get(cb.id).rooms].sort(), [cb.id, "f1", "f2"].sort());
    assert.deepEqual(byId.get(ca.id).handshake.auth, { join: ["f1"] });

    const fromChorus = await ca.emitWithAck("fetch-sockets", ["f1"]);
    assert.deepEqual(fromChorus.map((s) => s.id), [ca.id, cb.id, cn.id].sort());
    const nodeSocket = fromChorus.find((s) => s.id === cn.id);
    assert.deepEqual(nodeSocket.rooms, [cn.id, "f1"].sort());
    const only2 = await cb.emitWithAck("fetch-sockets", ["f2"]);
    assert.deepEqual(only2.map((s) => s.id), [cb.id]);
  });

  classicOnly("allRooms, both ways", async (t) => {
    const ca = await connectClient(t, a, { auth: { join: ["ra"] } });
    await connectClient(t, b, { auth: { join: ["rb"] } });
    await connectClient(t, node, { auth: { join: ["rn"] } });
    const fromNode = await node.io.of("/").adapter.allRooms();
    for (const room of ["ra", "rb", "rn", ca.id]) assert.ok(fromNode.has(room), `Node's allRooms has ${room}`);
    const fromChorus = await ca.emitWithAck("all-rooms");
    for (const room of ["ra", "rb", "rn", ca.id]) assert.ok(fromChorus.includes(room), `chorus's allRooms has ${room}`);
  });

  test("serverCount, both ways", async (t) => {
    const ca = await connectClient(t, a);
    assert.equal(await node.io.of("/").adapter.serverCount(), 3);
    assert.equal(await ca.emitWithAck("server-count"), 3);
    const cb = await connectClient(t, b);
    assert.equal(await cb.emitWithAck("server-count"), 3);
  });

  test("socketsJoin and socketsLeave, from Node and from chorus, applied once on every node", async (t) => {
    const ca = await connectClient(t, a, { auth: { join: ["j"] } });
    const cb = await connectClient(t, b, { auth: { join: ["j"] } });
    const cn = await connectClient(t, node, { auth: { join: ["j"] } });
    const other = await connectClient(t, b);
    node.io.in("j").socketsJoin(["from-node"]);
    for (const s of [ca, cb, cn])
      await eventually(async () => (await s.emitWithAck("rooms")).includes("from-node"), 5_000, "joined from-node");
    await ca.emitWithAck("sockets-join", ["j"], ["from-chorus"]);
    for (const s of [ca, cb, cn])
      await eventually(async () => (await s.emitWithAck("rooms")).includes("from-chorus"), 5_000, "joined from-chorus");
    assert.ok(!(await other.emitWithAck("rooms")).includes("from-chorus"));
    await cb.emitWithAck("sockets-leave", ["j"], ["from-node", "j"]);
    for (const s of [ca, cb, cn])
      await eventually(async () => {
        const rooms = await s.emitWithAck("rooms");
        return !rooms.includes("from-node") && !rooms.includes("j") && rooms.includes(s.id);
      }, 5_000, "left");
    node.io.in("from-chorus").socketsLeave("from-chorus");
    await eventually(async () => !(await ca.emitWithAck("rooms")).includes("from-chorus"), 5_000, "left from-chorus");
  });

  test("disconnectSockets from Node disconnects chorus sockets, and from chorus Node's", async (t) => {
    const ca = await connectClient(t, a);
    const cb = await connectClient(t, b, { auth: { join: ["d1"] } });
    const cn = await connectClient(t, node, { auth: { join: ["d1"] } });
    const cbGone = next(cb, "disconnect");
    node.io.in(cb.id).disconnectSockets();
    assert.equal((await cbGone)[0], "io server disconnect");
    const cnGone = next(cn, "disconnect");
    await ca.emitWithAck("disconnect-sockets", ["d1"], false);
    assert.equal((await cnGone)[0], "io server disconnect");
    assert.ok(ca.connected);
  });

  test("serverSideEmit with and without acks, from Node and from chorus", async (t) => {
    const fromA = a.lines().length;
    const fromB = b.lines().length;
    node.io.serverSideEmit("ping-node", 1, "a");
    for (const [fx, from] of [[a, fromA], [b, fromB]])
      await fx.waitForLine((l) => l === 'server-event ping-node [1,"a"]', 5_000, "the server event", from);
    const replies = await node.io.serverSideEmitWithAck("ping-node", 2);
    assert.deepEqual(replies, [{ from: "chorus", got: [2] }, { from: "chorus", got: [2] }]);

    const ca = await connectClient(t, a);
    const seen = node.serverEvents.length;
    const got = await ca.emitWithAck("server-emit-ack", "ping-node", 3, { x: [1] });
    assert.equal(got.complete, true);
    const sorted = got.replies.sort((l, r) => l.from.localeCompare(r.from));
    assert.deepEqual(sorted, [{ from: "chorus", got: [3, { x: [1] }] }, { from: "node", got: [3, { x: [1] }] }]);
    await ca.emitWithAck("server-emit", "ping-node", 4);
    await eventually(() => node.serverEvents.length === seen + 2, 5_000, "Node got both");
    assert.deepEqual(node.serverEvents.slice(seen), [[3, { x: [1] }], [4]]);
    // Never to the sender's own handlers.
    assert.ok(!a.lines().slice(fromA).some((l) => l.startsWith("server-event ping-node [3") || l.startsWith("server-event ping-node [4")));
  });

  test("broadcast with acks across nodes: chorus asks, Node asks, every reached client answers", async (t) => {
    const answer = (socket, who) => socket.on("question", (n, ack) => ack({ who, n }));
    const ca = await connectClient(t, a, { auth: { join: ["q"] } });
    const cb = await connectClient(t, b, { auth: { join: ["q"] } });
    const cb2 = await connectClient(t, b, { auth: { join: ["q"] } });
    const cn = await connectClient(t, node, { auth: { join: ["q"] } });
    await connectClient(t, b); // not in the room: not asked
    for (const [s, who] of [[ca, "a"], [cb, "b"], [cb2, "b2"], [cn, "n"]]) answer(s, who);

    const fromChorus = await ca.emitWithAck("broadcast-with-ack", 3_000, ["q"], "question", 7);
    assert.equal(fromChorus.complete, true);
    assert.deepEqual(fromChorus.responses.map((r) => r.who).sort(), ["a", "b", "b2", "n"]);
    assert.ok(fromChorus.responses.every((r) => r.n === 7));

    const fromNode = await node.io.to("q").timeout(3_000).emitWithAck("question", 8);
    assert.deepEqual(fromNode.map((r) => r.who).sort(), ["a", "b", "b2", "n"]);

    // A client that never answers: incomplete at the timeout, with what came.
    const silent = await connectClient(t, b, { auth: { join: ["q"] } });
    silent.on("question", () => {});
    const partial = await ca.emitWithAck("broadcast-with-ack", 300, ["q"], "question", 9);
    assert.equal(partial.complete, false);
    assert.equal(partial.responses.length, 4);
    await assert.rejects(node.io.to("q").timeout(300).emitWithAck("question", 10), /timed out/);
  });

  classicOnly("the legacy SOCKETS request (type 0) is answered with each node's socket ids", async (t) => {
    const ca = await connectClient(t, a, { auth: { join: ["lg"] } });
    const cb = await connectClient(t, b, { auth: { join: ["lg"] } });
    await connectClient(t, b); // not in the room
    const listener = publisher.duplicate();
    listener.on("error", () => {});
    await listener.connect();
    t.after(() => closeRedisClients(listener));
    const answers = [];
    await listener.subscribe("socket.io-response#/#", (message) => {
      const parsed = JSON.parse(message);
      if (parsed.requestId === "legacy0") answers.push(parsed);
    });
    await publisher.publish("socket.io-request#/#", JSON.stringify({ type: 0, requestId: "legacy0", rooms: ["lg"] }));
    // The Node.js node answers too (with none: no socket of its own is in the room).
    const ids = () => answers.flatMap((answer) => answer.sockets);
    await eventually(() => ids().length >= 2, 5_000, "both chorus nodes answered");
    assert.ok(ids().every((id) => typeof id === "string"), "socket ids, not socket objects");
    assert.deepEqual(ids().sort(), [ca.id, cb.id].sort());
  });

  classicOnly("malformed messages on the channels are counted and harm nothing", async (t) => {
    const before = await metric(a, "chorus_cluster_messages_malformed_total");
    const bad = [
      Buffer.from([0xc1]), // never used in msgpack
      Buffer.from([0x93, 0xa1]), // truncated
      Buffer.from([0x93, 0xa3, 0x61, 0x62, 0x63, 0x02, 0x80]), // packet is not a map
      Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff]), // an array claiming 4 billion items
    ];
    for (const payload of bad) await publisher.publish("socket.io#/#", payload);
    for (const payload of ["{not json", '{"type":5,"opts":7}', '{"type":99}', "[]"])
      await publisher.publish("socket.io-request#/#", payload);
    await publisher.publish("socket.io-response#/#", "{]");
    await eventually(async () => (await metric(a, "chorus_cluster_messages_malformed_total")) >= before + bad.length + 2,
      5_000, "malformed counted");
    await crossNodeStillWorks(t);
  });

  classicOrStreams("Redis stopped: each node still serves its own clients; started again: cross-node delivery resumes", async (t) => {
    const ca = await connectClient(t, a);
    const ca2 = await connectClient(t, a);
    const cb = await connectClient(t, b);
    await redis.stop();
    await eventually(async () => (await metric(a, "chorus_cluster_redis_up")) === 0, 10_000, "redis_up 0");
    const dropped = await metric(a, "chorus_cluster_messages_dropped_total");
    const local = next(ca2, "broadcast-event");
    await ca.emitWithAck("broadcast-all", "while down");
    assert.deepEqual(await local, ["while down"]);
    // Published from the link thread after the local delivery: counted a moment later.
    await eventually(async () => (await metric(a, "chorus_cluster_messages_dropped_total")) > dropped, 5_000,
      "the publish dropped, counted");
    // A request that needs Redis (allRooms is local in the streams protocol; serverCount is not).
    const failed = await ca.timeout(5_000).emitWithAck(streams ? "server-count" : "all-rooms");
    assert.match(failed.error, /redis/i);
    await redis.restart();
    await eventually(async () => (await metric(a, "chorus_cluster_redis_up")) === 1, 15_000, "redis_up 1");
    await eventually(async () => {
      const got = next(cb, "broadcast-event", 1_000).catch(() => null);
      await ca.emitWithAck("broadcast-all", "after restart");
      return (await got)?.[0] === "after restart";
    }, 15_000, "cross-node delivery after the restart");
    // Node's adapter reconnects too: three servers again.
    await eventually(async () => (await ca.emitWithAck("server-count")) === 3, 15_000, "3 servers again");
    await sleep(0);
  });

  shardedOnly("room channels: subscribed while a node has the room (never for a socket id), then let go", async (t) => {
    const channel = "socket.io#/#sub-room#";
    const c1 = await connectClient(t, a, { auth: { join: ["sub-room"] } });
    await eventually(async () => (await shardChannels(publisher, channel)).includes(channel), 5_000, "a subscribed");
    assert.equal(await shardNumSub(publisher, channel), 1);
    // Its own room looks like a socket id: no channel. Created before sub-room, on the same
    // subscriber connection, it would be there by now.
    assert.deepEqual(await shardChannels(publisher, `socket.io#/#${c1.id}#`), []);
    // c2 on another shard of a than c1 (an Engine.IO sid's first two characters name its shard):
    // when c1 leaves, c1's shard deletes its room while c2's keeps one, and a stays subscribed
    // only by counting over its shards. Clients that land on c1's shard leave at once. On one
    // shard, c2 shares c1's (the room table itself keeps the room).
    const shardOf = (c) => c.io.engine.id.slice(0, 2);
    let c2;
    for (let i = 0; i < 40 && !c2; i++) {
      const c = await connectClient(t, a, { auth: { join: ["sub-room"] } });
      if (shards === 1 || shardOf(c) !== shardOf(c1)) c2 = c;
      else c.disconnect();
    }
    assert.ok(c2, "a client on another shard of a");
    const c3 = await connectClient(t, b, { auth: { join: ["sub-room"] } });
    await roomSubscribed("sub-room", 2);
    // c1 leaves: once a's fetch no longer finds it, c1's shard has handed its room change to
    // a's link thread, ahead of the fetch's answer.
    c1.disconnect();
    await eventually(async () => !(await c2.emitWithAck("fetch-sockets", ["sub-room"])).some((s) => s.id === c1.id),
      5_000, "c1 gone");
    assert.equal(await shardNumSub(publisher, channel), 2);
    const got = next(c2, "room-event");
    await c3.emitWithAck("except", "sub-room", [], "still here");
    assert.deepEqual(await got, ["sub-room", [], "still here"]);
    // The last members go: no node has the room, no one is subscribed.
    c2.disconnect();
    c3.disconnect();
    await eventually(async () => (await shardChannels(publisher, "socket.io#/#sub-room*")).length === 0, 5_000,
      "sub-room's channel let go");
    assert.equal(await shardNumSub(publisher, channel), 0);
  });

  shardedOnly("rooms joined by socketsJoin get their channel too, on every node", async (t) => {
    const ca = await connectClient(t, a, { auth: { join: ["sj"] } });
    const cb = await connectClient(t, b, { auth: { join: ["sj"] } });
    const cn = await connectClient(t, node, { auth: { join: ["sj"] } });
    await ca.emitWithAck("sockets-join", ["sj"], ["sj-new"]);
    await roomSubscribed("sj-new", 3);
    const got = [next(cb, "room-event"), next(cn, "room-event")];
    await ca.emitWithAck("except", "sj-new", [], "joined");
    for (const args of await Promise.all(got)) assert.deepEqual(args, ["sj-new", [], "joined"]);
    node.io.in("sj-new").socketsLeave("sj-new");
    await roomSubscribed("sj-new", 0);
  });

  shardedOnly("malformed messages on the channels are counted and harm nothing", async (t) => {
    const before = await metric(a, "chorus_cluster_messages_malformed_total");
    const bad = [
      Buffer.from([0xc1]), // never used in msgpack
      Buffer.from([0x93, 0xa1]), // truncated
      Buffer.from("[]"), // msgpack 0x5b: a number, not a message
      "{not json",
      '{"nsp":"/","uid":"x"}', // no type
      '{"type":99,"nsp":"/","uid":"x"}',
      '{"type":3,"uid":"x"}', // no nsp
    ];
    for (const payload of bad) await publisher.sPublish("socket.io#/#", payload);
    await eventually(async () => (await metric(a, "chorus_cluster_messages_malformed_total")) >= before + bad.length,
      5_000, "malformed counted");
    await crossNodeStillWorks(t);
  });
  // The entry `action` adds to the stream, read back as the Node adapter reads it. A node
  // delivers to its own clients first, then adds the entry: waited for.
  const entryOf = async (action) => {
    const [last] = await publisher.xRevRange("socket.io", "+", "-", { COUNT: 1 });
    await action();
    let added = [];
    await eventually(async () => {
      added = await publisher.xRange("socket.io", last ? `(${last.id}` : "-", "+");
      return added.length > 0;
    }, 5_000, "an entry added");
    assert.equal(added.length, 1);
    return added[0];
  };

  streamsOnly("the stream holds chorus's broadcasts and sockets operations; ephemeral messages stay off it", async (t) => {
    const ca = await connectClient(t, a);
    const cr = await connectClient(t, a, { auth: { join: ["w1"] } });
    const seen = record(cr, "room-event");
    const entry = await entryOf(async () => {
      const got = next(cr, "room-event");
      await ca.emitWithAck("except", "w1", ["nobody"], "on the stream");
      await got;
    });
    assert.match(entry.id, /^\d+-\d+$/);
    assert.deepEqual(Object.keys(entry.message), ["uid", "nsp", "type", "data"]);
    assert.match(entry.message.uid, /^[0-9a-f]{16}$/);
    assert.equal(entry.message.nsp, "/");
    assert.equal(entry.message.type, "3");
    const data = JSON.parse(entry.message.data);
    assert.deepEqual(data.packet, { type: 2, data: ["room-event", "w1", ["nobody"], "on the stream"] });
    assert.deepEqual(data.opts.rooms, ["w1"]);
    assert.deepEqual([...data.opts.except].sort(), ["nobody", ca.id].sort()); // socket.to(): not the sender
    // Binary: base64 of the msgpack of data.
    const binary = await entryOf(() => ca.emitWithAck("broadcast-all", Buffer.from([7, 8])));
    assert.equal(binary.message.type, "3");
    assert.match(binary.message.data, /^[A-Za-z0-9+/]+=*$/);
    const [event, bytes] = decode(Buffer.from(binary.message.data, "base64")).packet.data;
    assert.equal(event, "broadcast-event");
    assert.deepEqual([...bytes], [7, 8]);
    const join = await entryOf(() => ca.emitWithAck("sockets-join", ["w1"], ["w2"]));
    assert.equal(join.message.type, "4");
    assert.deepEqual(JSON.parse(join.message.data), { opts: { rooms: ["w1"], except: [], flags: {} }, rooms: ["w2"] });
    // fetchSockets, serverSideEmit and broadcasts with acks go through Pub/Sub: nothing added.
    const length = await publisher.xLen("socket.io");
    await ca.emitWithAck("fetch-sockets", ["w1"]);
    await ca.emitWithAck("server-emit-ack", "ping-node", 1);
    await ca.emitWithAck("broadcast-with-ack", 1_000, ["w1"], "question", 1);
    assert.equal(await publisher.xLen("socket.io"), length);
    // a read its own entry back long ago, and dropped it: delivered here once, at once.
    assert.equal(seen.length, 1);
  });

  streamsOnly("malformed entries on the stream and messages on the channels are counted and harm nothing", async (t) => {
    const before = await metric(a, "chorus_cluster_messages_malformed_total");
    // Each one the Node adapter refuses inside its own try (a throw past it would stop its reader
    // on that entry for good), or ignores.
    const badEntries = [
      { uid: "x", nsp: "/", type: "3", data: "{not json" },
      { uid: "x", nsp: "/", type: "99" },
      { uid: "x", nsp: "/", type: "4", data: "!!!!" },
    ];
    for (const entry of badEntries) await publisher.xAdd("socket.io", "*", entry);
    await publisher.xAdd("socket.io", "*", { uid: "x", type: "3" }); // no nsp: skipped, not counted
    const badMessages = [Buffer.from([0xc1]), Buffer.from([0x93, 0xa1]), "{not json"];
    for (const payload of badMessages) await publisher.publish("socket.io#/#", payload);
    const expected = before + badEntries.length + badMessages.length;
    await eventually(async () => (await metric(a, "chorus_cluster_messages_malformed_total")) >= expected,
      5_000, "malformed counted");
    assert.equal(await metric(a, "chorus_cluster_messages_malformed_total"), expected);
    await crossNodeStillWorks(t);
    // The Node node still reads the stream too.
    const cn = await connectClient(t, node);
    const ca = await connectClient(t, a);
    const got = next(cn, "broadcast-event");
    await ca.emitWithAck("broadcast-all", "node still reads");
    assert.deepEqual(await got, ["node still reads"]);
  });
});
