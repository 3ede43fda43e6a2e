// Two chorus nodes (CHORUS_BINARY) behind a load balancer configured by deploy/, with the
// official socket.io-client: sticky sessions hold. Once behind nginx (deploy/nginx/chorus.conf),
// once behind HAProxy (deploy/haproxy/chorus.cfg).
//
// Each balancer runs that very file from a temporary directory, with only what must differ
// replaced: the nodes' addresses in the existing server lines, the listen/bind line (a free
// 127.0.0.1 port), and for HAProxy the global section (logs to stdout, no chroot or daemon);
// nginx's http-context file is wrapped in a minimal main configuration. So the affinity
// (`hash $remote_addr consistent;`, `balance source` + `cookie SERVERID insert`) and every
// proxy setting are what users copy. The checks, for each balancer:
//   (a) 20 polling-only clients connect through it and exchange acked chat messages over many
//       requests each;
//   (b) clients with the default transports connect, upgrade to WebSocket through it, and go
//       on working;
//   (c) both nodes got clients (each node's own /metrics, and the balancer's access log);
//   (d) no session ever reached the wrong node: no client error or disconnect, no 400 in the
//       balancer's log, and every request of one client (handshake, polls, posts, the upgrade)
//       went to one node;
//   (e) the nodes share one redis-server (--redis-url, started here): a chat room spans them,
//       a client on one node joins a room of a client on the other and its message arrives.
// Then that the browser's Host reaches chorus with its port (its same-origin check), and for
// HAProxy, that its SERVERID cookie sends a session to the node it names.
//
// Spreading the clients: both files hash on the client's address, and a test whose clients all
// come from 127.0.0.1 would put them all on one node and prove nothing about (c). Each client
// here connects from its own loopback address instead (127.0.0.2, 127.0.0.3, ...: Linux routes
// all of 127.0.0.0/8 to lo) through an http.Agent with `localAddress`, handed to socket.io-client
// as `agent` (polling) and `localAddress` (WebSocket). So the balancer sees distinct clients as it
// would in production, and the files are tested unchanged rather than test-only variants
// hashing on a header. (nginx's ip_hash would not do: it hashes the first three octets, all
// 127.0.0.x alike.) nginx places its nodes on the ring by address, so with the nodes' ports
// changing the split differs from run to run (all 30 clients on one node: odds of the order of
// 2^-30); HAProxy places them by server id, so its split is the same every run (16/14 here).
//
// Skipped with a message when nginx is missing (CHORUS_NGINX, else nginx on PATH or in
// /usr/sbin); the HAProxy part alone when HAProxy is (CHORUS_HAPROXY, else haproxy). Every wait
// is bounded; the balancer and the nodes are stopped after, also when a check fails.
// CHORUS_KEEP_TMP=1 keeps the balancer's directory (configuration, nginx's logs).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { startFixture } from "./lib/fixture.mjs";
import { startRedis } from "./lib/redis-server.mjs";
import { eventually, within } from "./lib/util.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const deploy = path.join(here, "..", "..", "deploy");
const WAIT_MS = 20_000;
const POLLING_CLIENTS = 20;
const POLLING_ROUNDS = 10;
const UPGRADING_CLIENTS = 10;
const UPGRADING_ROUNDS = 5;

