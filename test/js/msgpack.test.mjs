// --parser msgpack end to end: the official socket.io-client 4.8 with socket.io-msgpack-parser
// 3.0.2 (`parser` option) against chorus-conformance --parser msgpack (connect with auth, mixed
// and binary arguments, acks, unicode, 500 KB, ordering, namespaces; websocket only, polling only
// and polling then upgrade) and chorus-api-fixture --parser msgpack (server to client acks, rooms
// and broadcasts, disconnects both ways, bad input with the disconnect reason it prints). Every
// Socket.IO packet is then one Engine.IO binary message; a text one, or a binary one that is not
// a valid msgpack packet, closes the connection with "parse error".
//
// CHORUS_FIXTURE=node runs the conformance part against the Node.js reference started with the
// same parser (reference/conformance-server.mjs --parser msgpack); the api fixture part needs the
// chorus binary (CHORUS_API_FIXTURE) and is skipped without it.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import msgpackParser from "socket.io-msgpack-parser";
import { io } from "socket.io-client";
import { startFixture } from "./lib/fixture.mjs";
import {
  connectClient,
  echo,
  manager,
  openEngineWs,
  upgraded,
  waitEvent,
  within,
  withWitness,
  PollingSession,
} from "./lib/util.mjs";
import { MIXED_ARGS, UNICODE_ARGS, bytes, echoes500KB, echoesBinary, echoesInOrder, getsAcks } from "./lib/echo-cases.mjs";

const parser = msgpackParser;
const PARSER_ARGS = ["--parser", "msgpack"];
const clientDefaults = { reconnection: false, forceNew: true, timeout: 5_000, parser };

const modes = [
  { name: "websocket only", opts: { transports: ["websocket"] }, finalTransport: "websocket" },
  { name: "polling only", opts: { transports: ["polling"] }, finalTransport: "polling" },
  { name: "polling then upgrade", opts: {}, finalTransport: "websocket" },
];


/** One Socket.IO packet as socket.io-msgpack-parser writes it: one Buffer. */
function encodePacket(packet) {
  const [buffer] = new parser.Encoder().encode(packet);
  return buffer;
}

/** Decodes one binary message as socket.io-msgpack-parser's Decoder does. */
function decodePacket(data) {
  let packet;
  const decoder = new parser.Decoder();
  decoder.on("decoded", (p) => (packet = p));
  decoder.add(data);
  return packet;
}

// ---------------------------------------------------------------------------------------------
// chorus-conformance --parser msgpack (or the Node.js reference with the same parser)

