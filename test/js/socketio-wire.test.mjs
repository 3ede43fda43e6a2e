// Socket.IO packets on the wire, raw over WebSocket (ws): the cases the public socket.io-protocol
// test suite found. A namespace with nothing after it ("40/custom", "41/custom", "40/random")
// reads as socket.io-parser reads it; and the fixture's greeting ("auth") never shares a TCP
// read with the CONNECT reply, because the suite's client takes one message per read.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import WebSocket from "ws";
import { startFixture, isReference } from "./lib/fixture.mjs";
import { PING_INTERVAL, openEngineWs, openSocketIoWs, within } from "./lib/util.mjs";

let fx;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx?.stop();
});

describe("a namespace with nothing after it", () => {
  it('"40/custom" connects to /custom', async () => {
    const { raw } = await openEngineWs(fx);
    try {
      raw.send("40/custom");
      const reply = await raw.nextText();
      assert.match(reply, /^40\/custom,\{"sid":"[^"]+"\}$/);
      assert.equal(await raw.nextText(), '42/custom,["auth",{}]');
      raw.send('42/custom,["message","in custom"]');
      assert.equal(await raw.nextText(), '42/custom,["message-back","in custom"]');
    } finally {
      raw.terminate();
    }
  });

  it('"40/random" gets CONNECT_ERROR "Invalid namespace" and the connection stays', async () => {
    const { raw } = await openEngineWs(fx);
    try {
      raw.send("40/random");
      assert.equal(await raw.nextText(), '44/random,{"message":"Invalid namespace"}');
      raw.send("40");
      assert.match(await raw.nextText(), /^40\{"sid":"[^"]+"\}$/);
    } finally {
      raw.terminate();
    }
  });

  it('"41/custom" leaves /custom and "/" carries on', async () => {
    const raw = await openSocketIoWs(fx);
    try {
      raw.send("40/custom");
      assert.match(await raw.nextText(), /^40\/custom,\{"sid":"[^"]+"\}$/);
      assert.equal(await raw.nextText(), '42/custom,["auth",{}]');
      raw.send("41/custom");
      raw.send('42["message","to main"]');
      assert.equal(await raw.nextText(), '42["message-back","to main"]');
      assert.ok(raw.isOpen);
    } finally {
      raw.terminate();
    }
  });
});

// The socket.io-protocol suite's own way of reading: one listener per message, added after the
// previous one resolved. A second message that arrived in the same TCP read as the first is
// dispatched before the next listener exists, and is lost.
function nextMessageSuiteStyle(ws, what, ms = 3 * PING_INTERVAL) {
  return within(
    ms,
    new Promise((resolve) => ws.addEventListener("message", (event) => resolve(String(event.data)), { once: true })),
    what,
  );
}

async function openSuiteStyle() {
  const ws = new WebSocket(`${fx.wsUrl}${fx.path}?EIO=4&transport=websocket`);
  ws.addEventListener("error", () => {});
  const open = await nextMessageSuiteStyle(ws, "the open packet");
  assert.match(open, /^0\{/);
  return ws;
}

/** openSuiteStyle, then CONNECT to "/" and read its reply and the greeting, as the suite does. */
async function connectSuiteStyle() {
  const ws = await openSuiteStyle();
  ws.send("40");
  await nextMessageSuiteStyle(ws, "the CONNECT reply");
  await nextMessageSuiteStyle(ws, "the auth event");
  return ws;
}

const ownRace = isReference && "the reference writes its greeting with the CONNECT reply: it loses this race itself";

describe("the greeting comes in a later read than the CONNECT reply", { skip: ownRace }, () => {
  for (const [connect, prefix, auth] of [
    ["40", "", "{}"],
    ['40{"token":"123"}', "", '{"token":"123"}'],
    ["40/custom,", "/custom,", "{}"],
    ['40/custom,{"token":"abc"}', "/custom,", '{"token":"abc"}'],
  ]) {
    it(`${connect}: the CONNECT reply, then 42${prefix}["auth",${auth}], each read alone (5 times)`, async () => {
      for (let round = 0; round < 5; round++) {
        const ws = await openSuiteStyle();
        try {
          ws.send(connect);
          assert.ok((await nextMessageSuiteStyle(ws, "the CONNECT reply")).startsWith(`40${prefix}{`));
          assert.equal(await nextMessageSuiteStyle(ws, "the auth event"), `42${prefix}["auth",${auth}]`);
        } finally {
          ws.close();
        }
      }
    });
  }

  it("41 after the greeting: the next message is the ping", async () => {
    const ws = await connectSuiteStyle();
    try {
      ws.send("41");
      assert.equal(await nextMessageSuiteStyle(ws, "the ping"), "2");
    } finally {
      ws.close();
    }
  });

  it("connect to /custom after a ping, then leave it: '/' still answers", async () => {
    const ws = await connectSuiteStyle();
    try {
      assert.equal(await nextMessageSuiteStyle(ws, "the ping"), "2");
      ws.send("3");
      ws.send("40/custom");
      assert.ok((await nextMessageSuiteStyle(ws, "the CONNECT reply")).startsWith("40/custom,{"));
      assert.equal(await nextMessageSuiteStyle(ws, "the auth event"), '42/custom,["auth",{}]');
      ws.send("41/custom");
      ws.send('42["message","message to main namespace"]');
      assert.equal(await nextMessageSuiteStyle(ws, "message-back"), '42["message-back","message to main namespace"]');
    } finally {
      ws.close();
    }
  });
});
