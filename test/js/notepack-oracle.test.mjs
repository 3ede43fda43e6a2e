// The oracle table of test/data/notepack_oracle.json, made and checked with the real npm packages:
// notepack.io 3.0.1 (what @socket.io/redis-adapter 8.3 encodes and decodes with), notepack.io
// 2.2.0 (as "notepack-v2", for the forms older nodes wrote), socket.io-parser (what a value
// becomes as a Socket.IO packet: JSON with placeholders, plus attachments), and
// @socket.io/redis-adapter 8.3.0 / @socket.io/redis-emitter 5.1.0 driven through a stub Redis
// client, so that every message in the table is exactly what a Node.js node publishes.
// test/unit/protocol_notepack_oracle_test.cpp holds chorus's codecs to the same table.
//
//   node --test notepack-oracle.test.mjs                          checks the table
//   CHORUS_ORACLE_WRITE=1 node --test notepack-oracle.test.mjs    rewrites it from the cases below
//
// values: one msgpack value each. `hex` the bytes; `js` (with `encoder`) the JS value that
// notepack encodes to them; `json` + `attachments` what notepack 3's decode of them becomes
// in a Socket.IO packet (JSON.stringify after socket.io-parser moves binaries out); `reverse`:
// notepack 3 encodes that JSON (with the attachments put back) to the same bytes.
// `error`: chorus refuses the bytes with this error; `oracle` is then what Node does ("throws",
// or the JSON it makes), `why` why chorus differs.
//
// messages: what the adapters publish. `channel`, `text` (JSON) or `hex` (msgpack); `decoder`
// the chorus decoder that reads it; `expect` the fields chorus must read, in chorus's names,
// computed from Node's own decoding of the payload; `encoder` the chorus encoder that writes
// the same bytes back from those fields (absent, with `why`, when it cannot).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import crypto from "node:crypto";

const require = createRequire(import.meta.url);
const notepack3 = require("notepack.io");
const notepack2 = require("notepack-v2");
const { Encoder } = require("socket.io-parser");
const { Server } = require("socket.io");
const { createAdapter, createShardedAdapter } = require("@socket.io/redis-adapter");
const { Emitter } = require("@socket.io/redis-emitter");
const { ClusterAdapterWithHeartbeat } = require("socket.io-adapter");

const tablePath = new URL("../data/notepack_oracle.json", import.meta.url);
const hex = (bytes) => Buffer.from(bytes).toString("hex");

// ---- What a JS value becomes in a Socket.IO packet: JSON text and attachments.

function socketioJson(value) {
  if (value === undefined) return { json: "", attachments: [] };
  if (value === null) return { json: "null", attachments: [] };
  const [text, ...buffers] = new Encoder().encode({ type: 2, nsp: "/", data: value });
  const json = text[0] === "5" ? text.slice(text.indexOf("-") + 1) : text.slice(1);
  return { json, attachments: buffers.map(hex) };
}

function putBinariesBack(value, attachments) {
  if (Array.isArray(value)) return value.map((v) => putBinariesBack(v, attachments));
  if (value && typeof value === "object") {
    if (value._placeholder === true) return Buffer.from(attachments[value.num], "hex");
    const out = {};
    for (const key of Object.keys(value)) out[key] = putBinariesBack(value[key], attachments);
    return out;
  }
  return value;
}

// ---- values

const big = (n, byte) => `Buffer.alloc(${n}, ${byte})`;
const nested = (depth) => "[".repeat(depth) + "null" + "]".repeat(depth);

