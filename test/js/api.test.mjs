// The C++ application API end to end, against chorus-api-fixture (CHORUS_API_FIXTURE): the
// connection handler, an event handler that throws and the error handler, the catch-all,
// server-to-client acks (answered, timed out, disconnected), deferred acks, server-side
// disconnects, every disconnect reason the server reports, and middlewares that refuse or throw.
// With CHORUS_FIXTURE_ARGS="--threads 4" the same runs on 4 shards; the last test opens many
// polling and upgrading clients at once so that their requests land on foreign shards.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { io } from "socket.io-client";
import { startFixture, fixtureThreads } from "./lib/fixture.mjs";
import { PollingSession, manager, openEngineWs, sleep, upgraded, waitEvent, within } from "./lib/util.mjs";

let fx;
before(async () => {
  fx = await startFixture([], { binaryEnv: "CHORUS_API_FIXTURE" });
});
after(async () => {
  await fx?.stop();
});

const modes = [
  { name: "websocket only", opts: { transports: ["websocket"] } },
  { name: "polling only", opts: { transports: ["polling"] } },
  { name: "default (polling then upgrade)", opts: {} },
];

const clientDefaults = { reconnection: false, forceNew: true, timeout: 5_000 };

/** Received binaries arrive as Buffers in Node: compare bytes. */
const bytes = (b) => Buffer.from(b.buffer ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b);

/**
 * A socket.io-client socket, not connected yet, with `socket.hello` (the payload of the fixture's
 * "hello" event, bounded) and `socket.disconnectReason` once it disconnects.
 */
function makeSocket(t, opts = {}, nsp = "/", fixture = fx) {
  const socket = io(`${fixture.url}${nsp === "/" ? "" : nsp}`, { ...clientDefaults, ...opts, autoConnect: false });
  socket.hello = within(5_000, new Promise((resolve) => socket.once("hello", resolve)), 'the "hello" event');
  socket.hello.catch(() => {}); // observed only by the tests that care
  socket.on("disconnect", (reason, details) => {
    socket.disconnectReason = reason;
    // e.g. a polling request refused with HTTP 400: {description: 400, context: XMLHttpRequest}
    const description = details?.description?.message ?? details?.description ?? details?.message;
    socket.disconnectDetails = description === undefined ? "" : `(${description})`;
  });
  t?.after?.(() => socket.disconnect());
  return socket;
}

/** Resolves on "connect", rejects with the connect_error (bounded). */
function connected(socket, ms = 5_000) {
  return within(
    ms,
    new Promise((resolve, reject) => {
      if (socket.connected) return resolve(socket);
      socket.once("connect", () => resolve(socket));
      socket.once("connect_error", reject);
    }),
    `connect to ${socket.nsp}`,
  );
}

/** Connects a socket.io-client socket (bounded) and waits for its "hello". */
async function connect(t, opts = {}, nsp = "/", fixture = fx) {
  const socket = makeSocket(t, opts, nsp, fixture);
  const done = connected(socket);
  socket.connect();
  await done;
  await socket.hello;
  return socket;
}

/** The connect_error of a socket that must be refused (bounded). */
async function refusal(t, opts, nsp) {
  const socket = makeSocket(t, opts, nsp);
  const outcome = within(
    5_000,
    new Promise((resolve, reject) => {
      socket.once("connect", () => reject(new Error(`${nsp} accepted a connection it should refuse`)));
      socket.once("connect_error", resolve);
    }),
    `connect_error on ${nsp}`,
  );
  socket.connect();
  return outcome;
}

/** Resolves with the arguments of the next `event` on `socket` (bounded). */
function next(socket, event, ms = 5_000) {
  return within(ms, new Promise((resolve) => socket.once(event, (...args) => resolve(args))), `event "${event}"`);
}

/** Emits `event` with `args` and resolves with the arguments of the next "unhandled" (the catch-all's echo). */
function viaCatchAll(socket, event, ...args) {
  const back = next(socket, "unhandled");
  socket.emit(event, ...args);
  return back;
}

/** Emits with an ack callback and resolves with all the ack's arguments (bounded). */
function emitAck(socket, event, ...args) {
  return within(5_000, new Promise((resolve) => socket.emit(event, ...args, (...got) => resolve(got))), `the ack of "${event}"`);
}

