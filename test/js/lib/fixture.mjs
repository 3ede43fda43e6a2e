// Starts the fixture under test for one test file.
//
//   CHORUS_FIXTURE=node          -> node reference/conformance-server.mjs (the npm reference)
//   CHORUS_CONFORMANCE=<binary>  -> the chorus-conformance binary (required otherwise)
//   CHORUS_FIXTURE_ARGS="..."    -> extra arguments for a chorus binary, e.g. "--threads 4"
//                                   (whitespace-separated; not passed to the Node.js reference)
//
// startFixture(args, { binaryEnv: "CHORUS_API_FIXTURE" }) starts the chorus binary named by that
// variable instead (e.g. chorus-api-fixture), whatever CHORUS_FIXTURE says.
// startFixture(args, { command: [cmd, [...firstArgs]] }) starts that command (e.g. a Node.js
// reference script: node, [script]), also whatever CHORUS_FIXTURE says.
//
// All are started as `<command> --port 0 [extra args]` and must print
// "listening on port <N>" on stdout once ready.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import path from "node:path";

const here = path.dirname(fileURLToPath(import.meta.url));
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

export const isReference = process.env.CHORUS_FIXTURE === "node";

/** The extra arguments CHORUS_FIXTURE_ARGS asks for (e.g. ["--threads", "4"]). */
export const envFixtureArgs = (process.env.CHORUS_FIXTURE_ARGS ?? "").split(/\s+/).filter(Boolean);

/** Shards the chorus fixtures run with: CHORUS_FIXTURE_ARGS --threads N, or 0 (one per core). */
export const fixtureThreads = (() => {
  const i = envFixtureArgs.indexOf("--threads");
  return i >= 0 ? Number(envFixtureArgs[i + 1]) || 0 : 0;
})();

function command(extraArgs, { binaryEnv, command: given } = {}) {
  if (given) return [given[0], [...given[1], "--port", "0", ...extraArgs]];
  if (binaryEnv) {
    const binary = process.env[binaryEnv];
    if (!binary) throw new Error(`${binaryEnv} is not set: point it at the fixture binary (e.g. build/debug/bin/...)`);
    return [binary, ["--port", "0", ...extraArgs, ...envFixtureArgs]];
  }
  if (isReference) {
    const script = path.join(here, "..", "reference", "conformance-server.mjs");
    return [process.execPath, [script, "--port", "0", ...extraArgs]];
  }
  const binary = process.env.CHORUS_CONFORMANCE;
  if (!binary) {
    throw new Error(
      "CHORUS_CONFORMANCE is not set: point it at the chorus-conformance binary " +
        "(e.g. build/debug/bin/chorus-conformance), or set CHORUS_FIXTURE=node to test the Node.js reference",
    );
  }
  return [binary, ["--port", "0", ...extraArgs, ...envFixtureArgs]];
}

/**
 * Starts the fixture and resolves once it listens.
 * @param {string[]} extraArgs e.g. ["--engineio-echo"]
 * @param {{binaryEnv?: string}} options binaryEnv: the variable naming the binary to start
 * @returns {Promise<{url: string, wsUrl: string, port: number, path: string, stop: () => Promise<void>,
 *   output: () => string, lines: () => string[],
 *   waitForLine: (predicate: (line: string) => boolean, ms?: number, what?: string, from?: number) => Promise<string>}>}
 */