const valueCases = [
  // notepack 3, every form it writes
  { name: "positive fixint", js: "0" },
  { name: "positive fixint max", js: "127" },
  { name: "uint 8", js: "128" },
  { name: "uint 8 max", js: "255" },
  { name: "uint 16", js: "256" },
  { name: "uint 16 max", js: "65535" },
  { name: "uint 32", js: "65536" },
  { name: "uint 32 max", js: "2 ** 32 - 1" },
  { name: "uint 64", js: "2 ** 32" },
  { name: "uint 64: 2^53", js: "2 ** 53" },
  { name: "negative fixint", js: "-1" },
  { name: "negative fixint min", js: "-32" },
  { name: "int 8", js: "-33" },
  { name: "int 8 min", js: "-128" },
  { name: "int 16", js: "-129" },
  { name: "int 16 min", js: "-32768" },
  { name: "int 32", js: "-32769" },
  { name: "int 32 min", js: "-(2 ** 31)" },
  { name: "int 64", js: "-(2 ** 31) - 1" },
  { name: "int 64: -2^53", js: "-(2 ** 53)" },
  { name: "float 64", js: "1.5" },
  { name: "float 64: 0.1", js: "0.1" },
  { name: "an integral double past 2^64: notepack 3 writes uint 64 of wrapped bytes", js: "1e21", reverse: false },
  { name: "float 64: 1.5e-7", js: "1.5e-7" },
  { name: "float 64: smallest denormal", js: "5e-324" },
  { name: "float 64: -1.25e300", js: "-1.25e-300" },
  { name: "an integral double past -2^63: notepack 3 writes int 64 of wrapped bytes", js: "-1.25e300", reverse: false },
  { name: "-0 is written as 0", js: "-0" },
  { name: "NaN is float 64, null in JSON", js: "NaN", reverse: false },
  { name: "Infinity is float 64, null in JSON", js: "-Infinity", reverse: false },
  { name: "nil", js: "null" },
  { name: "undefined is nil in notepack 3", js: "undefined", reverse: false },
  { name: "true", js: "true" },
  { name: "false", js: "false" },
  { name: "fixstr empty", js: '""' },
  { name: "fixstr", js: '"hello"' },
  { name: "fixstr max", js: '"a".repeat(31)' },
  { name: "str 8", js: '"b".repeat(32)' },
  { name: "str 8 max", js: '"c".repeat(255)' },
  { name: "str 16", js: '"d".repeat(256)' },
  { name: "str: UTF-8", js: '"é€😀"' },
  { name: "str: JSON escapes", js: '"q\\"b\\\\n\\n\\t\\u0000\\u001f\\u007f"' },
  { name: "str: U+2028 is not escaped by JSON.stringify", js: '"\\u2028"' },
  { name: "fixarray empty", js: "[]" },
  { name: "fixarray nested", js: "[1, [2, [3, []]], 'x']" },
  { name: "array 16", js: "Array.from({ length: 16 }, (_, i) => i)" },
  { name: "fixmap empty", js: "({})" },
  { name: "fixmap", js: "({ a: 1, b: [true, null], c: { d: 'e' } })" },
  { name: "map 16", js: "Object.fromEntries(Array.from({ length: 16 }, (_, i) => ['k' + i, i]))" },
  { name: "map: array-index keys first, as JS orders them", js: "({ b: 1, 10: 2, a: 3, 2: 4 })" },
  { name: "map: undefined values are left out by notepack 3", js: "({ a: undefined, b: 1 })" },
  { name: "array: undefined is nil", js: "[undefined, 1]", reverse: false },
  { name: "bin 8", js: "Buffer.from([1, 2, 3])" },
  { name: "bin 8 empty", js: "Buffer.alloc(0)" },
  { name: "bin 16", js: big(256, 7) },
  { name: "Uint8Array is bin in notepack 3", js: "new Uint8Array([9, 8, 7])" },
  { name: "ArrayBuffer is bin in notepack 3", js: "new Uint8Array([4, 5]).buffer" },
  { name: "Date: timestamp 32", js: "new Date(Date.UTC(2026, 11, 2, 2))", reverse: false },
  { name: "Date: timestamp 64 (milliseconds)", js: "new Date(Date.UTC(2026, 11, 2, 2, 0, 0, 123))", reverse: false },
  { name: "Date: timestamp 96 (before 1970)", js: "new Date(Date.UTC(1969, 6, 20, 20, 17, 40, 5))", reverse: false },
  { name: "Date: timestamp 96 (year 10000)", js: "new Date(Date.UTC(10000, 0, 1))", reverse: false },
  { name: "Date: timestamp 96 (year -1)", js: "new Date(Date.UTC(-1, 0, 1))", reverse: false },
  { name: "event data with binary", js: "['chat', { text: 'hi', n: 1.5 }, Buffer.from('abc'), [Buffer.from('x')]]" },
  { name: "32 nested arrays (the depth limit)", js: nested(32) },
  // notepack 2 (socket.io-msgpack-parser, older adapters)
  { name: "notepack 2: undefined (fixext 1 type 0)", js: "undefined", encoder: "notepack2", reverse: false },
  { name: "notepack 2: undefined in an array is null", js: "[undefined, 1]", encoder: "notepack2", reverse: false },
  { name: "notepack 2: undefined in a map leaves the key out", js: "({ a: undefined, b: 1 })", encoder: "notepack2", reverse: false },
  { name: "notepack 2: Date (fixext 8 type 0, int64 ms)", js: "new Date(Date.UTC(2026, 11, 2, 2))", encoder: "notepack2", reverse: false },
  { name: "notepack 2: Date before 1970", js: "new Date(Date.UTC(1900, 0, 1, 0, 0, 0, 1))", encoder: "notepack2", reverse: false },
  { name: "notepack 2: ArrayBuffer (ext 8 type 0)", js: "new Uint8Array([1, 2]).buffer", encoder: "notepack2", reverse: false },
  { name: "notepack 2: typed array (ext 16 type 0, its whole buffer)", js: "new Uint8Array(300).fill(3)", encoder: "notepack2", reverse: false },
  { name: "notepack 2: Buffer is bin", js: "Buffer.from([5])", encoder: "notepack2" },
  // written by hand: forms no encoder here writes, and what JS makes of them
  { name: "ext 32 type 0 is an ArrayBuffer", hex: "c90000000200abcd" },
  { name: "undefined with a non-zero data byte", hex: "d400ff" },
  { name: "timestamp 64 with nanoseconds below a millisecond", hex: "d7ff000000040000000f" },
  { name: "timestamp 96: -0.5 s", hex: "c70cff1dcd6500ffffffffffffffff" },
  { name: "timestamp 32 max", hex: "d6ffffffffff" },
  { name: "timestamp 96 out of the Date range is null", hex: "c70cff000000007fffffffffffffff" },
  { name: "notepack 2 Date out of range is null", hex: "d7007fffffffffffffff" },
  { name: "uint 64 max: rounded to a double", hex: "cfffffffffffffffff" },
  { name: "int 64 min: a double", hex: "d38000000000000000" },
  { name: "float 64 1e21 (exponential in JS), as another encoder writes it", hex: "cb444b1ae4d6e2ef50" },
  { name: "float 32", hex: "ca3dcccccd" },
  { name: "float 32 max", hex: "ca7f7fffff" },
  { name: "float 32 NaN", hex: "ca7fc00000" },
  { name: "str 8 holding a short string", hex: "d90161" },
  { name: "str 32", hex: "db00000003616263" },
  { name: "bin 16 holding one byte", hex: "c50001ff" },
  { name: "bin 32", hex: "c600000002abcd" },
  { name: "array 16 holding one element", hex: "dc000101" },
  { name: "array 32", hex: "dd0000000101" },
  { name: "map 16 holding one entry", hex: "de0001a16101" },
  { name: "map 32", hex: "df00000001a16101" },
  { name: "str: invalid UTF-8 becomes U+FFFD", hex: "a561ff62e282" },
  { name: "str: an encoded surrogate is three U+FFFD", hex: "a3eda080" },
  { name: "map: a repeated key keeps its last value at its first place", hex: "83a16101a16202a16103" },
  { name: "map: a repeated key's last value undefined leaves it out", hex: "82a16101a161d40000" },
  { name: "map: array-index keys come first, ascending", hex: "84a16201a13102a16103a13004" },
  { name: "map: '01' and '4294967295' are not array indices", hex: "83a2303101aa3432393439363732393502a13103" },
  { name: "map: number, nil, boolean and undefined keys", hex: "8501a178cb3ff8000000000000a179c001c302d4000003" },
  { name: "map: a repeated key's binaries are numbered in the object's order", hex: "83a161c401aaa162c401bba161c401cc" },
  { name: "map: invalid UTF-8 keys that both read U+FFFD are one key", hex: "82a1ff01a1fe02" },
  // refused
  { name: "empty", hex: "", error: "truncated msgpack" },
  { name: "truncated array", hex: "9201", error: "truncated msgpack" },
  { name: "truncated str", hex: "a56162", error: "truncated msgpack" },
  { name: "truncated uint 32", hex: "ce0001", error: "truncated msgpack" },
  { name: "str 8 length past the end", hex: "d9ff61", error: "truncated msgpack" },
  { name: "bin 32 length past the end", hex: "c6ffffffff00", error: "truncated msgpack" },
  { name: "array 32 claiming 2^32 - 1 elements", hex: "ddffffffff", error: "truncated msgpack" },
  { name: "map 32 claiming 2^31 entries (mp_check doubles the count in 32 bits: 0)", hex: "df80000000", error: "truncated msgpack" },
  { name: "array 32 claiming 2^31 elements after one", hex: "dd8000000001", error: "truncated msgpack" },
  { name: "0xc1 is never used", hex: "c1", error: "reserved msgpack byte 0xc1" },
  { name: "0xc1 inside an array", hex: "9201c1", error: "reserved msgpack byte 0xc1" },
  { name: "33 nested arrays", js: nested(33), error: "msgpack nested too deep", why: "chorus bounds nesting at 32" },
  { name: "33 nested maps", hex: "81a161".repeat(33) + "c0", error: "msgpack nested too deep", why: "chorus bounds nesting at 32" },
  { name: "fixext 2 of type 5", hex: "d505aabb", error: "unknown ext type", why: "notepack gives [type, Buffer], which no JS app means to send" },
  { name: "fixext 4 of type 0", hex: "d60001020304", error: "unknown ext type", why: "notepack gives [0, Buffer]: only ext 8/16/32 of type 0 are ArrayBuffers" },
  { name: "fixext 16 of type 0", hex: "d800" + "00".repeat(16), error: "unknown ext type", why: "notepack gives [0, Buffer]" },
  { name: "ext 8 of type -1 that is not 12 bytes", hex: "c704ff00000001", error: "unknown ext type", why: "notepack reads 12 bytes whatever the length says" },
  { name: "ext 16 of type -1", hex: "c80004ff00000001", error: "unknown ext type", why: "notepack gives [-1, Buffer]" },
  { name: "fixext 1 of type 1", hex: "d40101", error: "unknown ext type", why: "notepack gives [1, Buffer]" },
  { name: "an array as a map key", hex: "819001", error: "map key is not a string or number", why: "JS makes it the key \"\"" },
  { name: "a map as a map key", hex: "818001", error: "map key is not a string or number", why: "JS makes it the key \"[object Object]\"" },
  { name: "binary as a map key", hex: "81c4016101", error: "map key is not a string or number", why: "JS makes it the key of its bytes as text" },
  { name: "__proto__ as a map key", hex: "82a95f5f70726f746f5f5f01a16102", error: "map key __proto__", why: "notepack assigns o[k] = v, which sets the prototype: here no key at all" },
  { name: "__proto__ after a null prototype", hex: "83a95f5f70726f746f5f5fc0a16102a95f5f70726f746f5f5f80", error: "map key __proto__", why: "once the prototype is null, a second __proto__ is a key" },
  { name: "__proto__ set to binary", hex: "82a95f5f70726f746f5f5fc40140a16102", error: "map key __proto__", why: "the object's prototype is a Buffer: socket.io-parser's encoder throws on it" },
  { name: "an unknown ext as a map key", hex: "81d5050000c0", error: "unknown ext type", why: "JS makes it the key \"5,0,0\"" },
];

