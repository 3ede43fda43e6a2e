// Worker thread for the connection-flood test: opens `count` raw Engine.IO WebSocket sessions in
// paced batches (each answers pings but never sends a Socket.IO CONNECT), then waits for the
// server to close every one of them. Running it off the main thread keeps the witness client's
// heartbeats on time while the flood is handled.
import { parentPort, workerData } from "node:worker_threads";
import { openEngineWs, sleep, within } from "./util.mjs";

const { fx, count, batch, pauseMs, closeWithinMs } = workerData;
const sockets = [];
const result = { opened: 0, closed: 0, unexpected: [], error: null };
try {
  for (let i = 0; i < count; i += batch) {
    const n = Math.min(batch, count - i);
    const opened = await within(
      20_000,
      Promise.all(Array.from({ length: n }, () => openEngineWs(fx, { autoPong: true }))),
      `a batch of ${n} WebSocket sessions`,
    );
    sockets.push(...opened.map((o) => o.raw));
    result.opened = sockets.length;
    await sleep(pauseMs);
  }
  await within(closeWithinMs, Promise.all(sockets.map((s) => s.closed)), `all ${count} sessions to be closed`);
} catch (err) {
  result.error = err.message;
} finally {
  result.closed = sockets.filter((s) => s.closeInfo).length;
  for (const s of sockets) {
    if (s.messages.length) result.unexpected.push(s.messages.map((m) => (m.binary ? "<binary>" : m.data)));
    s.terminate();
  }
  parentPort.postMessage(result);
}
