#!/usr/bin/env node
// The Node.js reference for admin.test.mjs: socket.io 4.8 with @socket.io/admin-ui 0.5.1's
// instrument() on `/admin`, taking the chorus binary's admin flags:
//
//   node admin-reference-server.mjs --port 0 --admin-ui [--admin-user NAME]
//        [--admin-password-hash BCRYPT] [--admin-auth on|off]
//        [--admin-mode development|production] [--admin-readonly] [--server-id ID]
//        [--redis-url redis://…]
//
// Prints "listening on port <N>" once ready (as test/js/lib/fixture.mjs expects). The main
// namespace has no application handlers: the admin commands are what the test drives.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { instrument } from "@socket.io/admin-ui";
import { createAdapter } from "@socket.io/redis-adapter";
import { createClient } from "redis";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    "admin-ui": { type: "boolean", default: false },
    "admin-user": { type: "string", default: "admin" },
    "admin-password-hash": { type: "string" },
    "admin-auth": { type: "string", default: "on" },
    "admin-mode": { type: "string", default: "production" },
    "admin-readonly": { type: "boolean", default: false },
    "server-id": { type: "string" },
    "redis-url": { type: "string" },
  },
  strict: false, // CHORUS_FIXTURE_ARGS (e.g. --threads 4) are for chorus; ignored here
});

const httpServer = createServer();
// With --redis-url, @socket.io/redis-adapter 8.3 (classic Pub/Sub): a cluster of these nodes.
let adapter;
let redisClients = [];
if (values["redis-url"]) {
  const pub = createClient({ url: values["redis-url"] });
  const sub = pub.duplicate();
  redisClients = [pub, sub];
  for (const c of redisClients) c.on("error", () => {});
  await Promise.all(redisClients.map((c) => c.connect()));
  adapter = createAdapter(pub, sub);
}
const io = new Server(httpServer, {
  cors: { origin: "https://admin.socket.io", credentials: true },
  ...(adapter ? { adapter } : {}),
});

for (const [name, allowed] of [["admin-auth", ["on", "off"]], ["admin-mode", ["development", "production"]]]) {
  if (!allowed.includes(values[name])) {
    console.error(`--${name} must be one of ${allowed.join(", ")}`);
    process.exit(2);
  }
}

if (values["admin-ui"]) {
  let auth = false;
  if (values["admin-auth"] === "on") {
    if (!values["admin-password-hash"]) {
      console.error("--admin-auth on needs --admin-password-hash");
      process.exit(2);
    }
    // instrument() checks the hash with bcryptjs.getRounds(), which throws on nothing; the flag
    // takes a bcrypt hash ($2a$ / $2b$, cost, 53 characters of salt and hash) or nothing.
    if (!/^\$2[ab]\$\d\d\$[./A-Za-z0-9]{53}$/.test(values["admin-password-hash"])) {
      console.error("--admin-password-hash must be a bcrypt hash ($2a$ or $2b$)");
      process.exit(2);
    }
    auth = { type: "basic", username: values["admin-user"], password: values["admin-password-hash"] };
  }
  instrument(io, {
    auth,
    mode: values["admin-mode"],
    readonly: values["admin-readonly"],
    ...(values["server-id"] ? { serverId: values["server-id"] } : {}),
  });
}

// Report (not swallow) what a bad admin command or credential throws, so a test can tell.
process.on("uncaughtException", (err) => {
  console.log(`uncaughtException: ${err?.message}`);
});
process.on("unhandledRejection", (err) => {
  console.log(`unhandledRejection: ${err?.message}`);
});

process.on("SIGTERM", () => {
  io.close();
  for (const c of redisClients) c.disconnect().catch(() => {});
  process.exit(0);
});

httpServer.listen(Number(values.port), values.host, () => {
  console.log(`listening on port ${httpServer.address().port}`);
});
