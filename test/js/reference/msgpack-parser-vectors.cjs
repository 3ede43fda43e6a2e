// Prints the byte vectors of test/unit/socketio_msgpack_codec_test.cpp: packets shaped as
// socket.io 4.8.3 builds them (server and client lib/socket.ts), encoded by
// socket.io-msgpack-parser 3.0.2 (notepack.io 2.2.0), each fed back to its Decoder (which must
// accept it). Not part of the test run; the package is installed outside the repository:
//   npm install --prefix /tmp/msgpack-ref socket.io-msgpack-parser@3.0.2
//   NODE_PATH=/tmp/msgpack-ref/node_modules node test/js/reference/msgpack-parser-vectors.cjs
const { Encoder, Decoder } = require("socket.io-msgpack-parser");
const enc = new Encoder();
const hex = (p) => enc.encode(p)[0].toString("hex");
const out = {
  // server Socket#emit: { type, data } then [id], then packet() sets nsp
  server_event: hex({ type: 2, data: ["hello", "you"], nsp: "/" }),
  server_event_id: hex({ type: 2, data: ["ask", 1, { a: [true, null] }], id: 7, nsp: "/chat" }),
  server_event_binary: hex({ type: 2, data: ["file", Buffer.from([1, 2, 3]), { b: Buffer.from([]) }], nsp: "/" }),
  // server Socket#ack: { id, type, data } then nsp
  server_ack: hex({ id: 42, type: 3, data: ["ok", -1.5], nsp: "/" }),
  // server Socket#_onconnect: { type, data: { sid, pid } } then nsp; pid undefined without recovery
  server_connect: hex({ type: 0, data: { sid: "abc", pid: undefined }, nsp: "/" }),
  server_connect_pid: hex({ type: 0, data: { sid: "abc", pid: "xyz" }, nsp: "/admin" }),
  // server Socket#_error: { type, data } then nsp
  server_connect_error: hex({ type: 4, data: { message: "not authorized" }, nsp: "/" }),
  // server Socket#disconnect: { type } then nsp
  server_disconnect: hex({ type: 1, nsp: "/" }),
  // client _sendConnectPacket without auth: { type, data: undefined } then nsp
  client_connect: hex({ type: 0, data: undefined, nsp: "/" }),
  client_connect_auth: hex({ type: 0, data: { token: "t" }, nsp: "/" }),
  // client Socket#emit: { type, data }, options, [id], nsp
  client_event: hex({ type: 2, data: ["msg", "héllo", 3.25, 300, -40, 70000, 5000000000], options: { compress: true }, id: 3, nsp: "/" }),
  // client Socket#ack: { type, id, data } then nsp
  client_ack: hex({ type: 3, id: 3, data: [], nsp: "/" }),
};
for (const [k, v] of Object.entries(out)) {
  const d = new Decoder();
  d.on("decoded", () => {});
  d.add(Buffer.from(v, "hex"));
  console.log(k, v);
}
