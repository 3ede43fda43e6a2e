#!/usr/bin/env node
// Reference conformance fixture: the same behaviour as chorus-conformance, built on the npm
// socket.io 4.8 / engine.io 6.6 servers. The JS tests run against it to prove themselves right,
// and the benchmarks use it as the Node.js baseline.
//
//   node reference/conformance-server.mjs [--port N] [--engineio-echo] [--parser json|msgpack]
//
// Prints "listening on port N" on stdout once ready (N is the real port when --port 0).
//
// Socket.IO mode (default), path /socket.io/:
//   - namespaces "/" and "/custom"; any other namespace is refused ("Invalid namespace")
//   - on connection: emit("auth", socket.handshake.auth)
//   - "message"          -> emit("message-back", ...args)   (binary included)
//   - "message-with-ack" -> ack(...args)
// Engine.IO mode (--engineio-echo), path /engine.io/: echoes every message, text or binary.
//
// Settings: pingInterval 300 ms, pingTimeout 200 ms, maxHttpBufferSize 1,000,000,
// connectTimeout 1,000 ms, CORS origin "*"; HTTP headers within 5 s, a whole request within 10 s.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server as SocketIOServer } from "socket.io";
import { Server as EngineIOServer } from "engine.io";
import msgpackParser from "socket.io-msgpack-parser";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    "engineio-echo": { type: "boolean", default: false },
    parser: { type: "string", default: "json" },
  },
  strict: true,
});

const port = Number.parseInt(values.port, 10);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port: ${values.port}`);
  process.exit(2);
}

const common = {
  pingInterval: 300,
  pingTimeout: 200,
  maxHttpBufferSize: 1_000_000,
  cors: { origin: "*" },
};

// Bound slow requests (a client trickling its headers or body) the way chorus does: Node's own
// defaults (60 s for headers, checked every 30 s) are too lax for the bad-input tests.
const httpServer = createServer({
  headersTimeout: 5_000,
  requestTimeout: 10_000,
  connectionsCheckingInterval: 1_000,
});

if (values["engineio-echo"]) {
  const engine = new EngineIOServer({ ...common, path: "/engine.io/" });
  engine.attach(httpServer);
  engine.on("connection", (socket) => {
    socket.on("message", (data) => socket.send(data));
  });
} else {
  // --parser msgpack: socket.io-msgpack-parser, as chorus-conformance --parser msgpack.
  const parser = values.parser === "msgpack" ? { parser: msgpackParser } : {};
  const io = new SocketIOServer(httpServer, { ...common, connectTimeout: 1_000, ...parser });
  const onConnection = (socket) => {
    socket.emit("auth", socket.handshake.auth ?? {});
    socket.on("message", (...args) => socket.emit("message-back", ...args));
    socket.on("message-with-ack", (...args) => {
      const ack = args.pop();
      if (typeof ack === "function") ack(...args);
    });
  };
  io.of("/").on("connection", onConnection);
  io.of("/custom").on("connection", onConnection);
}

httpServer.listen(port, values.host, () => {
  console.log(`listening on port ${httpServer.address().port}`);
});

const shutdown = () => {
  httpServer.closeAllConnections?.();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 500).unref();
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
