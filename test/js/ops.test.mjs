// Operating the `chorus` binary (CHORUS_BINARY): the configuration file and its precedence
// (flag > environment > file > default), bad values (exit code 2 and one message naming the
// option), graceful shutdown on SIGTERM (clients told, acked chat messages kept, exit 0; a second
// signal exits at once; --shutdown-timeout bounds the drain), and logging (--log-level,
// --log-format json, --access-log).
//
// The shutdown test runs on 1 shard and on 4, with WebSocket and polling clients together.
// Every wait is bounded; no test asserts how long anything takes.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { io } from "socket.io-client";
import { startFixture } from "./lib/fixture.mjs";
import { sleep, within } from "./lib/util.mjs";

const WAIT_MS = 10_000;
const binary = process.env.CHORUS_BINARY;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), `chorus-ops-${process.pid}-`));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

let unique = 0;
const uniq = (prefix) => `${prefix}-${process.pid}-${++unique}`;

/** Writes a scratch file and returns its path. */
function scratchFile(name, text) {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  return file;
}

/**
 * Runs chorus (or `command`) with `args` and `env` until it prints "listening on port N" (then it is stopped
 * with SIGTERM) or exits. Resolves {code, stdout, stderr, port}.
 */
function runChorus(args, env = {}, command = binary) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let port;
    const timer = setTimeout(() => child.kill("SIGKILL"), WAIT_MS);
    child.stdout.on("data", (c) => {
      stdout += c;
      const m = /listening on port (\d+)/.exec(stdout);
      if (m && port === undefined) {
        port = Number(m[1]);
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, port });
    });
  });
}

/** Starts chorus with `args` and `env`; resolves once it listens, with the port and a stop(). */
function startChorus(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`chorus did not listen:\n${output}`));
    }, WAIT_MS);
    const exited = new Promise((r) => child.on("exit", (code) => r(code)));
    child.stdout.on("data", (c) => {
      output += c;
      const m = /listening on port (\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({
          port: Number(m[1]),
          output: () => output,
          async stop() {
            child.kill("SIGTERM");
            const code = await within(WAIT_MS, exited, "chorus exiting");
            assert.equal(code, 0, output);
          },
        });
      }
    });
    child.stderr.on("data", (c) => (output += c));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`chorus exited (${code}) before listening:\n${output}`));
    });
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

/** The Engine.IO open packet of a polling handshake, parsed. */
async function handshake(port, query = "") {
  const res = await fetch(`http://127.0.0.1:${port}/socket.io/?EIO=4&transport=polling${query}`);
  assert.equal(res.status, 200);
  const body = await res.text();
  assert.equal(body[0], "0", body);
  return JSON.parse(body.slice(1));
}

const base = ["--host", "127.0.0.1", "--db", ":memory:", "--rate-limit", "0"];