/** An executable named by `envName`, else `name` on PATH or in `extraDirs`; or undefined. */
function findBinary(envName, name, extraDirs = []) {
  const dirs = [...(process.env.PATH ?? "").split(":"), ...extraDirs].filter(Boolean);
  const candidates = process.env[envName] ? [process.env[envName]] : dirs.map((d) => path.join(d, name));
  return candidates.find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return fs.statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/** A port that was free a moment ago (bound to 0, then closed). */
async function freePort() {
  const server = net.createServer();
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

/**
 * `text` with the address in each `server` line of the block `header { ... }` (up to its
 * closing `}` or the next section) set to a node's, in order; server lines beyond the nodes
 * are dropped. Fails if the block has fewer server lines than there are nodes.
 */
function pointServersAt(text, file, blockStart, blockEnd, nodes) {
  const start = text.search(blockStart);
  assert.ok(start >= 0, `${file}: no ${blockStart} block`);
  const rest = text.slice(start + 1);
  const endAt = rest.search(blockEnd);
  const end = endAt >= 0 ? start + 1 + endAt : text.length;
  const block = text.slice(start, end);
  const serverLine = /^(\s*server\s+(?:\S+\s+)??)(\d+\.\d+\.\d+\.\d+:\d+)([^\n]*\n)/gm;
  const found = block.match(serverLine) ?? [];
  assert.ok(found.length >= nodes.length, `${file}: ${found.length} server lines for ${nodes.length} nodes`);
  let i = 0;
  const newBlock = block.replace(serverLine, (_, head, _address, tail) => {
    const node = nodes[i++];
    return node ? `${head}127.0.0.1:${node.port}${tail}` : "";
  });
  return text.slice(0, start) + newBlock + text.slice(end);
}

/** `text` with the one line matching `line` replaced by `replacement` (fails unless exactly one). */
function replaceOne(text, file, line, replacement) {
  const global = new RegExp(line.source, "gm");
  assert.equal((text.match(global) ?? []).length, 1, `${file}: expected one line matching ${line}`);
  return text.replace(global, replacement);
}

/** Runs a balancer's command; resolves with a handle once `url`/healthz answers 200 through it. */
async function startBalancer({ name, dir, command, args, port, logLine, moreOutput = () => "" }) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const stdoutLines = [];
  let partial = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop();
    for (const l of parts) {
      if (logLine?.(l)) stdoutLines.push(l);
      else output = (output + l + "\n").slice(-16_384);
    }
  });
  child.stderr.on("data", (c) => (output = (output + c).slice(-16_384)));
  // SIGTERM stops nginx's master and its workers, and HAProxy; never leave them behind.
  const stopOnExit = () => child.kill("SIGTERM");
  process.once("exit", stopOnExit);
  let exited = false;
  const exit = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      exited = true;
      process.off("exit", stopOnExit);
      resolve({ code, signal });
    }),
  );
  child.on("error", (err) => (output += `cannot start ${command}: ${err.message}\n`));
  const balancer = {
    name,
    port,
    dir,
    url: `http://127.0.0.1:${port}`,
    output: () => output + moreOutput(),
    stdoutLines: () => stdoutLines.slice(),
    async stop() {
      if (!exited) {
        child.kill("SIGTERM");
        try {
          await within(10_000, exit, `${name} stopping`);
        } catch (err) {
          child.kill("SIGKILL");
          throw err;
        }
      }
    },
  };
  await eventually(
    async () => {
      if (exited) return true;
      try {
        const res = await fetch(`${balancer.url}/healthz`, { signal: AbortSignal.timeout(2_000) });
        return res.status === 200 && (await res.text()) === "ok";
      } catch {
        return false;
      }
    },
    WAIT_MS,
    `${name} answering /healthz`,
    100,
  ).catch(async (err) => {
    await balancer.stop().catch(() => {});
    throw new Error(`${err.message}\n${balancer.output()}`);
  });
  if (exited) return { exited: await exit, output: balancer.output() };
  return balancer;
}

function readOr(file, fallback = "") {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return fallback;
  }
}

/** nginx with deploy/nginx/chorus.conf, in `dir`. */
async function startNginx(binary, dir, nodes) {
  const file = path.join(deploy, "nginx", "chorus.conf");
  let site = fs.readFileSync(file, "utf8");
  site = pointServersAt(site, file, /^upstream chorus \{/m, /^\}/m, nodes);
  const port = await freePort();
  site = replaceOne(site, file, /^(\s*)listen\s+80;/, `$1listen 127.0.0.1:${port};`);
  const conf = path.join(dir, "nginx.conf");
  fs.writeFileSync(
    conf,
    [
      // Workers of a root master would otherwise run as nobody and could not reach the 0700
      // directory.
      process.getuid?.() === 0 ? "user root;" : "",
      "worker_processes 1;",
      `error_log ${dir}/error.log notice;`,
      "events { worker_connections 1024; }",
      "http {",
      "    log_format sticky '$remote_addr $status $request_method $request_uri $upstream_addr';",
      `    access_log ${dir}/access.log sticky;`,
      ...["client_body", "proxy", "fastcgi", "uwsgi", "scgi"].map((p) => `    ${p}_temp_path ${dir}/${p}_temp;`),
      site,
      "}",
      "",
    ].join("\n"),
  );
  const started = await startBalancer({
    name: "nginx",
    dir,
    port,
    command: binary,
    args: ["-p", dir, "-e", `${dir}/error.log`, "-c", conf, "-g", `daemon off; pid ${dir}/nginx.pid;`],
    moreOutput: () => readOr(path.join(dir, "error.log")),
  });
  if (started.exited) return started;
  const balancer = started;
  // $remote_addr $status $request_method $request_uri $upstream_addr
  balancer.requests = () =>
    readOr(path.join(dir, "access.log"))
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [remote, status, method, uri, ...upstream] = line.split(" ");
        return { remote, status: Number(status), method, uri, upstream: upstream.join(" ") };
      });
  balancer.clientGone = [499]; // the client closed first (a held poll when it disconnects)
  return balancer;
}

