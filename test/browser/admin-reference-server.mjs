#!/usr/bin/env node
// The Node.js reference for admin.test.mjs: what chorus does with --admin-ui, built from npm
// socket.io 4.8 and @socket.io/admin-ui 0.5.1 (the package's own server side), so the browser
// test can prove itself against the real thing.
//
//   node admin-reference-server.mjs [--port N] [--host H] --admin-password-hash BCRYPT
//                                   [--admin-user NAME] [--admin-mode development|production]
//
// - Socket.IO at /socket.io/, the main namespace "/" open to any client;
// - instrument(io, {auth: {type: "basic", username, password: <the bcrypt hash>}, mode}): the
//   /admin namespace the Admin UI talks to;
// - the UI's built files (@socket.io/admin-ui/ui/dist/) at /admin/, /admin redirected there
//   (301), as chorus serves them; anything else 404;
// - CORS with credentials for the hosted UI (https://admin.socket.io), as its README asks; the
//   UI served here is same-origin and needs none.
//
// Prints "listening on port N" on stdout once ready; exits 0 on SIGTERM.
import { createServer } from "node:http";
import { createRequire } from "node:module";
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { Server } from "socket.io";
import { instrument } from "@socket.io/admin-ui";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "0" },
    host: { type: "string", default: "127.0.0.1" },
    "admin-user": { type: "string", default: "admin" },
    "admin-password-hash": { type: "string" },
    "admin-mode": { type: "string", default: "development" },
  },
  strict: true,
});
if (!values["admin-password-hash"]) {
  console.error("--admin-password-hash is required");
  process.exit(2);
}

const require = createRequire(import.meta.url);
const uiDir = path.join(path.dirname(require.resolve("@socket.io/admin-ui/package.json")), "ui", "dist");
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

// The UI's files, read once; keys are paths relative to /admin/.
const files = new Map();
(function read(dir, prefix) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) read(full, `${prefix}${entry.name}/`);
    else files.set(`${prefix}${entry.name}`, fs.readFileSync(full));
  }
})(uiDir, "");

function serveUi(req, res) {
  const { pathname, search } = new URL(req.url, "http://localhost");
  if (pathname === "/admin") {
    res.writeHead(301, { Location: `/admin/${search}` }).end();
    return;
  }
  let name = pathname.startsWith("/admin/") ? pathname.slice("/admin/".length) : null;
  if (name === "") name = "index.html";
  const body = name === null ? undefined : files.get(name);
  if (!body || (req.method !== "GET" && req.method !== "HEAD")) {
    res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not Found");
    return;
  }
  res.writeHead(200, {
    "Content-Type": TYPES[path.extname(name)] ?? "application/octet-stream",
    "Content-Length": body.length,
    "Cache-Control": "no-cache",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

const httpServer = createServer();
const io = new Server(httpServer, {
  cors: { origin: ["https://admin.socket.io"], credentials: true },
});
// Socket.IO answers its own path; everything else is the UI's (or 404).
httpServer.on("request", (req, res) => {
  if (!req.url.startsWith("/socket.io/")) serveUi(req, res);
});
instrument(io, {
  auth: { type: "basic", username: values["admin-user"], password: values["admin-password-hash"] },
  mode: values["admin-mode"],
});

httpServer.listen(Number(values.port), values.host, () => {
  console.log(`listening on port ${httpServer.address().port}`);
});

process.on("SIGTERM", () => {
  io.close();
  httpServer.closeAllConnections?.();
  process.exit(0);
});