describe("configuration file", () => {
  it("sets options: the server listens on the file's port and answers with the file's values", async () => {
    const port = await freePort();
    const file = scratchFile("set.toml", `# chorus\nport = ${port}\nhost = "127.0.0.1"\nping-interval = 1111\n\ndb = ":memory:"\n`);
    const server = await startChorus(["--config", file]);
    try {
      assert.equal(server.port, port);
      const open = await handshake(port);
      assert.equal(open.pingInterval, 1111);
    } finally {
      await server.stop();
    }
  });

  it("is found through CHORUS_CONFIG too", async () => {
    const file = scratchFile("env.toml", "ping-timeout = 2222\n");
    const server = await startChorus([...base, "--port", "0"], { CHORUS_CONFIG: file });
    try {
      assert.equal((await handshake(server.port)).pingTimeout, 2222);
    } finally {
      await server.stop();
    }
  });

  it("ranks a flag over the environment over the file over the default", async () => {
    const file = scratchFile("rank.toml", "ping-interval = 1111\nping-timeout = 1212\nmax-payload = 50000\n");
    const server = await startChorus([...base, "--port", "0", "--config", file, "--ping-interval", "3333"], {
      CHORUS_PING_INTERVAL: "4444", // loses to the flag
      CHORUS_PING_TIMEOUT: "5555", // wins over the file
    });
    try {
      const open = await handshake(server.port);
      assert.equal(open.pingInterval, 3333);
      assert.equal(open.pingTimeout, 5555);
      assert.equal(open.maxPayload, 50000); // the file over the default
    } finally {
      await server.stop();
    }
  });

  const bad = [
    { what: "a flag out of range", args: ["--ping-interval", "0"], names: "--ping-interval" },
    { what: "a flag that is not a number", args: ["--port", "http"], names: "--port" },
    { what: "a port over 65535", args: ["--port", "70000"], names: "--port" },
    { what: "an environment variable out of range", env: { CHORUS_MAX_PAYLOAD: "12" }, names: "--max-payload" },
    { what: "a bad log level", args: ["--log-level", "loud"], names: "--log-level" },
    { what: "a bad log level in the environment", env: { CHORUS_LOG_LEVEL: "verbose" }, names: "--log-level" },
    { what: "a bad log format", args: ["--log-format", "xml"], names: "--log-format" },
    { what: "an --io-uring that is not a boolean", args: ["--io-uring", "sometimes"], names: "--io-uring" },
    { what: "a bad CHORUS_IO_URING", env: { CHORUS_IO_URING: "maybe" }, names: "--io-uring" },
    { what: "a --redis-url that is not one", args: ["--redis-url", "http://127.0.0.1:6379"], names: "--redis-url" },
    { what: "a bad CHORUS_REDIS_URL", env: { CHORUS_REDIS_URL: "redis://127.0.0.1:99999" }, names: "--redis-url" },
    { what: "a bad --redis-mode", args: ["--redis-mode", "cluster"], names: "--redis-mode" },
    { what: "a bad CHORUS_REDIS_MODE", env: { CHORUS_REDIS_MODE: "Sharded" }, names: "--redis-mode" },
    { what: "a negative --recovery-window", args: ["--recovery-window", "-1"], names: "--recovery-window" },
    { what: "a --recovery-window that is not a number", args: ["--recovery-window", "2m"], names: "--recovery-window" },
    { what: "a CHORUS_RECOVERY_MAX_BYTES out of range", env: { CHORUS_RECOVERY_MAX_BYTES: "12" }, names: "--recovery-max-bytes" },
    { what: "a --recovery-max-sessions of 0", args: ["--recovery-max-sessions", "0"], names: "--recovery-max-sessions" },
    { what: "a file entry out of range", file: "ping-timeout = 0\n", names: "--ping-timeout" },
    { what: "a file entry that is not a number", file: "threads = many\n", names: "--threads" },
    { what: "an unknown key in the file", file: "port = 0\nbogus-option = 1\n", names: "bogus-option" },
    { what: "a malformed line in the file", file: "port 3000\n", names: "line 1" },
    { what: "a section in the file", file: "[server]\nport = 0\n", names: "line 1" },
    { what: "a file that cannot be read", args: ["--config", "/nonexistent/chorus.toml"], names: "/nonexistent/chorus.toml" },
    { what: "CHORUS_CONFIG naming no file", env: { CHORUS_CONFIG: "/nonexistent/env.toml" }, names: "/nonexistent/env.toml" },
    // a regular file where a directory should be (spdlog creates missing directories)
    { what: "an access log that cannot be opened", args: ["--access-log", path.join(scratchFile("not-a-dir", ""), "access.log")], names: "--access-log" },
  ];
  for (const { what, args = [], env = {}, file, names } of bad) {
    it(`exits 2 with one message naming the option for ${what}`, async () => {
      const extra = file ? ["--config", scratchFile(`bad-${++unique}.toml`, file)] : [];
      const run = await runChorus([...base, "--port", "0", ...extra, ...args], env);
      assert.equal(run.code, 2, `exit code; stderr:\n${run.stderr}`);
      assert.equal(run.port, undefined, "it must not listen");
      assert.ok(run.stderr.includes(names), `stderr names ${names}:\n${run.stderr}`);
      assert.ok(run.stderr.trim().split("\n").length <= 2, `one message:\n${run.stderr}`);
    });
  }

  it("--help documents every option, the file and the precedence", async () => {
    const run = await runChorus(["--help"]);
    assert.equal(run.code, 0);
    for (const option of ["--config", "--shutdown-timeout", "--log-level", "--log-format", "--access-log", "--port", "--db"])
      assert.ok(run.stdout.includes(option), option);
    assert.match(run.stdout, /flag > environment variable > file > default/);
  });

  it("the example configuration file is valid", async () => {
    const example = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..", "docs", "chorus.example.toml");
    const server = await startChorus(["--config", example, "--port", "0", "--db", ":memory:"]);
    await handshake(server.port);
    await server.stop();
  });
});