function evaluate(js) {
  return new Function(`return (${js});`)();
}

function makeValueRow(c) {
  const row = { name: c.name };
  if (c.js !== undefined) {
    row.js = c.js;
    row.encoder = c.encoder ?? "notepack3";
    row.hex = hex((row.encoder === "notepack2" ? notepack2 : notepack3).encode(evaluate(c.js)));
  } else {
    row.hex = c.hex;
  }
  let decoded;
  let threw = false;
  try {
    decoded = notepack3.decode(Buffer.from(row.hex, "hex"));
  } catch {
    threw = true;
  }
  if (c.error !== undefined) {
    row.error = c.error;
    row.oracle = "throws";  // notepack's decode, or socket.io-parser's encode of its value
    if (!threw) {
      try {
        const { json, attachments } = socketioJson(decoded);
        row.oracle = { json, attachments };
      } catch {}
    }
    if (c.why !== undefined) row.why = c.why;
    return row;
  }
  if (threw) throw new Error(`${c.name}: notepack 3 cannot decode ${row.hex}`);
  const { json, attachments } = socketioJson(decoded);
  row.json = json === "" ? "null" : json; // undefined at the top: chorus writes null
  row.attachments = attachments;
  row.reverse = c.reverse ?? (c.js !== undefined && row.encoder === "notepack3");
  if (c.reverse === undefined && c.js === undefined) {
    // A hand-written form: reversible when notepack 3 writes exactly these bytes for the JSON.
    row.reverse = reverseHex(row) === row.hex;
  }
  return row;
}