export async function startFixture(extraArgs = [], options = {}) {
  const [cmd, args] = command(extraArgs, options);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  let exited = false;
  // Never leave the fixture behind, even if the test process dies early.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exitPromise = new Promise((resolve) => {
    child.on("exit", (code, signal) => {
      exited = true;
      process.off("exit", killOnExit);
      resolve({ code, signal });
    });
  });

  // Every complete stdout line, in order, and the waiters for a line to come.
  const lines = [];
  let lineWaiters = [];
  let partial = "";
  const onStdoutLines = (chunk) => {
    partial += chunk;
    const parts = partial.split("\n");
    partial = parts.pop();
    if (parts.length === 0) return;
    lines.push(...parts);
    const waiters = lineWaiters;
    lineWaiters = [];
    for (const wake of waiters) wake();
  };
  child.stdout.on("data", onStdoutLines);
  child.on("exit", () => {
    const waiters = lineWaiters;
    lineWaiters = [];
    for (const wake of waiters) wake();
  });

  const port = await new Promise((resolve, reject) => {
    let stdoutBuf = "";
    const onExit = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`fixture exited before listening (code ${code}, signal ${signal}): ${cmd} ${args.join(" ")}\n${output}`));
    };
    const timer = setTimeout(() => {
      child.off("exit", onExit);
      child.kill("SIGKILL");
      reject(new Error(`fixture did not print "listening on port N" within ${READY_TIMEOUT_MS} ms: ${cmd} ${args.join(" ")}\n${output}`));
    }, READY_TIMEOUT_MS);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start fixture ${cmd}: ${err.message}`));
    });
    child.once("exit", onExit);
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      stdoutBuf += chunk;
      const m = /listening on port (\d+)/.exec(stdoutBuf);
      if (m) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve(Number(m[1]));
      }
    });
    // Keep draining both pipes for the whole run (a full pipe would block the fixture);
    // keep a bounded tail for diagnostics.
    const keep = (chunk) => {
      output = (output + chunk).slice(-64 * 1024);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
  });

  const engineioEcho = extraArgs.includes("--engineio-echo");
  const url = `http://127.0.0.1:${port}`;
  return {
    port,
    /** the fixture's process id (e.g. to read /proc/<pid>/status) */
    pid: child.pid,
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    // Engine.IO endpoint path: /engine.io/ for the bare Engine.IO echo server (as npm engine.io
    // and the public engine.io-protocol test-suite have it), /socket.io/ otherwise.
    // CHORUS_ENGINEIO_PATH overrides the echo server's path.
    path: engineioEcho ? (process.env.CHORUS_ENGINEIO_PATH ?? "/engine.io/") : "/socket.io/",
    /** true while the process is still running */
    alive: () => !exited,
    output: () => output,
    /** every complete stdout line so far */
    lines: () => lines.slice(),
    /**
     * Resolves with the first stdout line (from index `from` on; from the start by default) that
     * satisfies `predicate`, waiting at most `ms` for it to be printed. Rejects on timeout or if
     * the fixture exits, with the last lines in the message.
     */
    async waitForLine(predicate, ms = 5_000, what = "a fixture line", from = 0) {
      const deadline = Date.now() + ms;
      let next = from;
      for (;;) {
        for (; next < lines.length; ++next) if (predicate(lines[next])) return lines[next];
        const left = deadline - Date.now();
        if (left <= 0 || exited) {
          const tail = lines.slice(-20).join("\n");
          throw new Error(`${exited ? "fixture exited" : `timed out after ${ms} ms`} waiting for ${what}; last lines:\n${tail}`);
        }
        await new Promise((resolve) => {
          const timer = setTimeout(resolve, left);
          lineWaiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    // Stops the server and fails if it did not end cleanly: a sanitizer report (ASan, LSan,
    // UBSan, TSan) or a non-zero exit of chorus fails the test file that started it.
    async stop() {
      if (!exited) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
        await exitPromise;
        clearTimeout(timer);
      }
      const { code, signal } = await exitPromise;
      const report = /(ERROR: (Address|Leak)Sanitizer|runtime error:|WARNING: ThreadSanitizer)/.exec(output);
      if (report) throw new Error(`the server under test reported a sanitizer error:\n${output.slice(report.index, report.index + 8000)}`);
      if (!isReference && code !== 0)
        throw new Error(`the server under test exited with code ${code} (signal ${signal}):\n${output.slice(-4000)}`);
    },
  };
}