describe("start-up", () => {
  const repo = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..");
  const runSh = path.join(repo, "scripts", "run.sh");

  it("scripts/run.sh --port N serves on N (the user's flag wins)", async () => {
    const port = await freePort();
    const run = await runChorus([runSh, ...base, "--port", `${port}`], { CHORUS_RUN_BINARY: path.resolve(binary) }, "bash");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.port, port);
  });

  it("CHORUS_PORT=N scripts/run.sh serves on N", async () => {
    const port = await freePort();
    const run = await runChorus([runSh, ...base], { CHORUS_RUN_BINARY: path.resolve(binary), CHORUS_PORT: `${port}` }, "bash");
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.port, port);
  });

  it("--host that is not an IP address exits 2 naming --host", async () => {
    for (const [args, env] of [[["--host", "not-an-ip"], {}], [[], { CHORUS_HOST: "example" }]]) {
      const run = await runChorus(["--db", ":memory:", "--port", "0", ...args], env);
      assert.equal(run.code, 2, `exit code; stderr:\n${run.stderr}`);
      assert.equal(run.port, undefined, "it must not listen");
      assert.ok(run.stderr.includes("--host"), `stderr names --host:\n${run.stderr}`);
      assert.ok(run.stderr.trim().split("\n").length <= 2, `one message:\n${run.stderr}`);
    }
  });

  it("--parser msgpack with recovery or Redis exits 2 naming --parser; an unknown parser too", async () => {
    for (const [args, env] of [
      [["--parser", "msgpack", "--recovery-window", "1000"], {}],
      [["--parser", "msgpack", "--redis-url", "redis://127.0.0.1:1"], {}],
      [["--recovery-window", "5000"], { CHORUS_PARSER: "msgpack" }],
      [["--parser", "protobuf"], {}],
    ]) {
      const run = await runChorus(["--db", ":memory:", "--port", "0", ...args], env);
      assert.equal(run.code, 2, `exit code for ${args.join(" ")}; stderr:\n${run.stderr}`);
      assert.equal(run.port, undefined, "it must not listen");
      assert.ok(run.stderr.includes("--parser"), `stderr names --parser:\n${run.stderr}`);
      assert.ok(run.stderr.trim().split("\n").length <= 2, `one message:\n${run.stderr}`);
    }
  });

  it("--parser msgpack alone starts (recovery off unless asked for)", async () => {
    const server = await startChorus([...base, "--port", "0", "--parser", "msgpack"]);
    await handshake(server.port);
    await server.stop();
  });

  it("a port another chorus listens on: exit 1 naming the port, and the first keeps serving", async () => {
    const port = await freePort();
    const first = await startChorus([...base, "--port", `${port}`, "--threads", "2"]);
    try {
      for (const threads of ["1", "2"]) {
        const second = await runChorus([...base, "--port", `${port}`, "--threads", threads]);
        assert.equal(second.port, undefined, `the second must not listen:\n${second.stdout}`);
        assert.equal(second.code, 1, second.stderr);
        assert.ok(second.stderr.includes(`cannot listen on 127.0.0.1:${port}: address already in use`), second.stderr);
        assert.doesNotMatch(second.stderr, /system:|\/usr\/include/, "no Boost error codes or source locations");
      }
      for (let i = 0; i < 4; ++i) {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        assert.equal(res.status, 200);
        await res.text();
      }
    } finally {
      await first.stop();
    }
  });

  it("a port another program listens on: exit 1 with the address in the user's words", async () => {
    const other = net.createServer();
    await new Promise((r) => other.listen(0, "127.0.0.1", r));
    try {
      const { port } = other.address();
      const run = await runChorus([...base, "--port", `${port}`]);
      assert.equal(run.code, 1, run.stderr);
      assert.ok(run.stderr.includes(`cannot listen on 127.0.0.1:${port}: address already in use`), run.stderr);
      assert.doesNotMatch(run.stderr, /system:|\/usr\/include/, "no Boost error codes or source locations");
    } finally {
      await new Promise((r) => other.close(r));
    }
  });

  it("a database that is not one, or is corrupt: exit 1 and the message names the file", async () => {
    const notOne = scratchFile("not-one.db", "this is not an SQLite database\n".repeat(200));
    // A real history whose messages table (page 2, after the schema) is overwritten: the header
    // and schema read fine, the first query finds the damage.
    const corrupt = path.join(scratch, "corrupt.db");
    const made = await runChorus(["--host", "127.0.0.1", "--port", "0", "--db", corrupt]);
    assert.equal(made.code, 0, made.stderr);
    const bytes = fs.readFileSync(corrupt);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xff, pageSize, 2 * pageSize);
    fs.writeFileSync(corrupt, bytes);
    for (const db of [notOne, corrupt]) {
      const run = await runChorus(["--host", "127.0.0.1", "--port", "0", "--db", db]);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.port, undefined);
      assert.ok(run.stderr.includes(`${db}: `), `stderr names ${db}:\n${run.stderr}`);
      assert.ok(run.stderr.trim().split("\n").length <= 2, `one message:\n${run.stderr}`);
    }
  });
});

