// Interop with the official socket.io-client 4.8: every transport mode, payload shapes, binary,
// acks, unicode, large and many messages, namespaces multiplexed on one Manager, refused
// namespaces, and over-size messages.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFixture } from "./lib/fixture.mjs";
import { connectClient, echo, manager, upgraded, within, waitEvent, MAX_PAYLOAD } from "./lib/util.mjs";
import { MIXED_ARGS, UNICODE_ARGS, echoes500KB, echoesBinary, echoesInOrder, getsAcks } from "./lib/echo-cases.mjs";

let fx;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx?.stop();
});

const modes = [
  { name: "default (polling then upgrade)", opts: {}, finalTransport: "websocket" },
  { name: "websocket only", opts: { transports: ["websocket"] }, finalTransport: "websocket" },
  { name: "polling only", opts: { transports: ["polling"] }, finalTransport: "polling" },
];

for (const mode of modes) {
  describe(`socket.io-client, ${mode.name}`, () => {
    it(`connects and ends up on ${mode.finalTransport}`, async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      assert.equal(typeof socket.id, "string");
      if (mode.finalTransport === "websocket") await upgraded(socket);
      // a round trip after the (possible) upgrade proves the final transport carries traffic
      assert.deepEqual(await echo(socket, ["after-upgrade"]), ["after-upgrade"]);
      assert.equal(socket.io.engine.transport.name, mode.finalTransport);
    });

    it("receives an empty auth object when none is sent", async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      assert.deepEqual(await socket.authEvent, {});
    });

    it("round-trips the auth payload", async (t) => {
      const auth = { token: "abc-123", n: 42, ok: true, nested: { list: [1, "two", null] }, text: "héllo ✓" };
      const socket = await connectClient(t, fx, { ...mode.opts, auth });
      assert.deepEqual(await socket.authEvent, auth);
    });

    it("echoes mixed arguments", async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      const args = [...MIXED_ARGS, 1e21];
      assert.deepEqual(await echo(socket, args), args);
    });

    it("echoes binary arguments (top level, nested, several)", async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      await echoesBinary(socket);
    });

    it("gets acks for emitWithAck (text and binary)", async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      await getsAcks(socket);
    });

    it.skip("server to client acks (the fixture has no such event)", () => {});

    it("echoes unicode text intact", async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      assert.deepEqual(await echo(socket, UNICODE_ARGS), UNICODE_ARGS);
    });

    it("echoes a 500 KB message", async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      await echoes500KB(socket);
    });

    it("echoes 200 messages in order", async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      await echoesInOrder(socket, 200);
    });

    it("is disconnected after sending a message over maxPayload", async (t) => {
      const socket = await connectClient(t, fx, mode.opts);
      if (mode.finalTransport === "websocket") await upgraded(socket);
      assert.deepEqual(await echo(socket, ["before"]), ["before"]);
      const disconnect = waitEvent(socket, "disconnect", 10_000);
      socket.emit("message", "x".repeat(MAX_PAYLOAD + 1));
      const [reason] = await disconnect;
      assert.ok(
        ["transport close", "transport error", "io server disconnect", "parse error", "ping timeout"].includes(reason),
        `unexpected disconnect reason ${reason}`,
      );
      assert.equal(socket.connected, false);
    });
  });
}

describe("namespaces", () => {
  it("multiplexes / and /custom on one Manager (one Engine.IO connection)", async (t) => {
    const m = manager(t, fx);
    const root = m.socket("/");
    const custom = m.socket("/custom", { auth: { which: "custom" } });
    t.after(() => {
      root.disconnect();
      custom.disconnect();
    });
    const rootAuth = within(5_000, new Promise((resolve) => root.once("auth", resolve)), "auth on /");
    const customAuth = within(5_000, new Promise((resolve) => custom.once("auth", resolve)), "auth on /custom");
    rootAuth.catch(() => {}); // awaited below; keep an early failure from being unhandled
    customAuth.catch(() => {});
    const connected = (s) =>
      within(
        5_000,
        new Promise((resolve, reject) => {
          s.once("connect", resolve);
          s.once("connect_error", reject);
        }),
        `connect ${s.nsp}`,
      );
    root.connect();
    custom.connect();
    await Promise.all([connected(root), connected(custom)]);
    assert.deepEqual(await rootAuth, {});
    assert.deepEqual(await customAuth, { which: "custom" });
    assert.equal(root.io, custom.io);
    const engineId = m.engine.id;
    assert.equal(typeof engineId, "string");

    // events stay in their namespace
    const gotOnRoot = [];
    root.on("message-back", (...a) => gotOnRoot.push(a));
    assert.deepEqual(await echo(custom, ["to-custom", 1]), ["to-custom", 1]);
    assert.deepEqual(await echo(root, ["to-root", 2]), ["to-root", 2]);
    assert.deepEqual(gotOnRoot, [["to-root", 2]]);
    assert.equal(await within(5_000, custom.emitWithAck("message-with-ack", "ack-custom"), "ack"), "ack-custom");

    // still one Engine.IO session
    assert.equal(m.engine.id, engineId);

    // leaving one namespace leaves the other working
    custom.disconnect();
    assert.deepEqual(await echo(root, ["still-root"]), ["still-root"]);
    assert.equal(m.engine.id, engineId);
  });

  it("connects to /custom alone", async (t) => {
    const socket = await connectClient(t, fx, { transports: ["websocket"], auth: { x: 1 } }, "/custom");
    assert.deepEqual(await socket.authEvent, { x: 1 });
    assert.deepEqual(await echo(socket, ["c"]), ["c"]);
  });

  for (const mode of modes) {
    it(`refuses an unknown namespace with connect_error "Invalid namespace" (${mode.name})`, async (t) => {
      await assert.rejects(connectClient(t, fx, mode.opts, "/unknown"), (err) => {
        assert.equal(err.message, "Invalid namespace");
        return true;
      });
    });
  }

  it("refuses an unknown namespace but keeps the other namespaces of the Manager", async (t) => {
    const m = manager(t, fx, { transports: ["websocket"] });
    const root = m.socket("/");
    const bad = m.socket("/nope");
    t.after(() => {
      root.disconnect();
      bad.disconnect();
    });
    const rootConnected = waitEvent(root, "connect");
    root.connect();
    await rootConnected;
    const err = waitEvent(bad, "connect_error");
    bad.connect();
    const [e] = await err;
    assert.equal(e.message, "Invalid namespace");
    assert.deepEqual(await echo(root, ["ok"]), ["ok"]);
  });
});