function reverseHex(row) {
  return hex(notepack3.encode(putBinariesBack(JSON.parse(row.json), row.attachments)));
}

// ---- messages: the Node adapters, driven through a stub Redis client.

// Ids the adapters draw from crypto.randomBytes (uid2 for the classic adapter's uid and
// requestIds, 8 random bytes for the ClusterAdapter's), made predictable: each scenario gives
// the byte strings to hand out in turn.
const realRandomBytes = crypto.randomBytes;
let pendingIds = [];
crypto.randomBytes = (n, ...rest) =>
  pendingIds.length && rest.length === 0 ? pendingIds.shift() : realRandomBytes(n, ...rest);
const UID2_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const uid2Bytes = (id) => Buffer.from([...id].map((c) => UID2_CHARS.indexOf(c)));

function stubRedis(published) {
  return {
    // redis@4's method names: the classic adapter looks for pSubscribe, the sharded for sSubscribe
    pSubscribe() {},
    subscribe() {},
    pUnsubscribe() {},
    unsubscribe() {},
    sSubscribe() {},
    sUnsubscribe() {},
    on() {},
    off() {},
    publish(channel, message) {
      published.push({ channel, message });
      return Promise.resolve(1);
    },
    sPublish(channel, message) {
      published.push({ channel, message });
      return Promise.resolve(1);
    },
    sendCommand(args) {
      return Promise.resolve([args[2], "2"]); // PUBSUB NUMSUB / SHARDNUMSUB: two nodes
    },
  };
}

