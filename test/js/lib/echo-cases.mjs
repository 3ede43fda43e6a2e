// Round trips through the conformance fixture's "message" -> "message-back" and
// "message-with-ack" events that interop.test.mjs (the JSON parser) and msgpack.test.mjs
// (socket.io-msgpack-parser) both run: each takes a connected socket.io-client socket.
import assert from "node:assert/strict";
import { echo, within } from "./util.mjs";

/** Received binaries arrive as Buffers in Node: compare bytes, whatever the view type sent. */
export const bytes = (b) => Buffer.from(b.buffer ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : b);

/** Arguments of every JSON type, nested, that both parsers carry exactly. */
export const MIXED_ARGS = [
  1,
  -2.5,
  0,
  "two",
  "",
  null,
  true,
  false,
  { a: 1, b: { c: [1, 2, { d: "e" }] }, n: null },
  [1, "x", [2, [3, []]], {}],
  Number.MAX_SAFE_INTEGER,
];

export const UNICODE_ARGS = [
  "emoji 😀🎉👩‍👩‍👧‍👦 🏳️‍🌈",
  "CJK 漢字かなカナ한국어",
  "RTL עברית العربية",
  "separators \u2028 \u2029 \u0085",
  "controls \u0000 \u0001 \u001e \u001f \t\n\r",
  { "ключ 🔑": "значение", "\u2028": ["\ud83d\ude00"] },
];

/** Binary arguments at the top level, nested and several; `view` is how the second is sent. */
export async function echoesBinary(socket, view = (array) => new Uint8Array(array)) {
  const a = Buffer.from([0, 1, 2, 3, 255]);
  const b = view([9, 8, 7]);
  const c = Buffer.alloc(0);
  const big = Buffer.alloc(64 * 1024, 0xab);
  const got = await echo(socket, [a, { nested: { bin: b, list: [c, "text", big] } }, "tail", 7]);
  assert.equal(got.length, 4);
  assert.deepEqual(bytes(got[0]), bytes(a));
  assert.deepEqual(bytes(got[1].nested.bin), bytes(b));
  assert.deepEqual(bytes(got[1].nested.list[0]), bytes(c));
  assert.equal(got[1].nested.list[1], "text");
  assert.deepEqual(bytes(got[1].nested.list[2]), bytes(big));
  assert.equal(got[2], "tail");
  assert.equal(got[3], 7);
}

/** emitWithAck and emit with a callback, text and binary, and 20 acks in flight at once. */
export async function getsAcks(socket) {
  const reply = await within(5_000, socket.emitWithAck("message-with-ack", 1, "2", { 3: [true] }), "ack");
  assert.deepEqual(reply, 1); // emitWithAck resolves with the first ack argument
  const all = await within(
    5_000,
    new Promise((resolve) => socket.emit("message-with-ack", 1, "2", { 3: [true] }, (...args) => resolve(args))),
    "ack with every argument",
  );
  assert.deepEqual(all, [1, "2", { 3: [true] }]);
  const bin = Buffer.from([1, 2, 3]);
  const binReply = await within(
    5_000,
    new Promise((resolve) => socket.emit("message-with-ack", { bin }, "x", (...args) => resolve(args))),
    "binary ack",
  );
  assert.deepEqual(bytes(binReply[0].bin), bin);
  assert.equal(binReply[1], "x");
  // several acks in flight at once are matched by id
  const many = await within(
    10_000,
    Promise.all(Array.from({ length: 20 }, (_, i) => socket.emitWithAck("message-with-ack", i))),
    "20 concurrent acks",
  );
  assert.deepEqual(many, Array.from({ length: 20 }, (_, i) => i));
}

/** A 500,000-character string of 1- to 4-byte UTF-8 characters, back intact. */
export async function echoes500KB(socket) {
  const chunk = "0123456789abcdef-ü€😀";
  const big = chunk.repeat(Math.ceil(500_000 / chunk.length)).slice(0, 500_000);
  const got = await echo(socket, [big], 20_000);
  assert.equal(got.length, 1);
  assert.equal(got[0].length, big.length);
  assert.ok(got[0] === big, "500 KB string differs after the round trip");
}

/** `count` events sent at once come back in order. */
export async function echoesInOrder(socket, count) {
  const received = [];
  const done = within(
    20_000,
    new Promise((resolve) => {
      socket.on("message-back", (i, text) => {
        received.push([i, text]);
        if (received.length === count) resolve();
      });
    }),
    `${count} message-back events`,
  );
  for (let i = 0; i < count; i++) socket.emit("message", i, `msg-${i}`);
  await done;
  assert.deepEqual(
    received,
    Array.from({ length: count }, (_, i) => [i, `msg-${i}`]),
  );
}