describe("logging", () => {
  it("the access log gets a line per request: handshake, a request with its sid, a 404", async () => {
    const log = path.join(scratch, "access.log");
    // a short ping interval: the GET with the sid is answered with a ping soon
    const server = await startChorus([...base, "--port", "0", "--access-log", log, "--ping-interval", "100"]);
    let sid;
    try {
      ({ sid } = await handshake(server.port, "&token=very-secret"));
      const res = await fetch(`http://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=polling&sid=${sid}&auth=hidden`);
      assert.equal(res.status, 200);
      await res.text();
      const missing = await fetch(`http://127.0.0.1:${server.port}/no-such-page`);
      assert.equal(missing.status, 404);
      await missing.text();
    } finally {
      await server.stop(); // the log is complete once the process has ended
    }
    const lines = fs.readFileSync(log, "utf8").trim().split("\n");
    const line = (pred, what) => {
      const found = lines.find(pred);
      assert.ok(found, `${what} in:\n${lines.join("\n")}`);
      return found.split(" ");
    };
    // <ts> <remote> <method> "<target>" <status> <bytes> <µs>us <transport>
    const hs = line((l) => l.includes('"/socket.io/?EIO=4&transport=polling"'), "the handshake");
    assert.match(hs[0], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.match(hs[1], /^127\.0\.0\.1:\d+$/);
    assert.equal(hs[2], "GET");
    assert.equal(hs[4], "200");
    assert.ok(Number(hs[5]) > 0);
    assert.match(hs[6], /^\d+us$/);
    assert.equal(hs[7], "polling");
    const poll = line((l) => l.includes(`sid=${sid}`), "the GET with the sid");
    assert.equal(poll[3], `"/socket.io/?EIO=4&transport=polling&sid=${sid}"`);
    const notFound = line((l) => l.includes('"/no-such-page"'), "the 404");
    assert.equal(notFound[4], "404");
    assert.equal(notFound[7], "-");
    const all = lines.join("\n");
    assert.ok(!all.includes("very-secret") && !all.includes("hidden"), "query values other than EIO, transport, sid stay out");
  });

  it("logs the WebSocket upgrade request, and JSON lines parse when --log-format json", async () => {
    const log = path.join(scratch, "access.json.log");
    const server = await startChorus([...base, "--port", "0", "--access-log", log, "--log-format", "json"]);
    try {
      const socket = io(`http://127.0.0.1:${server.port}`, { transports: ["websocket"], reconnection: false, forceNew: true });
      await within(WAIT_MS, new Promise((r, j) => (socket.once("connect", r), socket.once("connect_error", j))), "connect");
      socket.disconnect();
      const missing = await fetch(`http://127.0.0.1:${server.port}/"quoted"\\path`);
      await missing.text();
    } finally {
      await server.stop();
    }
    const entries = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const upgrade = entries.find((e) => e.transport === "websocket");
    assert.ok(upgrade, JSON.stringify(entries));
    assert.equal(upgrade.status, 101);
    assert.equal(upgrade.method, "GET");
    assert.equal(upgrade.level, "info");
    assert.match(upgrade.target, /^\/socket\.io\/\?EIO=4&transport=websocket$/);
    for (const key of ["ts", "msg", "remote", "bytes", "duration_us"]) assert.ok(key in upgrade, key);
    assert.ok(entries.some((e) => e.status === 404), "the 404");
    // the server's own log lines (stderr) are JSON objects too
    const logLines = server.output().split("\n").filter((l) => l.startsWith("{"));
    assert.ok(logLines.length >= 2, server.output());
    for (const l of logLines) {
      const entry = JSON.parse(l);
      assert.equal(typeof entry.msg, "string");
      assert.equal(typeof entry.ts, "string");
      assert.ok(["trace", "debug", "info", "warning", "error", "critical"].includes(entry.level), entry.level);
    }
  });

  it("--log-level warn leaves info lines out", async () => {
    const server = await startChorus([...base, "--port", "0", "--log-level", "warn"]);
    await server.stop();
    assert.ok(!server.output().includes("chorus listening on"), server.output());
  });
});

describe("graceful shutdown", () => {
  /**
   * A chat client that keeps sending room messages with acks, one at a time, moving to a new
   * room every `perRoom` messages (so each room's history, 50 deep, holds all of them), until it
   * is disconnected.
   */
  function chatter(url, transports, label) {
    // Polling on kept-alive connections, as a browser does: once the acceptors are closed a
    // request on a new connection would be refused ("transport error" instead of the close).
    const agent = new http.Agent({ keepAlive: true });
    const socket = io(url, { transports, reconnection: false, forceNew: true, timeout: 5_000, agent });
    const state = { label, socket, acked: [], sent: [], rooms: [], disconnect: undefined };
    const perRoom = 20;
    state.disconnected = new Promise((resolve) =>
      socket.on("disconnect", (reason, details) => {
        state.details = details?.description?.message ?? details?.description ?? details;
        resolve((state.disconnect = reason));
      }),
    );
    state.connected = within(WAIT_MS, new Promise((r, j) => (socket.once("connect", r), socket.once("connect_error", j))), `${label} connecting`);
    const ackOf = (event, payload) =>
      new Promise((resolve) => {
        socket.emit(event, payload, resolve);
        state.disconnected.then(() => resolve(undefined));
      });
    const statusOf = (msg) =>
      new Promise((resolve) => {
        const on = (d) => d?.msg === msg && (socket.off("status", on), resolve(true));
        socket.on("status", on);
        state.disconnected.then(() => resolve(false));
      });
    state.running = (async () => {
      await state.connected;
      for (let r = 0; state.disconnect === undefined; ++r) {
        const room = uniq(`${label}-room${r}`);
        const joined = statusOf(`${label} joined room ${room}`);
        socket.emit("join_room", { room, username: label });
        if (!(await joined)) return;
        state.rooms.push(room);
        for (let i = 0; i < perRoom && state.disconnect === undefined; ++i) {
          const message = `${label} ${r}.${i}`;
          state.sent.push({ room, message });
          const ack = await ackOf("room_message", { room, message });
          if (ack) state.acked.push({ room, message, id: ack.id });
        }
      }
    })();
    return state;
  }

  /** join_room on a fresh server and the room's history (messages), bounded. */
  async function historyOf(socket, room) {
    const got = new Promise((resolve) => {
      const on = (h) => h?.room === room && (socket.off("history", on), resolve(h.messages));
      socket.on("history", on);
    });
    socket.emit("join_room", { room, username: "checker" });
    return within(WAIT_MS, got, `history of ${room}`);
  }

  for (const threads of [1, 4]) {
    it(`on ${threads} shard(s): every client is told, the process exits 0, no acked message is lost or doubled`, async () => {
      const db = path.join(scratch, `shutdown-${threads}.db`);
      const args = ["--host", "127.0.0.1", "--rate-limit", "0", "--db", db, "--threads", String(threads)];
      const fx = await startFixture(args, { binaryEnv: "CHORUS_BINARY" });
      let failure;
      const clients = [
        chatter(fx.url, ["websocket"], "ws1"),
        chatter(fx.url, ["websocket"], "ws2"),
        chatter(fx.url, ["websocket"], "ws3"),
        chatter(fx.url, ["polling"], "poll1"),
        chatter(fx.url, ["polling"], "poll2"),
      ];
      try {
        // mid-stream: every client has had some messages acked and keeps sending
        const deadline = Date.now() + WAIT_MS;
        while (clients.some((c) => c.acked.length < 5)) {
          assert.ok(Date.now() < deadline, `acks so far: ${clients.map((c) => c.acked.length)}`);
          await sleep(10);
        }
        process.kill(fx.pid, "SIGTERM");
        const reasons = await within(WAIT_MS, Promise.all(clients.map((c) => c.disconnected)), "every client's disconnect");
        // as the Node.js reference's io.close(): a WebSocket close frame, a polling close packet
        assert.deepEqual(reasons, clients.map(() => "transport close"), clients.map((c) => `${c.label}: ${c.details}`).join("; "));
        await within(WAIT_MS, Promise.all(clients.map((c) => c.running)), "the senders ending");
        const exitDeadline = Date.now() + WAIT_MS;
        while (fx.alive()) {
          assert.ok(Date.now() < exitDeadline, "the server exits by itself");
          await sleep(20);
        }
      } catch (e) {
        failure = e;
      } finally {
        for (const c of clients) c.socket.disconnect();
        await fx.stop(); // exit code 0 and no sanitizer report
      }
      if (failure) throw failure;
      assert.match(fx.output(), /shutting down/);

      const again = await startFixture(["--host", "127.0.0.1", "--rate-limit", "0", "--db", db], { binaryEnv: "CHORUS_BINARY" });
      const checker = io(again.url, { transports: ["websocket"], reconnection: false, forceNew: true });
      try {
        await within(WAIT_MS, new Promise((r, j) => (checker.once("connect", r), checker.once("connect_error", j))), "checker connecting");
        for (const c of clients) {
          const sentTexts = new Set(c.sent.map((s) => s.message));
          for (const room of c.rooms) {
            const kept = await historyOf(checker, room);
            const texts = kept.map((m) => m.message);
            assert.equal(new Set(texts).size, texts.length, `${room}: no message twice: ${texts}`);
            for (const t of texts) assert.ok(sentTexts.has(t), `${room}: ${t} was sent`);
            for (const a of c.acked.filter((x) => x.room === room))
              assert.ok(kept.some((m) => m.message === a.message && m.id === a.id), `${room}: acked ${a.message} (id ${a.id}) kept`);
          }
        }
      } finally {
        checker.disconnect();
        await again.stop();
      }
    });
  }

  /** A polling session that never polls: on shutdown it waits for a GET that does not come. */
  async function lingeringSession(port) {
    await handshake(port);
  }

  // The lingering polling session keeps the drain going (for 2 s) while the checks run.
  it("new connections are refused while draining; a second signal then exits at once", async () => {
    const fx = await startFixture([...base, "--shutdown-timeout", "60000"], { binaryEnv: "CHORUS_BINARY" });
    try {
      await lingeringSession(fx.port);
      process.kill(fx.pid, "SIGTERM");
      const deadline = Date.now() + WAIT_MS;
      while (!fx.output().includes("shutting down")) {
        assert.ok(Date.now() < deadline, fx.output());
        await sleep(10);
      }
      // the acceptors close at once: a new connection is refused (retried until it is)
      for (;;) {
        const refused = await new Promise((resolve) => {
          const s = net.connect(fx.port, "127.0.0.1");
          s.once("connect", () => (s.destroy(), resolve(false)));
          s.once("error", (e) => resolve(e.code === "ECONNREFUSED"));
        });
        if (refused) break;
        assert.ok(Date.now() < deadline, "new connections are refused");
        await sleep(10);
      }
      assert.ok(fx.alive(), "still draining (the polling session waits for its GET)");
      const code = new Promise((resolve) => {
        const wait = () => (fx.alive() ? setTimeout(wait, 10) : resolve());
        wait();
      });
      process.kill(fx.pid, "SIGINT");
      await within(WAIT_MS, code, "exit after the second signal");
    } finally {
      await assert.rejects(fx.stop(), /exited with code 130/); // 128 + SIGINT
    }
  });

  it("--shutdown-timeout bounds the drain: past it the rest is closed and the exit is still 0", async () => {
    const fx = await startFixture([...base, "--shutdown-timeout", "200"], { binaryEnv: "CHORUS_BINARY" });
    await lingeringSession(fx.port);
    process.kill(fx.pid, "SIGTERM");
    const deadline = Date.now() + WAIT_MS;
    while (fx.alive()) {
      assert.ok(Date.now() < deadline, "exits");
      await sleep(10);
    }
    await fx.stop(); // code 0
    assert.match(fx.output(), /still draining after 200 ms/);
  });
});