describe("socket.io-msgpack-parser against the conformance fixture", () => {
  let fx;
  before(async () => {
    fx = await startFixture(PARSER_ARGS);
  });
  after(async () => {
    await fx?.stop();
  });
  const connect = (t, opts = {}, nsp = "/") => connectClient(t, fx, { ...opts, parser }, nsp);

  for (const mode of modes) {
    describe(mode.name, () => {
      it(`connects with auth and ends up on ${mode.finalTransport}`, async (t) => {
        const auth = { token: "abc-123", n: 42, ok: true, nested: { list: [1, "two", null] }, text: "héllo ✓" };
        const socket = await connect(t, { ...mode.opts, auth });
        assert.equal(typeof socket.id, "string");
        assert.deepEqual(await socket.authEvent, auth);
        if (mode.finalTransport === "websocket") await upgraded(socket);
        assert.deepEqual(await echo(socket, ["after-connect"]), ["after-connect"]);
        assert.equal(socket.io.engine.transport.name, mode.finalTransport);
      });

      it("echoes mixed arguments", async (t) => {
        const socket = await connect(t, mode.opts);
        // Not 1e21 as in interop.test.mjs: the client's notepack 2 writes any whole number of
        // 2^64 or more as a wrapped uint64, which the Node.js reference reads back as another
        // number too. Fractions are float64.
        const args = [...MIXED_ARGS, 1e-7, -123.456, -(2 ** 40)];
        assert.deepEqual(await echo(socket, args), args);
      });

      it("echoes binary arguments inline (top level, nested, several)", async (t) => {
        const socket = await connect(t, mode.opts);
        await echoesBinary(socket, (array) => Buffer.from(array));
      });

      it("gets acks for emit with a callback and emitWithAck (text and binary)", async (t) => {
        const socket = await connect(t, mode.opts);
        await getsAcks(socket);
      });

      it("echoes unicode text intact", async (t) => {
        const socket = await connect(t, mode.opts);
        assert.deepEqual(await echo(socket, UNICODE_ARGS), UNICODE_ARGS);
      });

      it("echoes a 500 KB message", async (t) => {
        const socket = await connect(t, mode.opts);
        await echoes500KB(socket);
      });

      it("echoes 100 events in order", async (t) => {
        const socket = await connect(t, mode.opts);
        await echoesInOrder(socket, 100);
      });

      it('refuses an unknown namespace with connect_error "Invalid namespace"', async (t) => {
        await assert.rejects(connect(t, mode.opts, "/unknown"), (err) => {
          assert.equal(err.message, "Invalid namespace");
          return true;
        });
      });
    });
  }

  describe("namespaces", () => {
    it("connects to /custom alone", async (t) => {
      const socket = await connect(t, { transports: ["websocket"], auth: { x: 1 } }, "/custom");
      assert.deepEqual(await socket.authEvent, { x: 1 });
      assert.deepEqual(await echo(socket, ["c", Buffer.from([5])]), ["c", Buffer.from([5])]);
      assert.equal(await within(5_000, socket.emitWithAck("message-with-ack", "ack-custom"), "ack"), "ack-custom");
    });

    it("multiplexes / and /custom on one Manager", async (t) => {
      const m = manager(t, fx, { parser });
      const root = m.socket("/");
      const custom = m.socket("/custom", { auth: { which: "custom" } });
      t.after(() => {
        root.disconnect();
        custom.disconnect();
      });
      const customAuth = waitEvent(custom, "auth");
      const connected = (s) => waitEvent(s, "connect");
      const both = Promise.all([connected(root), connected(custom)]);
      root.connect();
      custom.connect();
      await both;
      assert.deepEqual(await customAuth, [{ which: "custom" }]);
      const gotOnRoot = [];
      root.on("message-back", (...a) => gotOnRoot.push(a));
      assert.deepEqual(await echo(custom, ["to-custom", 1]), ["to-custom", 1]);
      assert.deepEqual(await echo(root, ["to-root", 2]), ["to-root", 2]);
      assert.deepEqual(gotOnRoot, [["to-root", 2]]);
      // leaving one namespace (a DISCONNECT packet) leaves the other working
      custom.disconnect();
      assert.deepEqual(await echo(root, ["still-root"]), ["still-root"]);
    });
  });

  describe("bad input", () => {
    const witness = { transports: ["websocket"], parser };

    /**
     * Opens a raw Engine.IO WebSocket, CONNECTs to "/" in msgpack, sends `message` and waits for
     * the server to close the connection. (Without the CONNECT the fixture's 1 s connect timeout
     * would close it whatever the server made of the message.)
     */
    async function closedAfter(t, message) {
      const { raw } = await openEngineWs(fx);
      t.after(() => raw.terminate());
      raw.send(encodePacket({ type: 0, nsp: "/", data: {} }));
      assert.equal(decodePacket((await raw.next()).data).type, 0);
      raw.send(message);
      await raw.waitClose();
    }

    for (const [name, message] of [
      ["a text Socket.IO CONNECT", '40/custom,{"token":"json text"}'],
      ["a text EVENT", '42["message","as text"]'],
      ["truncated msgpack", Buffer.from([0x83, 0xa4, 0x74, 0x79])],
      ["a never-used msgpack byte", Buffer.from([0xc1])],
      ["a msgpack array instead of a map", Buffer.from([0x92, 0x02, 0xa1, 0x2f])],
      ["an unknown packet type", encodePacket({ type: 9, nsp: "/" })],
    ]) {
      it(`${name} after a msgpack CONNECT is closed; a witness is unharmed`, async (t) => {
        await withWitness(t, fx, () => closedAfter(t, message), witness);
      });
    }

    it("a text packet over polling ends the session; a witness is unharmed", async (t) => {
      await withWitness(
        t,
        fx,
        async () => {
          const session = await PollingSession.open(fx);
          await session.post("40");
          // the session is gone: the next GET is refused or answered with a close packet
          const res = await session.get();
          assert.ok(res.status === 400 || res.packets.includes("1"), `session still open: ${res.status} ${res.text}`);
        },
        witness,
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// chorus-api-fixture --parser msgpack: server to client acks, rooms, broadcasts, disconnects and
// the reason the server reports for bad input.

const haveApiFixture = Boolean(process.env.CHORUS_API_FIXTURE);

describe("socket.io-msgpack-parser against the API fixture", { skip: haveApiFixture ? false : "CHORUS_API_FIXTURE is not set" }, () => {
  let fx;
  before(async () => {
    fx = await startFixture(PARSER_ARGS, { binaryEnv: "CHORUS_API_FIXTURE" });
  });
  after(async () => {
    await fx?.stop();
  });

  /** A connected client with `socket.log` ([event, ...args] for everything but "hello") and its id. */
  async function client(t, opts = {}, nsp = "/") {
    const socket = io(`${fx.url}${nsp === "/" ? "" : nsp}`, { ...clientDefaults, ...opts, autoConnect: false });
    socket.log = [];
    socket.onAny((event, ...args) => {
      if (event !== "hello") socket.log.push([event, ...args]);
    });
    t.after(() => socket.disconnect());
    const hello = waitEvent(socket, "hello");
    const connectError = new Promise((_, reject) => socket.once("connect_error", reject));
    socket.connect();
    const [{ id }] = await Promise.race([hello, connectError]);
    assert.equal(id, socket.id);
    return socket;
  }

  /** Resolves with the arguments of the next `event` on `socket` (bounded). */
  const next = (socket, event, ms = 5_000) =>
    within(ms, new Promise((resolve) => socket.once(event, (...args) => resolve(args))), `"${event}"`);

  for (const mode of modes) {
    it(`server to client emitWithAck, answered with text and binary (${mode.name})`, async (t) => {
      const socket = await client(t, mode.opts);
      const question = within(
        5_000,
        new Promise((resolve) =>
          socket.once("question", (...args) => {
            const ack = args.pop();
            ack("yes", 42, { nested: ["ä", null] }, Buffer.from([9, 8, 7, 0, 255]));
            resolve(args);
          }),
        ),
        "the question",
      );
      const answer = next(socket, "answer");
      socket.emit("ask", 3_000, "q-1", { n: 1 }, Buffer.from([1, 2, 3]));
      const asked = await question;
      assert.deepEqual(asked.slice(0, 2), ["q-1", { n: 1 }]);
      assert.deepEqual(bytes(asked[2]), Buffer.from([1, 2, 3]));
      const got = await answer;
      assert.deepEqual(got.slice(0, 3), ["yes", 42, { nested: ["ä", null] }]);
      assert.deepEqual(bytes(got[3]), Buffer.from([9, 8, 7, 0, 255]));
    });
  }

  it("a broadcast to a room reaches each member once, not the outsider", async (t) => {
    const members = await Promise.all([
      client(t, { transports: ["websocket"] }),
      client(t, { transports: ["polling"] }),
      client(t, {}),
    ]);
    const outsider = await client(t, { transports: ["websocket"] });
    for (const m of members) await within(5_000, m.emitWithAck("join", "mp-room"), "join");
    const bin = Buffer.from([0, 255, 7]);
    await within(5_000, members[0].emitWithAck("room-all", "mp-room", "hi", { u: "ünï ✓" }, bin), "room-all");
    // A barrier to the whole namespace after it: each connection's packets arrive in order, so
    // once a client has the barrier it has every event sent before it.
    const barriers = [...members, outsider].map((s) => next(s, "broadcast-event"));
    await within(5_000, members[1].emitWithAck("broadcast-all", "barrier"), "broadcast-all");
    await Promise.all(barriers);
    for (const m of members) {
      const events = m.log.filter(([event]) => event === "room-event");
      assert.equal(events.length, 1, `room events: ${JSON.stringify(events)}`);
      const [, room, text, obj, gotBin] = events[0];
      assert.deepEqual([room, text, obj], ["mp-room", "hi", { u: "ünï ✓" }]);
      assert.deepEqual(bytes(gotBin), bin);
    }
    assert.deepEqual(outsider.log.filter(([event]) => event === "room-event"), []);
  });

  it("broadcast() reaches everyone but the sender, once each", async (t) => {
    const [a, b, c] = await Promise.all([
      client(t, { transports: ["websocket"] }),
      client(t, { transports: ["polling"] }),
      client(t, { transports: ["websocket"] }),
    ]);
    const atB = next(b, "broadcast-event");
    const atC = next(c, "broadcast-event");
    await within(5_000, a.emitWithAck("broadcast", "to-all", 1), "broadcast");
    assert.deepEqual(await atB, ["to-all", 1]);
    assert.deepEqual(await atC, ["to-all", 1]);
    // the sender's own barrier: broadcast-all reaches it too, and nothing came before it
    const own = next(a, "broadcast-event");
    await within(5_000, b.emitWithAck("broadcast-all", "barrier"), "broadcast-all");
    assert.deepEqual(await own, ["barrier"]);
    assert.deepEqual(a.log.filter(([event]) => event === "broadcast-event"), [["broadcast-event", "barrier"]]);
  });

  it("a broadcast with acks gathers every member's first ack argument", async (t) => {
    const members = await Promise.all([client(t, { transports: ["websocket"] }), client(t, { transports: ["polling"] })]);
    const asker = await client(t, { transports: ["websocket"] });
    for (const [i, m] of members.entries()) {
      await within(5_000, m.emitWithAck("join", "mp-acks"), "join");
      m.on("poll", (question, ack) => ack({ answer: question, from: i }, "ignored"));
    }
    const result = await within(5_000, asker.emitWithAck("broadcast-with-ack", 3_000, ["mp-acks"], "poll", "q?"), "the gathered acks");
    assert.equal(result.complete, true);
    const sorted = [...result.responses].sort((x, y) => x.from - y.from);
    assert.deepEqual(sorted, [
      { answer: "q?", from: 0 },
      { answer: "q?", from: 1 },
    ]);
  });

  it("a client-side disconnect reaches the server (DISCONNECT decoded)", async (t) => {
    const socket = await client(t, { transports: ["websocket"] });
    const id = socket.id;
    socket.disconnect();
    await fx.waitForLine((l) => l === `disconnect / ${id} client namespace disconnect`, 5_000, "the disconnect line");
  });

  it("a server-side disconnect reaches the client (DISCONNECT encoded)", async (t) => {
    const socket = await client(t, { transports: ["websocket"] });
    const reason = waitEvent(socket, "disconnect");
    socket.emit("kick");
    const [why] = await reason;
    assert.equal(why, "io server disconnect");
  });

  it("a middleware's refusal arrives as connect_error (CONNECT_ERROR encoded)", async (t) => {
    await assert.rejects(client(t, { transports: ["websocket"], auth: { token: "wrong" } }, "/private"), (err) => {
      assert.equal(err.message, "Not authorized");
      return true;
    });
    const ok = await client(t, { transports: ["websocket"], auth: { token: "secret" } }, "/private");
    assert.ok(ok.connected);
  });

  /** A raw WebSocket connected to "/" with a msgpack CONNECT; resolves with {raw, id}. */
  async function rawConnected(t) {
    const { raw } = await openEngineWs(fx);
    t.after(() => raw.terminate());
    raw.send(encodePacket({ type: 0, nsp: "/", data: {} }));
    const reply = await raw.next();
    assert.equal(reply.binary, true, "the CONNECT reply is a binary message");
    const connect = decodePacket(reply.data);
    assert.equal(connect.type, 0);
    assert.equal(typeof connect.data.sid, "string");
    const hello = decodePacket((await raw.next()).data);
    assert.deepEqual(hello.data, ["hello", { id: connect.data.sid }]);
    return { raw, id: connect.data.sid };
  }

  for (const [name, message] of [
    ["a text EVENT", '42["anything","as text"]'],
    ["malformed msgpack", Buffer.from([0x83, 0xa4, 0x74, 0x79, 0x70])],
    ["an EVENT without a name", encodePacket({ type: 2, nsp: "/", data: [1, 2] })],
  ]) {
    it(`${name} closes the connection with "parse error"; a witness is unharmed`, async (t) => {
      const witness = await client(t, { transports: ["websocket"] });
      const { raw, id } = await rawConnected(t);
      raw.send(message);
      await raw.waitClose();
      await fx.waitForLine((l) => l === `disconnect / ${id} parse error`, 5_000, "the parse error disconnect");
      assert.ok(fx.alive());
      assert.deepEqual(await within(5_000, witness.emitWithAck("still-there", 1), "witness ack"), "still-there");
      assert.ok(witness.connected);
    });
  }

  it("a JSON-parser client is refused: its text CONNECT never reaches the namespace", async (t) => {
    const token = `json-client-${process.pid}-${Date.now()}`;
    const socket = io(fx.url, { reconnection: false, forceNew: true, timeout: 2_000, transports: ["websocket"], auth: { token } });
    t.after(() => socket.disconnect());
    const outcome = await within(
      5_000,
      new Promise((resolve) => {
        socket.once("connect", () => resolve("connected"));
        socket.once("connect_error", () => resolve("connect_error"));
        socket.once("disconnect", () => resolve("disconnected"));
      }),
      "connect, connect_error or disconnect",
    );
    assert.notEqual(outcome, "connected");
    // The fixture prints "connect / <id> <auth>" for every socket, in order: once a later
    // client's line is read, the JSON client's would have been too.
    const witness = await client(t, { transports: ["websocket"] });
    await fx.waitForLine((l) => l.startsWith(`connect / ${witness.id} `), 5_000, "the witness's connect line");
    assert.deepEqual(fx.lines().filter((l) => l.includes(token)), []);
  });
});
