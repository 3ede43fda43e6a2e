// RFC 6455 framing, byte by byte on a bare TCP socket: what a valid client may do (control frames
// between fragments, every length encoding, the closing handshake) and the protocol errors the
// server must answer with a Close frame carrying 1002 (1007 for invalid UTF-8, 1009 for too big).
// Each protocol-error test also checks a socket.io-client witness connected before the attack.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { startFixture } from "./lib/fixture.mjs";
import { connectClient, echo } from "./lib/util.mjs";
import { OP, RawFrames, closePayload, encodeFrame, openRawSocketIo } from "./lib/raw-websocket.mjs";

let fx;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx?.stop();
});

let witnessCount = 0;
async function withWitness(t, attack) {
  const witness = await connectClient(t, fx, { transports: ["websocket"] });
  assert.deepEqual(await echo(witness, ["before"]), ["before"]);
  await attack();
  const n = ++witnessCount;
  assert.ok(fx.alive(), `the fixture died:\n${fx.output()}`);
  assert.deepEqual(await echo(witness, ["after the attack", n]), ["after the attack", n]);
}

const event = (...args) => `42${JSON.stringify(args)}`;

describe("valid framing", () => {
  it("the server's frames are unmasked and the open packet is a text frame", async () => {
    const raw = await RawFrames.connect(fx, `${fx.path}?EIO=4&transport=websocket`);
    try {
      const f = await raw.nextFrame();
      assert.equal(f.opcode, OP.text);
      assert.equal(f.fin, true);
      assert.equal(f.masked, false);
      assert.equal(f.rsv, 0);
      assert.match(f.payload.toString(), /^0\{"sid":/);
    } finally {
      raw.destroy();
    }
  });

  it("a ping control frame gets a pong with the same payload (up to 125 bytes)", async () => {
    const raw = await openRawSocketIo(fx);
    try {
      for (const payload of [Buffer.alloc(0), Buffer.from("hello"), Buffer.alloc(125, 0x5a)]) {
        raw.send(OP.ping, payload);
        const f = await raw.nextFrame();
        assert.equal(f.opcode, OP.pong);
        assert.equal(f.masked, false);
        assert.deepEqual(f.payload, payload);
      }
    } finally {
      raw.destroy();
    }
  });

  it("an unsolicited pong is ignored", async () => {
    const raw = await openRawSocketIo(fx);
    try {
      raw.send(OP.pong, "unsolicited");
      raw.send(OP.text, event("message", "after pong"));
      assert.equal(await raw.nextText(), event("message-back", "after pong"));
    } finally {
      raw.destroy();
    }
  });

  it("a text message in three fragments, with a ping in between, is reassembled", async () => {
    const raw = await openRawSocketIo(fx);
    try {
      const text = Buffer.from(event("message", "frag-😀-mented"));
      // split inside the 4-byte emoji: UTF-8 is checked across fragments, not per fragment
      const cut1 = text.indexOf(Buffer.from("😀")) + 2;
      const cut2 = cut1 + 5;
      raw.send(OP.text, text.subarray(0, cut1), { fin: false });
      raw.send(OP.ping, "mid");
      raw.send(OP.continuation, text.subarray(cut1, cut2), { fin: false });
      raw.send(OP.continuation, text.subarray(cut2), { fin: true });
      const pong = await raw.nextFrame();
      assert.equal(pong.opcode, OP.pong);
      assert.equal(pong.payload.toString(), "mid");
      assert.equal(await raw.nextText(), event("message-back", "frag-😀-mented"));
    } finally {
      raw.destroy();
    }
  });

  it("a binary attachment in fragments is reassembled", async () => {
    const raw = await openRawSocketIo(fx);
    try {
      raw.send(OP.text, '451-["message",{"_placeholder":true,"num":0}]');
      raw.send(OP.binary, Buffer.from([1, 2]), { fin: false });
      raw.send(OP.continuation, Buffer.from([3]), { fin: false });
      raw.send(OP.continuation, Buffer.from([4, 5]), { fin: true });
      assert.equal(await raw.nextText(), '451-["message-back",{"_placeholder":true,"num":0}]');
      const f = await raw.nextFrame();
      assert.equal(f.opcode, OP.binary);
      assert.deepEqual(f.payload, Buffer.from([1, 2, 3, 4, 5]));
    } finally {
      raw.destroy();
    }
  });

  it("7-bit, 16-bit and 64-bit payload lengths all work, both ways", async () => {
    const raw = await openRawSocketIo(fx);
    try {
      for (const size of [10, 200, 70_000]) {
        const text = event("message", "y".repeat(size));
        raw.send(OP.text, text);
        assert.equal(await raw.nextText(10_000), event("message-back", "y".repeat(size)));
      }
    } finally {
      raw.destroy();
    }
  });

  it("several frames in one TCP write are all handled", async () => {
    const raw = await openRawSocketIo(fx);
    try {
      raw.write(Buffer.concat([1, 2, 3].map((i) => encodeFrame({ opcode: OP.text, payload: event("message", i) }))));
      for (const i of [1, 2, 3]) assert.equal(await raw.nextText(), event("message-back", i));
    } finally {
      raw.destroy();
    }
  });

  it("a frame split across many TCP writes is handled", async () => {
    const raw = await openRawSocketIo(fx);
    try {
      const frame = encodeFrame({ opcode: OP.text, payload: event("message", "byte by byte") });
      for (const byte of frame) {
        raw.write(Buffer.from([byte]));
        await new Promise((r) => setImmediate(r));
      }
      assert.equal(await raw.nextText(), event("message-back", "byte by byte"));
    } finally {
      raw.destroy();
    }
  });

  it("a client Close 1000 is answered with a Close and the connection ends", async () => {
    const raw = await openRawSocketIo(fx);
    try {
      raw.send(OP.close, closePayload(1000, "bye"));
      const { closeFrame } = await raw.waitClose(5_000);
      assert.ok(closeFrame, "the server must answer the Close frame");
      assert.equal(closeFrame.code, 1000);
      await raw.tcpClosedPromise.then(() => {}, () => {});
    } finally {
      raw.destroy();
    }
  });
});

describe("protocol errors -> Close 1002 (RFC 6455 7.4.1)", () => {
  const cases = [
    ["an unmasked client frame", () => encodeFrame({ opcode: OP.text, payload: event("message", "x"), mask: false })],
    ["a reserved data opcode (0x3)", () => encodeFrame({ opcode: 0x3, payload: "x" })],
    ["a reserved control opcode (0xB)", () => encodeFrame({ opcode: 0xb, payload: "x" })],
    ["RSV1 set without an extension", () => encodeFrame({ opcode: OP.text, rsv: 0b100, payload: event("message", "x") })],
    ["RSV2 set", () => encodeFrame({ opcode: OP.text, rsv: 0b010, payload: event("message", "x") })],
    ["RSV3 set", () => encodeFrame({ opcode: OP.text, rsv: 0b001, payload: event("message", "x") })],
    ["a ping with 126 bytes of payload", () => encodeFrame({ opcode: OP.ping, payload: Buffer.alloc(126, 1) })],
    ["a fragmented ping", () => encodeFrame({ opcode: OP.ping, payload: "x", fin: false })],
    ["a continuation frame with no message started", () => encodeFrame({ opcode: OP.continuation, payload: "x" })],
    [
      "a new text frame while a fragmented message is open",
      () =>
        Buffer.concat([
          encodeFrame({ opcode: OP.text, payload: '42["mess', fin: false }),
          encodeFrame({ opcode: OP.text, payload: event("message", "x") }),
        ]),
    ],
    ["a Close frame with a 1-byte payload", () => encodeFrame({ opcode: OP.close, payload: Buffer.from([0x03]) })],
    ...[999, 1004, 1005, 1006, 2999, 5000].map((code) => [
      `a Close frame with the invalid code ${code}`,
      () => encodeFrame({ opcode: OP.close, payload: closePayload(code) }),
    ]),
  ];

  for (const [label, frame] of cases) {
    it(label, async (t) => {
      await withWitness(t, async () => {
        const raw = await openRawSocketIo(fx);
        try {
          raw.write(frame());
          const { closeFrame } = await raw.waitClose(5_000);
          assert.ok(closeFrame, "the server must send a Close frame before dropping the connection");
          assert.equal(closeFrame.code, 1002);
        } finally {
          raw.destroy();
        }
      });
    });
  }

  it("a Close frame whose reason is invalid UTF-8 -> 1007", async (t) => {
    await withWitness(t, async () => {
      const raw = await openRawSocketIo(fx);
      try {
        raw.send(OP.close, closePayload(1000, Buffer.from([0xff, 0xfe])));
        const { closeFrame } = await raw.waitClose(5_000);
        assert.ok(closeFrame, "the server must send a Close frame");
        assert.equal(closeFrame.code, 1007);
      } finally {
        raw.destroy();
      }
    });
  });

  it("a 64-bit length with the top bit set -> 1002 or 1009", async (t) => {
    await withWitness(t, async () => {
      const raw = await openRawSocketIo(fx);
      try {
        const head = Buffer.from([0x81, 0x80 | 127]);
        const len = Buffer.alloc(8);
        len.writeBigUInt64BE(0x8000000000000001n);
        raw.write(Buffer.concat([head, len, Buffer.from([1, 2, 3, 4]), Buffer.from("x")]));
        const { closeFrame } = await raw.waitClose(5_000);
        assert.ok(closeFrame, "the server must send a Close frame");
        assert.ok([1002, 1009].includes(closeFrame.code), `close code ${closeFrame.code}`);
      } finally {
        raw.destroy();
      }
    });
  });

  it("a declared length over maxPayload is refused before the payload arrives -> 1009", async (t) => {
    await withWitness(t, async () => {
      const raw = await openRawSocketIo(fx);
      try {
        // header only: 2 GB declared, nothing sent after the mask key
        raw.write(encodeFrame({ opcode: OP.binary, payload: Buffer.alloc(0), length: 2 ** 31 }));
        const { closeFrame } = await raw.waitClose(5_000);
        assert.ok(closeFrame, "the server must send a Close frame");
        assert.equal(closeFrame.code, 1009);
      } finally {
        raw.destroy();
      }
    });
  });
});