/** HAProxy with deploy/haproxy/chorus.cfg, in `dir`, logging to its stdout. */
async function startHaproxy(binary, dir, nodes) {
  const file = path.join(deploy, "haproxy", "chorus.cfg");
  let cfg = fs.readFileSync(file, "utf8");
  const section = /^(global|defaults|frontend|backend|listen)\b/m;
  const globalAt = cfg.search(/^global\b/m);
  assert.ok(globalAt >= 0, `${file}: no global section`);
  const afterGlobal = cfg.slice(globalAt + 1).search(section);
  assert.ok(afterGlobal >= 0, `${file}: nothing after the global section`);
  cfg = cfg.slice(0, globalAt) + "global\n    log stdout format raw local0 info\n    maxconn 4096\n\n" + cfg.slice(globalAt + 1 + afterGlobal);
  cfg = pointServersAt(cfg, file, /^backend chorus\b/m, section, nodes);
  const port = await freePort();
  cfg = replaceOne(cfg, file, /^(\s*)bind\s+:80$/, `$1bind 127.0.0.1:${port}`);
  const conf = path.join(dir, "haproxy.cfg");
  fs.writeFileSync(conf, cfg);
  // The server name in the log -> the node's address, as nginx logs it.
  const servers = new Map([...cfg.matchAll(/^\s*server\s+(\S+)\s+(\S+)/gm)].map((m) => [`chorus/${m[1]}`, m[2]]));
  // option httplog: 127.0.0.2:41234 [date] chorus_http chorus/node1 0/0/0/1/1 200 174 - - ---- 1/1/0/0/0 0/0 "GET /x HTTP/1.1"
  const httplog = /^(\d+\.\d+\.\d+\.\d+):\d+ \[[^\]]+\] \S+ (\S+) \S+ (-?\d+) .* "(\S+) (\S+) [^"]*"$/;
  const started = await startBalancer({ name: "HAProxy", dir, port, command: binary, args: ["-db", "-f", conf], logLine: (l) => httplog.test(l) });
  if (started.exited) return started;
  const balancer = started;
  balancer.requests = () =>
    balancer.stdoutLines().map((line) => {
      const [, remote, server, status, method, uri] = httplog.exec(line);
      return { remote, status: Number(status), method, uri, upstream: servers.get(server) ?? server };
    });
  balancer.clientGone = [-1]; // no answer: the client closed first (a held poll when it disconnects)
  balancer.serverNames = [...servers.keys()].map((s) => s.slice("chorus/".length));
  return balancer;
}

/**
 * One HTTP request on its own connection (bounded); resolves {status, headers, body}. Not
 * lib/raw-http.mjs: that one half-closes the connection after the request, and nginx takes a
 * client's FIN while the node has not answered yet for the client going away (499).
 */
function request(port, method, target, headers = {}, body = undefined) {
  return within(
    WAIT_MS,
    new Promise((resolve, reject) => {
      const req = http.request({ host: "127.0.0.1", port, method, path: target, headers, agent: false }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    }),
    `${method} ${target} on :${port}`,
  );
}

/** The value of a Prometheus sample, summed over every label set of that metric name. */
function metric(text, name) {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) sum += Number(m[3]);
  }
  return sum;
}