const SID = "AAAAAAAAAAAAAAAAAAAA"; // 20 chars, like a socket id

// A socket as far as the in-memory adapter and the Redis adapter look at it.
function fakeSocket(nsp, id, rooms) {
  const socket = {
    id,
    rooms: new Set(rooms),
    data: { name: "ann", score: 1.5 },
    handshake: {
      headers: { host: "localhost:3000" },
      time: "Wed Dec 02 2026 02:00:00 GMT+0000 (Coordinated Universal Time)",
      address: "::1",
      xdomain: false,
      secure: false,
      issued: 1796176800000,
      url: "/socket.io/?EIO=4&transport=websocket",
      query: { EIO: "4", transport: "websocket" },
      auth: {},
    },
    acks: new Map(),
    client: { writeToEngine() {} },
    disconnect() {},
    join() {},
    leave() {},
  };
  nsp.sockets.set(id, socket);
  nsp.adapter.addAll(id, new Set(rooms));
  return socket;
}

function classicNode(opts = {}) {
  const published = [];
  const redis = stubRedis(published);
  const io = new Server({ adapter: createAdapter(redis, redis, { requestsTimeout: 20, ...opts }) });
  for (const nsp of ["/", "/chat"]) io.of(nsp).adapter.uid = "nodeA1";
  return { io, published };
}

