// A private redis-server for a test file: a child process on a free loopback port, no
// persistence; never the system service. Every wait is bounded.
//
//   const redis = await startRedis();            // or startRedis({ password: "s3cret" })
//   redis.url   → "redis://127.0.0.1:<port>"
//   await redis.restart();                        // same port
//   await redis.stop();
//
// The binary is $CHORUS_REDIS_SERVER, else redis-server on the PATH.
import { spawn } from "node:child_process";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { once } from "node:events";

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;
const ATTEMPTS = 10;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port the kernel just handed out on 127.0.0.1 (someone may take it before redis does). */
async function freePort() {
  const server = net.createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address();
  server.close();
  await once(server, "close");
  return port;
}

/**
 * AUTH (if any) and INFO server; resolves true when the answer names `pid` (another process on
 * the port answers with another pid), false on any failure. Bounded to 1 s.
 */
function answersAs(port, pid, password) {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    const wanted = `process_id:${pid}\r\n`;
    let answer = "";
    const done = (value) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => done(false), 1_000);
    socket.on("error", () => done(false));
    socket.on("close", () => done(answer.includes(wanted)));
    socket.on("connect", () => {
      socket.write(`${password ? `AUTH ${password}\r\n` : ""}INFO server\r\n`);
    });
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (answer.includes(wanted)) done(true);
      else if (answer.length > 64 * 1024) done(false);
    });
  });
}

async function spawnAndWait(port, { password, args }) {
  const logfile = path.join(os.tmpdir(), `chorus-redis-${process.pid}-${port}.log`);
  const argv = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
    "--daemonize", "no", "--dir", os.tmpdir(), "--logfile", logfile];
  if (password) argv.push("--requirepass", password);
  argv.push(...args);
  const child = spawn(process.env.CHORUS_REDIS_SERVER ?? "redis-server", argv, { stdio: "ignore" });
  let exited = false;
  let spawnError = null;
  child.on("exit", () => {
    exited = true;
  });
  child.on("error", (error) => {
    spawnError = error;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(20);
    if (spawnError) {
      throw new Error(`redis-server could not be started: ${spawnError.message} (install redis-server, or set CHORUS_REDIS_SERVER)`);
    }
    if (exited) return null; // port taken, bad argument…
    if (await answersAs(port, child.pid, password)) return { child, logfile };
  }
  await kill(child);
  return null;
}

/** SIGTERM, then SIGKILL if it has not exited within STOP_TIMEOUT_MS. */
async function kill(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts redis-server and resolves once it answers.
 * @param {{password?: string, args?: string[]}} options password: --requirepass (and in url)
 * @returns {Promise<{port: number, url: string, logfile: string, stop: () => Promise<void>,
 *   restart: () => Promise<void>}>}
 */
export async function startRedis({ password = "", args = [] } = {}) {
  let port;
  let running = null;
  for (let attempt = 0; attempt < ATTEMPTS && !running; ++attempt) {
    port = await freePort();
    running = await spawnAndWait(port, { password, args });
  }
  if (!running) throw new Error(`could not start redis-server on a free port after ${ATTEMPTS} attempts`);
  const auth = password ? `:${encodeURIComponent(password)}@` : "";
  const redis = {
    port,
    url: `redis://${auth}127.0.0.1:${port}`,
    logfile: running.logfile,
    async stop() {
      if (running) await kill(running.child);
      running = null;
    },
    async restart() {
      await redis.stop();
      for (let attempt = 0; attempt < 20 && !running; ++attempt) {
        running = await spawnAndWait(port, { password, args });
        if (!running) await sleep(100); // the port may linger a moment
      }
      if (!running) throw new Error(`could not restart redis-server on port ${port}`);
    },
  };
  // A test that forgets stop() must not leave the server behind.
  process.once("exit", () => running?.child.kill("SIGKILL"));
  return redis;
}