async function nodeMetrics(node) {
  const res = await fetch(`${node.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  assert.equal(res.status, 200);
  return res.text();
}

let unique = 0;
const uniq = (prefix) => `${prefix}-${process.pid}-${++unique}`;
let nextAddress = 2; // 127.0.0.2, 127.0.0.3, ...: one per client over the whole file

const balancers = [
  { name: "nginx", config: "deploy/nginx/chorus.conf", binary: findBinary("CHORUS_NGINX", "nginx", ["/usr/sbin"]), start: startNginx },
  { name: "HAProxy", config: "deploy/haproxy/chorus.cfg", binary: findBinary("CHORUS_HAPROXY", "haproxy", ["/usr/sbin"]), start: startHaproxy },
];

const notFound = (kind) => `${kind.name.toLowerCase()} not found (set CHORUS_${kind.name.toUpperCase()}, or apt-get install ${kind.name.toLowerCase()}: scripts/setup.sh does)`;
for (const kind of balancers) {
  // Without nginx the whole file is skipped (ctest reports js_sticky as Skipped on "# nginx not
  // found", whatever else ran, so nothing else may run then); without HAProxy only its part.
  const skip = !balancers[0].binary ? notFound(balancers[0]) : kind.binary ? false : notFound(kind);
  describe(`sticky sessions: two chorus nodes behind ${kind.name} (${kind.config})`, { skip }, () => {
    const nodes = [];
    let balancer;
    let dir;
    let redis; // the nodes share broadcasts and rooms over it (--redis-url)
    const clients = []; // {label, address, socket, agent, errors, gone, sid, room, username}

    before(async () => {
      // Two shards on one node, one on the other: inside a node chorus moves a request to its
      // session's shard itself; between nodes only the balancer can.
      redis = await startRedis();
      for (const threads of [2, 1])
        nodes.push(
          await startFixture(["--host", "127.0.0.1", "--threads", String(threads), "--db", ":memory:", "--rate-limit", "0", "--redis-url", redis.url], {
            binaryEnv: "CHORUS_BINARY",
          }),
        );
      dir = fs.mkdtempSync(path.join(os.tmpdir(), `chorus-sticky-${kind.name.toLowerCase()}-${process.pid}-`));
      // A port picked free may be taken before the balancer binds it: try another, twice.
      for (let attempt = 1; ; ++attempt) {
        const started = await kind.start(kind.binary, dir, nodes);
        if (!started.exited) {
          balancer = started;
          break;
        }
        if (attempt >= 3 || !/Address already in use|cannot bind/i.test(started.output))
          throw new Error(`${kind.name} exited (${JSON.stringify(started.exited)}):\n${started.output}`);
      }
    });

    after(async () => {
      for (const c of clients) {
        c.socket.disconnect();
        c.agent.destroy();
      }
      const results = await Promise.allSettled([balancer?.stop(), ...nodes.map((n) => n.stop())].filter(Boolean));
      await redis?.stop();
      if (dir && !process.env.CHORUS_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
      for (const r of results) if (r.status === "rejected") throw r.reason;
    });

    /**
     * A client from its own loopback address, connected to "/" through the balancer (bounded),
     * its "Connected to chat!" status taken, in a room of its own. Every error it sees is
     * recorded.
     */
    async function connect(label, transports) {
      const address = `127.0.0.${nextAddress++}`;
      const agent = new http.Agent({ keepAlive: true, localAddress: address });
      const socket = io(balancer.url, {
        reconnection: false,
        forceNew: true,
        timeout: WAIT_MS,
        agent,
        localAddress: address,
        ...(transports ? { transports } : {}),
        autoConnect: false,
      });
      const client = { label, address, socket, agent, errors: [] };
      clients.push(client);
      const describeError = (err) => `${err.message} ${JSON.stringify(err.context?.responseText ?? err.description?.message ?? err.description ?? "")}`;
      socket.on("connect_error", (err) => client.errors.push(`connect_error: ${describeError(err)}`));
      socket.on("disconnect", (reason, details) => client.errors.push(`disconnect: ${reason} ${details?.message ?? ""} ${details?.description?.message ?? ""}`));
      socket.io.on("error", (err) => client.errors.push(`manager error: ${describeError(err)}`));
      // Rejects when the client loses its connection, so a broken session fails at once.
      client.gone = new Promise((_, reject) =>
        socket.on("disconnect", () => reject(new Error(`${label} (${address}) disconnected: ${client.errors.join("; ")}`))),
      );
      client.gone.catch(() => {});
      const status = new Promise((resolve) => socket.on("status", (d) => d?.msg === "Connected to chat!" && resolve()));
      socket.connect();
      await within(
        WAIT_MS,
        new Promise((resolve, reject) => {
          socket.once("connect", resolve);
          socket.once("connect_error", (err) => reject(new Error(`${label} (${address}): connect_error ${describeError(err)}`)));
        }),
        `${label} (${address}) connecting through ${kind.name}`,
      );
      await within(WAIT_MS, Promise.race([status, client.gone]), `${label}: the "Connected to chat!" status`);
      client.sid = socket.io.engine.id;
      client.room = uniq("room");
      client.username = uniq(label);
      const joined = `${client.username} joined room ${client.room}`;
      const joinedStatus = new Promise((resolve) => socket.on("status", (d) => d?.msg === joined && resolve()));
      socket.emit("join_room", { room: client.room, username: client.username });
      await within(WAIT_MS, Promise.race([joinedStatus, client.gone]), `${label}: "${joined}"`);
      return client;
    }

    /** `rounds` room messages, each acked ({id, timestamp}) and echoed back to the sender (its room). */
    async function exchange(client, rounds) {
      for (let i = 0; i < rounds; ++i) {
        const text = `${client.label} says ${i}`;
        const echoed = new Promise((resolve) => {
          const onMessage = (d) => {
            if (d?.message === text && d?.room === client.room) {
              client.socket.off("message", onMessage);
              resolve(d);
            }
          };
          client.socket.on("message", onMessage);
        });
        const acked = client.socket.timeout(WAIT_MS).emitWithAck("room_message", { room: client.room, message: text });
        const ack = await within(WAIT_MS, Promise.race([acked, client.gone]), `${client.label}: ack of message ${i}`);
        assert.equal(typeof ack?.id, "number", `${client.label}: ack ${JSON.stringify(ack)}`);
        assert.match(ack.timestamp, /^\d\d:\d\d:\d\d$/);
        await within(WAIT_MS, Promise.race([echoed, client.gone]), `${client.label}: echo of message ${i}`);
      }
    }

    const engineRequests = () => balancer.requests().filter((l) => l.uri.startsWith("/socket.io/?"));

    it("(a) 20 polling-only clients exchange acked messages over many requests each", async () => {
      const polling = await Promise.all(Array.from({ length: POLLING_CLIENTS }, (_, i) => connect(`polling${i}`, ["polling"])));
      await Promise.all(polling.map((c) => exchange(c, POLLING_ROUNDS)));
      for (const c of polling) {
        assert.equal(c.socket.io.engine.transport.name, "polling", `${c.label} stayed on polling`);
        assert.ok(c.socket.connected, `${c.label} still connected`);
        assert.deepEqual(c.errors, [], `${c.label} (${c.address}) saw no error`);
      }
    });

    it("(b) clients with the default transports upgrade to WebSocket and go on working", async () => {
      const upgrading = await Promise.all(Array.from({ length: UPGRADING_CLIENTS }, (_, i) => connect(`upgrading${i}`)));
      for (const c of upgrading)
        await eventually(() => c.socket.io.engine.transport.name === "websocket" || c.errors.length > 0, WAIT_MS, `${c.label} upgrading to websocket`);
      await Promise.all(upgrading.map((c) => exchange(c, UPGRADING_ROUNDS)));
      for (const c of upgrading) {
        assert.deepEqual(c.errors, [], `${c.label} (${c.address}) saw no error`);
        assert.equal(c.socket.io.engine.transport.name, "websocket");
        assert.equal(c.socket.io.engine.id, c.sid, `${c.label} kept its session across the upgrade`);
        assert.ok(c.socket.connected, `${c.label} still connected`);
      }
    });

    it("(e) a room spans both nodes over Redis: a message from a client on one reaches a member on the other", async () => {
      const nodeOf = new Map(); // client address -> node address, from its first request
      for (const l of engineRequests()) if (!nodeOf.has(l.remote)) nodeOf.set(l.remote, l.upstream);
      const live = clients.filter((c) => c.socket.connected && nodeOf.has(c.address));
      const x = live[0];
      const y = live.find((c) => nodeOf.get(c.address) !== nodeOf.get(x?.address));
      assert.ok(x && y, "clients on both nodes");
      const joined = `${x.username} joined room ${y.room}`;
      const seenByY = new Promise((resolve) => y.socket.on("status", (d) => d?.msg === joined && resolve()));
      x.socket.emit("join_room", { room: y.room, username: x.username });
      await within(WAIT_MS, Promise.race([seenByY, x.gone, y.gone]), `${y.label} sees "${joined}" from the other node`);
      const text = `${x.label} to ${y.label} across nodes`;
      const got = new Promise((resolve) => y.socket.on("message", (d) => d?.message === text && d?.room === y.room && resolve(d)));
      x.socket.emit("room_message", { room: y.room, message: text });
      const message = await within(WAIT_MS, Promise.race([got, x.gone, y.gone]), `${y.label} gets the message from the other node`);
      assert.equal(message.room, y.room);
    });

    it("serves the chat page and /healthz, and keeps /metrics and /readyz off the public path", async () => {
      const page = await fetch(`${balancer.url}/`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(page.status, 200);
      assert.match(page.headers.get("content-type"), /text\/html/);
      assert.match(await page.text(), /<html/i);
      const health = await fetch(`${balancer.url}/healthz`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(health.status, 200);
      for (const p of ["/metrics", "/readyz"])
        assert.equal((await fetch(`${balancer.url}${p}`, { signal: AbortSignal.timeout(5_000) })).status, 404, p);
    });

    it("(c) spreads the clients over both nodes: each node's /metrics counts the sessions sent to it", async () => {
      assert.equal(clients.length, POLLING_CLIENTS + UPGRADING_CLIENTS, "the client tests ran");
      const nodeOf = new Map(); // client address -> node address, from its first request
      for (const l of engineRequests()) if (!nodeOf.has(l.remote)) nodeOf.set(l.remote, l.upstream);
      assert.equal(clients.filter((c) => nodeOf.has(c.address)).length, clients.length, `${kind.name} logged every client`);
      const split = [];
      for (const node of nodes) {
        const sessions = metric(await nodeMetrics(node), "chorus_connections_accepted_total");
        const sent = clients.filter((c) => nodeOf.get(c.address) === `127.0.0.1:${node.port}`).length;
        split.push(`node :${node.port}: ${sessions} sessions, ${sent} clients sent`);
        assert.equal(sessions, sent, `node :${node.port}'s sessions are the clients ${kind.name} sent it`);
        assert.ok(sessions > 0, `node :${node.port} got no client: ${split.join("; ")}`);
      }
      console.log(`# ${kind.name}: ${split.join("; ")}`);
    });

    it("(d) no request of a session reached the wrong node: no 400, one node per client and per sid", async () => {
      for (const c of clients) assert.deepEqual(c.errors, [], `${c.label} (${c.address}) saw no error`);
      // While the clients are connected every request logged so far got 200 or 101 (a request
      // for a session its node does not know gets 400 "Session ID unknown").
      assert.deepEqual(engineRequests().filter((l) => l.status !== 200 && l.status !== 101), [], "every Engine.IO request so far got 200");
      const upgraded = clients.filter((c) => c.socket.io.engine.transport.name === "websocket").length;
      // A WebSocket request (101) is logged when it closes: close them, wait (bounded) for the
      // lines. Closing also ends the polling clients' held GETs (200 with the node's noop, or
      // logged as the client's when it goes first).
      for (const c of clients) c.socket.disconnect();
      const lines = await eventually(
        () => {
          const all = engineRequests();
          return all.filter((l) => l.status === 101).length >= upgraded && all;
        },
        WAIT_MS,
        `${kind.name} logging the ${upgraded} WebSocket upgrades`,
      );
      const bad = lines.filter((l) => ![200, 101, ...balancer.clientGone].includes(l.status));
      assert.deepEqual(bad, [], "no Engine.IO request got an error");
      const byClient = new Map();
      const bySid = new Map();
      for (const l of lines) {
        assert.match(l.upstream, /^127\.0\.0\.1:\d+$/, `one node per request: ${JSON.stringify(l)}`);
        if (!byClient.has(l.remote)) byClient.set(l.remote, new Set());
        byClient.get(l.remote).add(l.upstream);
        const sid = new URLSearchParams(l.uri.split("?")[1]).get("sid");
        if (sid) {
          if (!bySid.has(sid)) bySid.set(sid, { upstreams: new Set(), requests: 0 });
          bySid.get(sid).upstreams.add(l.upstream);
          bySid.get(sid).requests++;
        }
      }
      for (const c of clients) {
        const upstreams = byClient.get(c.address);
        assert.ok(upstreams, `${c.label}: no request from ${c.address} in ${kind.name}'s log`);
        assert.equal(upstreams.size, 1, `${c.label} (${c.address}) reached ${[...upstreams].join(", ")}`);
        const session = bySid.get(c.sid);
        assert.ok(session, `${c.label}: sid ${c.sid} not in ${kind.name}'s log`);
        assert.deepEqual([...session.upstreams], [...upstreams], `${c.label}: its session's requests went where its handshake did`);
      }
      // "Over many requests": each polling client's session took at least one request per round.
      for (const c of clients.filter((x) => x.label.startsWith("polling")))
        assert.ok(bySid.get(c.sid).requests >= POLLING_ROUNDS, `${c.label}: ${bySid.get(c.sid).requests} requests`);
    });

    it("passes the browser's Host through, port included: a page on the balancer's origin gets in, another origin does not", async () => {
      // chorus's default Origin policy compares the Origin with the Host it sees; the balancer
      // listens on a non-default port, which nginx's $host would drop. (After (c) and (d): this
      // makes a session and a 403 of its own.)
      const handshake = (origin) => request(balancer.port, "GET", "/socket.io/?EIO=4&transport=polling", { Origin: origin });
      const same = await handshake(balancer.url);
      assert.equal(same.status, 200, same.body);
      const { sid } = JSON.parse(same.body.slice(1));
      const closed = await request(balancer.port, "POST", `/socket.io/?EIO=4&transport=polling&sid=${sid}`, { Origin: balancer.url }, "1");
      assert.equal(closed.status, 200);
      assert.equal((await handshake("http://elsewhere.example")).status, 403);
    });

    if (kind.name === "HAProxy")
      it("sets a SERVERID cookie naming the node, and a request carrying it goes to that node", async () => {
        // From one address, so only the cookie can make the difference between the nodes.
        for (const [i, name] of balancer.serverNames.entries()) {
          const res = await request(balancer.port, "GET", "/socket.io/?EIO=4&transport=polling", { Cookie: `SERVERID=${name}` });
          assert.equal(res.status, 200);
          const { sid } = JSON.parse(res.body.slice(1));
          // The node the cookie names knows the session (a noop packet is taken), the other does not.
          const post = async (node) => (await request(node.port, "POST", `/socket.io/?EIO=4&transport=polling&sid=${sid}`, {}, "6")).status;
          assert.equal(await post(nodes[i]), 200, `${name}: the session is on the node the cookie names`);
          assert.equal(await post(nodes[1 - i]), 400, `${name}: and not on the other`);
          await request(nodes[i].port, "POST", `/socket.io/?EIO=4&transport=polling&sid=${sid}`, {}, "1");
        }
        // Without the cookie HAProxy inserts one, HttpOnly, naming the node it chose.
        const fresh = await request(balancer.port, "GET", "/socket.io/?EIO=4&transport=polling");
        assert.equal(fresh.status, 200);
        const cookies = fresh.headers["set-cookie"] ?? [];
        assert.equal(cookies.length, 1, JSON.stringify(cookies));
        assert.match(cookies[0], new RegExp(`^SERVERID=(${balancer.serverNames.join("|")}); path=/; HttpOnly$`));
      });
  });
}