function shardedNode(opts = {}) {
  const published = [];
  const redis = stubRedis(published);
  const io = new Server({ adapter: createShardedAdapter(redis, redis, opts) });
  io.of("/").adapter.uid = "0123456789abcdef";
  return { io, published };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const quietly = (promise) => promise.catch(() => {});

// Each scenario publishes through a Node adapter and says which chorus decoder reads each
// message, and which chorus encoder writes it back (or why none does).
const scenarios = [
  {
    name: "classic: io.emit",
    run: async () => {
      const { io, published } = classicNode();
      io.emit("hello", "world", 1);
      return [{ ...published[0], decoder: "redis_broadcast", encoder: "redis_broadcast" }];
    },
  },
  {
    name: "classic: to one room, except a socket, volatile, with binary",
    run: async () => {
      const { io, published } = classicNode();
      io.to("room1").except(SID).volatile.emit("chat", { text: "hi", n: 1.5 }, Buffer.from([1, 2, 3]), [Buffer.from("x")]);
      return [{ ...published[0], decoder: "redis_broadcast", encoder: "redis_broadcast" }];
    },
  },
  {
    name: "classic: to two rooms, except two, compressed, on /chat",
    run: async () => {
      const { io, published } = classicNode();
      io.of("/chat").to(["a", "b"]).except(["c", "d"]).compress(true).emit("news", null, true);
      return [{ ...published[0], decoder: "redis_broadcast", encoder: "redis_broadcast" }];
    },
  },
  {
    name: "classic: a Date and undefined in the data",
    run: async () => {
      const { io, published } = classicNode();
      io.emit("when", new Date(Date.UTC(2026, 11, 2, 2)), undefined, { at: new Date(Date.UTC(2026, 11, 2, 2, 0, 0, 5)) });
      return [{ ...published[0], decoder: "redis_broadcast", why: "chorus relays a Date as its ISO text (a str), as JSON does" }];
    },
  },
  {
    name: "classic: a numeric room",
    run: async () => {
      const { io, published } = classicNode();
      io.to(42).emit("n");
      return [{ ...published[0], decoder: "redis_broadcast", why: "the room is the number 42 on the wire; chorus reads and writes the string \"42\"" }];
    },
  },
  {
    name: "classic: socket.broadcast.emit from a socket",
    run: async () => {
      const { io, published } = classicNode();
      const socket = fakeSocket(io.of("/"), SID, [SID]);
      // what socket.broadcast gives: rooms none, except the socket's own id
      io.of("/").except(socket.id).emit("joined", "ann");
      return [{ ...published[0], decoder: "redis_broadcast", encoder: "redis_broadcast" }];
    },
  },
  {
    name: "classic: broadcast with acks (type 7), with binary",
    run: async () => {
      const { io, published } = classicNode();
      pendingIds = [uid2Bytes("req007")];
      io.timeout(20).emit("ask", 1, Buffer.from("ab"), () => {});
      await tick();
      return [{ ...published[0], decoder: "redis_request", encoder: "broadcast_with_ack_request" }];
    },
  },
  {
    name: "classic: allRooms (type 1)",
    run: async () => {
      const { io, published } = classicNode();
      pendingIds = [uid2Bytes("req001")];
      await quietly(io.of("/").adapter.allRooms());
      return [{ ...published[0], decoder: "redis_request", encoder: "all_rooms_request" }];
    },
  },
  {
    name: "classic: socketsJoin and socketsLeave (types 2, 3)",
    run: async () => {
      const { io, published } = classicNode();
      io.in("r1").except("r2").socketsJoin(["a", "b"]);
      io.socketsLeave("a");
      return published.map((m) => ({ ...m, decoder: "redis_request", encoder: "rooms_request" }));
    },
  },
  {
    name: "classic: disconnectSockets (type 4)",
    run: async () => {
      const { io, published } = classicNode();
      io.in("r1").disconnectSockets(true);
      io.disconnectSockets();
      return published.map((m) => ({ ...m, decoder: "redis_request", encoder: "disconnect_request" }));
    },
  },
  {
    name: "classic: fetchSockets (type 5)",
    run: async () => {
      const { io, published } = classicNode();
      pendingIds = [uid2Bytes("req005")];
      await quietly(io.in("r1").except("r2").fetchSockets());
      return [{ ...published[0], decoder: "redis_request", encoder: "fetch_request" }];
    },
  },
  {
    name: "classic: serverSideEmit (type 6), without and with ack",
    run: async () => {
      const { io, published } = classicNode();
      io.serverSideEmit("ping", 1, { a: [2] }, "x");
      pendingIds = [uid2Bytes("req006")];
      io.serverSideEmit("ask", 2, () => {});
      await tick();
      return published.map((m) => ({ ...m, decoder: "redis_request", encoder: "server_side_emit" }));
    },
  },
  {
    name: "classic: answers to another node's requests",
    run: async () => {
      const { io, published } = classicNode();
      const nsp = io.of("/");
      const socket = fakeSocket(nsp, SID, [SID, "room1"]);
      nsp.on("ask", (n, ack) => ack({ pong: n, at: "x" }));
      const request = (r) => nsp.adapter.onrequest("socket.io-request#/#", Buffer.from(JSON.stringify(r)));
      await request({ uid: "other1", requestId: "qAllRm", type: 1 });
      await request({ uid: "other1", requestId: "qFetch", type: 5, opts: { rooms: ["room1"], except: [] } });
      await request({ uid: "other1", requestId: "qEmit6", type: 6, data: ["ask", 3] });
      await request({ requestId: "qSocks", type: 0, rooms: ["room1"] });
      await request({ requestId: "qLegJ", type: 2, sid: SID, room: "room2" });
      await nsp.adapter.onrequest(
        "socket.io-request#/#",
        notepack3.encode({
          uid: "other1",
          requestId: "qBcAck",
          type: 7,
          packet: { type: 2, data: ["q", 1], nsp: "/" },
          opts: { rooms: [], except: [], flags: { timeout: 20 } },
        }),
      );
      for (const ack of socket.acks.values()) ack([{ ok: true }, Buffer.from([0xca, 0xfe])]);
      const encoders = ["all_rooms_response", "fetch_response", "server_side_emit_response", "fetch_response", null, "client_count_response", "broadcast_ack_response"];
      return published.map((m, i) => ({
        ...m,
        decoder: "redis_response",
        ...(encoders[i] ? { encoder: encoders[i] } : { why: "the legacy answer {requestId}: chorus does not send legacy requests" }),
      }));
    },
  },
  {
    name: "emitter: broadcast, join, serverSideEmit",
    run: async () => {
      const published = [];
      const emitter = new Emitter(stubRedis(published));
      emitter.to("room1").emit("from-emitter", 1);
      emitter.in("r1").socketsJoin("r2");
      emitter.serverSideEmit("hi");
      return [
        { ...published[0], decoder: "redis_broadcast", why: "the emitter writes opts as {rooms, flags, except}" },
        { ...published[1], decoder: "redis_request", why: "the emitter's requests carry no uid" },
        { ...published[2], decoder: "redis_request", why: "the emitter's requests carry no uid" },
      ];
    },
  },
  {
    name: "sharded: broadcasts",
    run: async () => {
      const { io, published } = shardedNode();
      io.emit("hello", 1);
      io.to("room1").volatile.emit("chat", "hi");
      io.to(SID).emit("private", "x"); // looks like a socket id: the main channel
      io.to(["a", "b"]).except("c").emit("bin", Buffer.from([1, 2]), { nested: [Buffer.from([3])] });
      await tick();
      return published.map((m) => ({ ...m, decoder: "cluster_message", encoder: "cluster_message" }));
    },
  },
  {
    name: "sharded: requests",
    run: async () => {
      const { io, published } = shardedNode();
      io.in("r1").socketsJoin(["a", "b"]);
      io.except("r2").socketsLeave("a");
      io.in("r1").disconnectSockets(true);
      pendingIds = [Buffer.from("a1a2a3a4a5a6a7a8", "hex")];
      quietly(io.in("r1").timeout(20).fetchSockets());
      io.serverSideEmit("ping", 1, Buffer.from([9]));
      await tick();
      pendingIds = [Buffer.from("b1b2b3b4b5b6b7b8", "hex")];
      io.serverSideEmit("ask", 2, () => {});
      await tick();
      // its 5 s timeout would hold the process up
      for (const request of io.of("/").adapter.requests.values()) clearTimeout(request.timeout);
      pendingIds = [Buffer.from("c1c2c3c4c5c6c7c8", "hex")];
      io.timeout(20).emit("q", Buffer.from([7]), () => {});
      await tick();
      return published.map((m) => ({ ...m, decoder: "cluster_message", encoder: "cluster_message" }));
    },
  },
  {
    name: "sharded: answers to another node",
    run: async () => {
      const { io, published } = shardedNode();
      const nsp = io.of("/");
      const socket = fakeSocket(nsp, SID, [SID, "room1"]);
      nsp.on("ask", (n, ack) => ack(Buffer.from([n])));
      const from = { uid: "fedcba9876543210", nsp: "/" };
      nsp.adapter.onMessage({ ...from, type: 7, data: { opts: { rooms: ["room1"], except: [] }, requestId: "r7" } });
      nsp.adapter.onMessage({ ...from, type: 9, data: { requestId: "r9", packet: ["ask", 5] } });
      nsp.adapter.onMessage({
        ...from,
        type: 3,
        data: { requestId: "r3", packet: { type: 2, data: ["q"] }, opts: { rooms: [], except: [], flags: {} } },
      });
      for (const ack of socket.acks.values()) ack("fine");
      nsp.adapter.onMessage({
        ...from,
        type: 3,
        data: { requestId: "r3b", packet: { type: 2, data: ["q"] }, opts: { rooms: [], except: [], flags: {} } },
      });
      for (const [id, ack] of socket.acks) if (id !== 0) ack({ bytes: Buffer.from([1]) });
      await tick();
      await tick();
      return published.map((m) => ({ ...m, decoder: "cluster_message", encoder: "cluster_message" }));
    },
  },
  {
    name: "heartbeats and close (ClusterAdapterWithHeartbeat, encoded as the sharded adapter does)",
    run: async () => {
      const published = [];
      const { io } = shardedNode();
      const encode = io.of("/").adapter.encode.bind(io.of("/").adapter);
      class Capture extends ClusterAdapterWithHeartbeat {
        doPublish(message) {
          published.push({ channel: "socket.io#/#", message: encode(message) });
          return Promise.resolve("");
        }
        doPublishResponse() {
          return Promise.resolve();
        }
      }
      const adapter = new Capture(io.of("/"), { heartbeatInterval: 1e6 });
      adapter.uid = "00112233aabbccdd";
      adapter.init();
      adapter.onMessage({ uid: "fedcba9876543210", nsp: "/", type: 1 });
      adapter.close();
      return published.map((m) => ({ ...m, decoder: "cluster_message", encoder: "cluster_message" }));
    },
  },
];

// ---- What chorus must read from a payload, from Node's own decoding of it.

const roomList = (list) => [...(list ?? [])].map(String);

function optionsFields(opts) {
  const flags = opts?.flags ?? {};
  return {
    rooms: roomList(opts?.rooms),
    except: roomList(opts?.except),
    volatile: !!flags.volatile,
    compress: !!flags.compress,
    local: !!flags.local,
    timeout_ms: typeof flags.timeout === "number" ? flags.timeout : null,
  };
}

function packetFields(packet, defaultNsp) {
  const { json, attachments } = socketioJson(packet.data);
  return { packet_nsp: packet.nsp ?? defaultNsp, packet_data_json: json, packet_attachments: attachments };
}

function expectedFields(decoder, decoded) {
  switch (decoder) {
    case "redis_broadcast": {
      const [uid, packet, opts] = decoded;
      return { uid, ...packetFields(packet, "/"), ...optionsFields(opts) };
    }
    case "redis_request": {
      const legacy = [2, 3, 4].includes(decoded.type) && !decoded.opts;
      const out = { type: decoded.type, uid: decoded.uid ?? "", request_id: decoded.requestId ?? "", legacy };
      if (decoded.opts) Object.assign(out, optionsFields(decoded.opts));
      if (decoded.rooms) out.request_rooms = roomList(decoded.rooms);
      if (decoded.type === 4) out.close = !!decoded.close;
      if (decoded.type === 6) out.data_json = socketioJson(decoded.data).json;
      if (decoded.type === 7) Object.assign(out, packetFields(decoded.packet, "/"));
      if (legacy) Object.assign(out, { sid: decoded.sid, room: decoded.type === 4 ? "" : String(decoded.room) });
      return out;
    }
    case "redis_response": {
      const out = { type: decoded.type ?? null, request_id: decoded.requestId };
      if (decoded.rooms) out.rooms = roomList(decoded.rooms);
      if (decoded.sockets) {
        out.sockets_json = JSON.stringify(decoded.sockets);
        if (decoded.sockets.every((s) => typeof s === "string")) out.socket_ids = decoded.sockets;
      }
      const data = decoded.type === 6 ? decoded.data : decoded.type === 9 ? decoded.packet : undefined;
      if (decoded.type === 6 || decoded.type === 9) Object.assign(out, renamed(socketioJson(data)));
      if (decoded.type === 8) out.client_count = decoded.clientCount;
      return out;
    }
    case "cluster_message": {
      const out = { uid: decoded.uid ?? "", nsp: decoded.nsp, type: decoded.type };
      const data = decoded.data ?? {};
      if (data.opts) Object.assign(out, optionsFields(data.opts));
      if (data.requestId !== undefined) out.request_id = data.requestId;
      if (data.rooms) out.request_rooms = roomList(data.rooms);
      if (decoded.type === 6) out.close = !!data.close;
      if (decoded.type === 3) Object.assign(out, packetFields(data.packet, decoded.nsp));
      if (decoded.type === 8) Object.assign(out, renamedSockets(socketioJson(data.sockets)));
      if ([9, 10, 12].includes(decoded.type)) Object.assign(out, renamed(socketioJson(data.packet)));
      if (decoded.type === 11) out.client_count = data.clientCount;
      return out;
    }
  }
  throw new Error(`unknown decoder ${decoder}`);
}

const renamed = ({ json, attachments }) => ({ data_json: json, attachments });
const renamedSockets = ({ json, attachments }) => ({ sockets_json: json, attachments });

function decodeLikeNode(message) {
  const bytes = Buffer.from(message);
  return bytes[0] === 0x7b ? JSON.parse(bytes.toString()) : notepack3.decode(bytes);
}

async function makeMessageRows() {
  const rows = [];
  for (const scenario of scenarios) {
    const published = await scenario.run();
    published.forEach((m, i) => {
      const isText = typeof m.message === "string";
      const row = { name: published.length > 1 ? `${scenario.name} #${i + 1}` : scenario.name, channel: m.channel };
      if (isText) row.text = m.message;
      else row.hex = hex(m.message);
      row.decoder = m.decoder;
      row.expect = expectedFields(m.decoder, decodeLikeNode(m.message));
      if (m.encoder) row.encoder = m.encoder;
      else row.why = m.why;
      rows.push(row);
    });
  }
  return rows;
}

// ---- The table: written on request, checked always.

if (process.env.CHORUS_ORACLE_WRITE) {
  const table = {
    about:
      "msgpack values and Redis adapter messages as the npm packages write and read them; see the header of test/js/notepack-oracle.test.mjs, which checks every entry, and test/unit/protocol_notepack_oracle_test.cpp, which holds chorus to them.",
    values: valueCases.map(makeValueRow),
    messages: await makeMessageRows(),
  };
  writeFileSync(tablePath, JSON.stringify(table, null, 1) + "\n");
}

const table = JSON.parse(readFileSync(tablePath, "utf8"));

describe("notepack oracle: values", () => {
  it("has a row for every case, in order", () => {
    assert.deepEqual(
      table.values.map((r) => r.name),
      valueCases.map((c) => c.name),
    );
  });
  for (const c of valueCases) {
    it(c.name, () => {
      const row = table.values.find((r) => r.name === c.name);
      assert.deepEqual(row, makeValueRow(c));
      if (row.reverse) assert.equal(reverseHex(row), row.hex);
    });
  }
});

describe("notepack oracle: messages as the Node adapters publish them", async () => {
  const rows = await makeMessageRows();
  it("has the same messages", () => {
    assert.deepEqual(
      table.messages.map((r) => r.name),
      rows.map((r) => r.name),
    );
  });
  for (const row of rows) {
    it(row.name, () => {
      assert.deepEqual(
        table.messages.find((r) => r.name === row.name),
        row,
      );
    });
  }
});