/** The reason the fixture printed for the disconnect of socket `id` from `nsp` (bounded). */
async function serverReason(nsp, id, ms = 5_000, fixture = fx) {
  const prefix = `disconnect ${nsp} ${id} `;
  const line = await fixture.waitForLine((l) => l.startsWith(prefix), ms, `"${prefix}…"`);
  return line.slice(prefix.length);
}

/** The auth JSON the fixture printed for the connection of socket `id` to `nsp`, parsed (bounded). */
async function serverAuth(nsp, id) {
  const prefix = `connect ${nsp} ${id} `;
  const line = await fx.waitForLine((l) => l.startsWith(prefix), 5_000, `"${prefix}…"`);
  return JSON.parse(line.slice(prefix.length));
}

/**
 * A raw Engine.IO WebSocket joined to "/": returns {raw, id} after the CONNECT reply and the
 * "hello" event. With autoPong false nothing answers the server's pings.
 */
async function rawSocket({ autoPong = true } = {}) {
  const { raw } = await openEngineWs(fx, { autoPong });
  raw.send("40");
  const nextNonPing = async () => {
    for (;;) {
      const text = await raw.nextText();
      if (text !== "2") return text;
    }
  };
  const reply = await nextNonPing();
  assert.match(reply, /^40\{/, `expected a CONNECT reply, got ${reply}`);
  const { sid: id } = JSON.parse(reply.slice(2));
  const hello = await nextNonPing();
  assert.equal(hello, `42["hello",{"id":"${id}"}]`);
  return { raw, id };
}

for (const mode of modes) {
  describe(`application API, ${mode.name}`, () => {
    it("the connection handler's hello carries the socket id; the server saw that id and the auth", async (t) => {
      const auth = { user: "ünïcødé ✓", n: 7, list: [1, null, { deep: true }] };
      const socket = await connect(t, { ...mode.opts, auth });
      assert.deepEqual(await socket.hello, { id: socket.id });
      assert.deepEqual(await serverAuth("/", socket.id), auth);
    });

    it("a handler that throws reaches the error handler, and the connection stays usable", async (t) => {
      const socket = await connect(t, mode.opts);
      const error = next(socket, "error");
      socket.emit("boom", "ignored", 1);
      assert.deepEqual(await error, [{ msg: "An error occurred", detail: "kaboom" }]);
      assert.deepEqual(await viaCatchAll(socket, "after-boom", 1), ["after-boom", 1]);
      // the error handler runs again for a second throw
      const again = next(socket, "error");
      socket.emit("boom");
      assert.deepEqual(await again, [{ msg: "An error occurred", detail: "kaboom" }]);
      assert.equal(socket.connected, true);
    });

    it("the catch-all gets the event name and mixed JSON and unicode arguments", async (t) => {
      const socket = await connect(t, mode.opts);
      const args = [
        1,
        -2.5,
        "héllo wörld ✓ 😀 中文",
        "",
        null,
        true,
        false,
        { a: 1, b: { c: [1, 2, { d: "e\"\\\n" }] }, n: null, "ключ": "значение" },
        [1, "x", [2, [3, []]], {}],
      ];
      assert.deepEqual(await viaCatchAll(socket, "no-such-handler", ...args), ["no-such-handler", ...args]);
      assert.deepEqual(await viaCatchAll(socket, "événement ✓"), ["événement ✓"]);
    });

    it("the catch-all gets binary arguments and answers an ack", async (t) => {
      const socket = await connect(t, mode.opts);
      const buf = Buffer.from([0, 1, 2, 253, 254, 255]);
      const got = await viaCatchAll(socket, "with-binary", "before", buf, { nested: Buffer.from("xyz") });
      assert.equal(got.length, 4);
      assert.deepEqual(got.slice(0, 2), ["with-binary", "before"]);
      assert.deepEqual(bytes(got[2]), buf);
      assert.deepEqual(bytes(got[3].nested), Buffer.from("xyz"));
      const unhandled = next(socket, "unhandled");
      assert.deepEqual(await emitAck(socket, "acked-anything", 1, "two"), ["acked-anything"]);
      assert.deepEqual(await unhandled, ["acked-anything", 1, "two"]);
    });

    it("server to client ack: the client's ack values (binary included) come back", async (t) => {
      const socket = await connect(t, mode.opts);
      const question = new Promise((resolve) =>
        socket.once("question", (...args) => {
          const ack = args.pop();
          ack("yes", 42, { nested: ["ä", null] }, Buffer.from([9, 8, 7, 0, 255]));
          resolve(args);
        }),
      );
      const answer = next(socket, "answer");
      socket.emit("ask", 3_000, "q-1", { n: 1 }, Buffer.from([1, 2, 3]));
      const asked = await within(5_000, question, "the question");
      assert.equal(asked.length, 3);
      assert.deepEqual(asked.slice(0, 2), ["q-1", { n: 1 }]);
      assert.deepEqual(bytes(asked[2]), Buffer.from([1, 2, 3]));
      const got = await answer;
      assert.equal(got.length, 4);
      assert.deepEqual(got.slice(0, 3), ["yes", 42, { nested: ["ä", null] }]);
      assert.deepEqual(bytes(got[3]), Buffer.from([9, 8, 7, 0, 255]));
    });

    it("server to client ack: an empty ack and a question without arguments", async (t) => {
      const socket = await connect(t, mode.opts);
      socket.once("question", (...args) => {
        assert.equal(args.length, 1); // only the ack callback
        args[0]();
      });
      const answer = next(socket, "answer");
      socket.emit("ask", 3_000);
      assert.deepEqual(await answer, []);
    });

    it("server to client ack: the timeout path when the client never acks; a late ack is ignored", async (t) => {
      const socket = await connect(t, mode.opts);
      const held = new Promise((resolve) => socket.once("question", (...args) => resolve(args.pop())));
      const answers = [];
      socket.on("answer", (...args) => answers.push(args));
      const timedOut = next(socket, "answer-timeout");
      socket.emit("ask", 200, "never answered");
      const ack = await within(5_000, held, "the question");
      assert.deepEqual(await timedOut, [{ ms: 200 }]);
      ack("too late");
      // The server handles a connection's packets in order: once the catch-all answers an event
      // sent after the late ack, the late ack has been handled (and must not have produced an answer).
      assert.deepEqual(await viaCatchAll(socket, "after-late-ack"), ["after-late-ack"]);
      assert.deepEqual(answers, []);
      assert.equal(socket.connected, true);
    });

    it("a deferred ack (ack_sender_ref copy, answered from a shard timer)", async (t) => {
      const socket = await connect(t, mode.opts);
      assert.deepEqual(await emitAck(socket, "late-ack", "a", { b: [2, "ü"] }), ["late", "a", { b: [2, "ü"] }]);
      // several outstanding at once, each answered once
      const many = await Promise.all([1, 2, 3, 4, 5].map((i) => emitAck(socket, "late-ack", i)));
      assert.deepEqual(many, [1, 2, 3, 4, 5].map((i) => ["late", i]));
    });

    it("kick: disconnect() → client 'io server disconnect', server 'server namespace disconnect'", async (t) => {
      const socket = await connect(t, mode.opts);
      const { id } = await socket.hello;
      const reason = next(socket, "disconnect");
      socket.emit("kick");
      assert.equal((await reason)[0], "io server disconnect");
      assert.equal(await serverReason("/", id), "server namespace disconnect");
    });

    it(
      "kick-close: disconnect(true) → client 'io server disconnect', the connection closes",
      async (t) => {
        const socket = await connect(t, mode.opts);
        const { id } = await socket.hello;
        if (!mode.opts.transports) await upgraded(socket);
        const engineClosed = waitEvent(socket.io.engine, "close");
        const reason = next(socket, "disconnect");
        socket.emit("kick-close");
        assert.equal((await reason)[0], "io server disconnect");
        assert.equal(await serverReason("/", id), "server namespace disconnect");
        await engineClosed;
      },
    );

    it("client disconnect() → server 'client namespace disconnect'", async (t) => {
      const socket = await connect(t, mode.opts);
      const { id } = await socket.hello;
      socket.disconnect();
      assert.equal(await serverReason("/", id), "client namespace disconnect");
    });

    it("the client closes its transport → server 'transport close'", async (t) => {
      const socket = await connect(t, mode.opts);
      const { id } = await socket.hello;
      if (!mode.opts.transports) await upgraded(socket);
      socket.io.engine.close();
      assert.equal(await serverReason("/", id), "transport close");
    });

    it("/private: no auth and a wrong token are refused with 'Not authorized'", async (t) => {
      const none = await refusal(t, mode.opts, "/private");
      assert.equal(none.message, "Not authorized");
      const wrong = await refusal(t, { ...mode.opts, auth: { token: "guess" } }, "/private");
      assert.equal(wrong.message, "Not authorized");
      const notString = await refusal(t, { ...mode.opts, auth: { token: 1234 } }, "/private");
      assert.equal(notString.message, "Not authorized");
    });

    it("/private: a middleware that throws refuses with its message", async (t) => {
      const err = await refusal(t, { ...mode.opts, auth: { token: "throw" } }, "/private");
      assert.equal(err.message, "middleware failed");
    });

    it("/private: token 'secret' connects; the server saw exactly the auth sent", async (t) => {
      const auth = { token: "secret", extra: { list: [1, "二", null, true], empty: {} }, s: "é\"\\" };
      const socket = await connect(t, { ...mode.opts, auth }, "/private");
      const { id } = await socket.hello;
      assert.equal(id, socket.id);
      assert.deepEqual(await serverAuth("/private", id), auth);
      socket.disconnect();
      assert.equal(await serverReason("/private", id), "client namespace disconnect");
    });
  });
}

describe("application API, disconnect reasons on raw connections", () => {
  it("a WebSocket dropped without a close frame → 'transport close'", async () => {
    const { raw, id } = await rawSocket();
    raw.terminate();
    assert.equal(await serverReason("/", id), "transport close");
  });

  it("a WebSocket client that stops answering pings → 'ping timeout'", async () => {
    const { raw, id } = await rawSocket({ autoPong: false });
    try {
      assert.equal(await serverReason("/", id), "ping timeout");
      await raw.waitClose();
    } finally {
      raw.terminate();
    }
  });

  it("a packet that does not parse → 'parse error' (WebSocket)", async () => {
    const { raw, id } = await rawSocket();
    try {
      raw.send('42["unterminated"');
      assert.equal(await serverReason("/", id), "parse error");
      await raw.waitClose();
    } finally {
      raw.terminate();
    }
  });

  it("a packet that does not parse → 'parse error' (polling)", async () => {
    const session = await PollingSession.open(fx);
    assert.equal((await session.post("40")).status, 200);
    const [reply, hello] = await session.collect(2);
    assert.match(reply, /^40\{/);
    const { sid: id } = JSON.parse(reply.slice(2));
    assert.equal(hello, `42["hello",{"id":"${id}"}]`);
    await session.post('42[{"toString":"foo"}]'); // the event name must be a string
    assert.equal(await serverReason("/", id), "parse error");
  });

  it("a second CONNECT to a joined namespace → 'forced close'", async () => {
    const { raw, id } = await rawSocket();
    try {
      raw.send("40");
      assert.equal(await serverReason("/", id), "forced close");
      await raw.waitClose();
    } finally {
      raw.terminate();
    }
  });
});

describe("heartbeat deadlines on a busy shard", () => {
  // One shard: the handler that stalls it must share it with the polling session.
  it(
    "a GET that reaches a stalled shard after pingInterval + pingTimeout finds the session over (400), not a ping",
    { skip: fixtureThreads !== 1 && "needs one shard" },
    async (t) => {
      const session = await PollingSession.open(fx);
      const staller = makeSocket(t, { transports: ["websocket"] });
      staller.connect();
      await staller.hello;
      // The shard sleeps through the ping (due at 300 ms) and its pong deadline (500 ms); the
      // GET sent at 550 ms is read when it wakes, with the timers that ran late.
      staller.emit("stall", 600);
      await sleep(550);
      const res = await session.get();
      assert.equal(res.status, 400, `expected the session to be over, got ${res.status} ${res.text}`);
      assert.deepEqual(JSON.parse(res.text), { code: 1, message: "Session ID unknown" });
    },
  );
});

describe("application API, acks and sockets that go away", () => {
  it("a question pending when the client leaves completes as 'disconnected', once", async (t) => {
    const socket = await connect(t, { transports: ["websocket"] });
    const { id } = await socket.hello;
    const asked = new Promise((resolve) => socket.once("question", resolve));
    socket.emit("ask", 30_000, "left unanswered");
    await within(5_000, asked, "the question");
    socket.disconnect();
    assert.equal(await serverReason("/", id), "client namespace disconnect");
    await fx.waitForLine((l) => l === `ack-disconnected / ${id}`, 5_000, "the ack callback's 'disconnected'");
  });

  it("a deferred ack whose socket is gone is dropped; the server carries on", async (t) => {
    const socket = await connect(t, { transports: ["websocket"] });
    const { id } = await socket.hello;
    socket.emit("late-ack", "orphan", () => {});
    socket.io.engine.close(); // gone before the 100 ms timer fires
    assert.equal(await serverReason("/", id), "transport close");
    // the timer fires into a dead socket; a new client still gets its deferred ack
    const other = await connect(t, { transports: ["websocket"] });
    assert.deepEqual(await emitAck(other, "late-ack", "fresh"), ["late", "fresh"]);
    assert.ok(fx.alive());
  });
});

describe("application API, two namespaces on one connection", () => {
  for (const mode of modes) {
    it(`kick on "/" leaves "/private" connected (${mode.name})`, async (t) => {
      const m = manager(t, fx, mode.opts);
      const root = m.socket("/");
      const priv = m.socket("/private", { auth: { token: "secret" } });
      const rootHello = waitEvent(root, "hello");
      const privHello = waitEvent(priv, "hello");
      await Promise.all([connected(root), connected(priv)]);
      const [[{ id: rootId }], [{ id: privId }]] = await Promise.all([rootHello, privHello]);
      const rootGone = next(root, "disconnect");
      root.emit("kick");
      assert.equal((await rootGone)[0], "io server disconnect");
      assert.equal(await serverReason("/", rootId), "server namespace disconnect");
      assert.equal(priv.connected, true);
      // "/private" still answers on the same connection
      const privGone = next(priv, "disconnect");
      priv.emit("kick");
      assert.equal((await privGone)[0], "io server disconnect");
      assert.equal(await serverReason("/private", privId), "server namespace disconnect");
    });
  }

  it(
    'kick-close on "/" disconnects "/private" as the reference does (server namespace disconnect)',
    async (t) => {
      const m = manager(t, fx, { transports: ["websocket"] });
      const root = m.socket("/");
      const priv = m.socket("/private", { auth: { token: "secret" } });
      const rootHello = waitEvent(root, "hello");
      const privHello = waitEvent(priv, "hello");
      await Promise.all([connected(root), connected(priv)]);
      const [[{ id: rootId }], [{ id: privId }]] = await Promise.all([rootHello, privHello]);
      const privGone = next(priv, "disconnect");
      root.emit("kick-close");
      assert.equal(await serverReason("/", rootId), "server namespace disconnect");
      // socket.io 4.8 Socket#disconnect(true) → Client#_disconnect(): every socket of the
      // connection gets DISCONNECT and "server namespace disconnect", then the connection closes.
      const [privServer, [privClient]] = await Promise.all([serverReason("/private", privId), privGone]);
      assert.deepEqual(
        { server: privServer, client: privClient },
        { server: "server namespace disconnect", client: "io server disconnect" },
      );
    },
  );
});

const shardLabel = fixtureThreads === 0 ? "one shard per core" : `${fixtureThreads} shard${fixtureThreads === 1 ? "" : "s"}`;
describe(`application API, many clients at once (${shardLabel})`, () => {
  // Forty clients at once load a busy machine (debug build, shared cores) enough that a 200 ms
  // pingTimeout can expire, for the Node.js reference as well: this fixture relaxes the heartbeat.
  let loadFx;
  before(async () => {
    loadFx = await startFixture(["--ping-interval", "5000", "--ping-timeout", "20000"], { binaryEnv: "CHORUS_API_FIXTURE" });
  });
  after(async () => {
    await loadFx?.stop();
  });

  it("20 polling and 20 upgrading clients, round trips on each", async (t) => {
    const one = async (i, opts) => {
      let socket;
      // Names the client, the step and the transport in a failure.
      const step = async (what, run) => {
        try {
          return await run();
        } catch (err) {
          const where = socket
            ? `${socket.helloId ?? "?"} on ${socket.io.engine?.transport?.name ?? "?"}, ` +
              (socket.connected ? "connected" : `disconnected: ${socket.disconnectReason} ${socket.disconnectDetails ?? ""}`) +
              `; server lines: ${JSON.stringify(loadFx.lines().filter((l) => socket.helloId && l.includes(socket.helloId)))}`
            : "not connected";
          throw new Error(`client ${i} (${opts.transports ?? "default"}; ${where}) at "${what}": ${err.message}`);
        }
      };
      socket = await step("connect", () => connect(t, opts, "/", loadFx));
      const { id } = await socket.hello;
      socket.helloId = id;
      assert.equal(id, socket.id);
      const payload = { i, text: `client ${i} ✓`, list: [i, i * 2] };
      assert.deepEqual(await step("round-trip", () => viaCatchAll(socket, "round-trip", payload)), ["round-trip", payload]);
      socket.once("question", (...args) => args.pop()(...args, i));
      const answer = next(socket, "answer");
      socket.emit("ask", 5_000, `q${i}`);
      assert.deepEqual(await step("ask", () => answer), [`q${i}`, i]);
      if (!opts.transports) {
        await step("upgrade", () => upgraded(socket));
        assert.deepEqual(await step("after-upgrade", () => viaCatchAll(socket, "after-upgrade", i)), ["after-upgrade", i]);
      }
      assert.deepEqual(await step("late-ack", () => emitAck(socket, "late-ack", i)), ["late", i]);
      // more round trips; each polling request comes on a new TCP connection (a random shard)
      for (let k = 0; k < 3; ++k) {
        assert.deepEqual(await step(`again ${k}`, () => viaCatchAll(socket, "again", k)), ["again", k]);
      }
      socket.disconnect();
      assert.equal(await step("server disconnect line", () => serverReason("/", id, 5_000, loadFx)), "client namespace disconnect");
      return id;
    };
    const ids = await within(
      40_000,
      Promise.all([
        ...Array.from({ length: 20 }, (_, i) => one(i, { transports: ["polling"] })),
        ...Array.from({ length: 20 }, (_, i) => one(20 + i, {})),
      ]),
      "40 clients",
    );
    assert.equal(new Set(ids).size, 40);
    // The sessions live on more than one shard: connections are spread by SO_REUSEPORT, so most
    // follow-up requests and upgrades of a session arrive on a shard that does not own it.
    const owners = new Set(
      loadFx
        .lines()
        .filter((l) => l.startsWith("shard ") && ids.includes(l.split(" ")[3]))
        .map((l) => l.split(" ")[1]),
    );
    if (fixtureThreads > 1) assert.ok(owners.size > 1, `all 40 sessions on shard(s) ${[...owners]}`);
  });
});

// socket.io's handshake object as fetchSockets carries it (what the Admin UI shows of a socket):
// what the request that opened the Engine.IO session carried.
describe("socket.handshake", () => {
  it("has the opening request's headers (lowercased), url, decoded query, address, xdomain, secure and auth", async (t) => {
    const socket = makeSocket(t, {
      transports: ["polling"],
      query: { name: "a b+c", n: "1" },
      extraHeaders: { "X-Custom-Header": "Value" },
      auth: { token: "t" },
    });
    socket.connect();
    await connected(socket);
    const all = await socket.timeout(5_000).emitWithAck("fetch-sockets", []);
    const handshake = all.find((s) => s.id === socket.id)?.handshake;
    assert.ok(handshake, "fetchSockets lists the socket");
    assert.equal(handshake.headers["x-custom-header"], "Value");
    for (const name of Object.keys(handshake.headers)) assert.equal(name, name.toLowerCase());
    assert.ok(handshake.url.startsWith("/socket.io/?"), handshake.url);
    assert.ok(handshake.url.includes("transport=polling"), handshake.url);
    assert.equal(handshake.query.name, "a b+c");
    assert.equal(handshake.query.n, "1");
    assert.equal(handshake.query.EIO, "4");
    assert.equal(handshake.query.transport, "polling");
    assert.match(handshake.address, /127\.0\.0\.1|::1/);
    assert.equal(handshake.xdomain, false, "no Origin header from Node");
    assert.equal(handshake.secure, false);
    assert.equal(typeof handshake.issued, "number");
    assert.equal(handshake.time, new Date(handshake.issued).toISOString());
    assert.deepEqual(handshake.auth, { token: "t" });
  });
});
