// Worker thread for the big-room test (rooms.test.mjs): opens `count` raw WebSocket connections
// on bare TCP sockets speaking just enough Engine.IO/Socket.IO — the upgrade, the open packet,
// "40", the fixture's "hello", `420["join",room]` and its ack, pongs for pings — then checks that
// every connection receives the `expect` events `42["seq-event",i]`, i = 0..expect-1, in order,
// and nothing else. A few hundred bytes of state per connection, no `ws` objects, so thousands
// fit in one worker.
//
// Messages from the parent: {type: "report"} → posts {type: "report", ...stats()};
// {type: "close"} → destroys every connection, posts {type: "closed"} and exits.
// Posts {type: "joined", ...stats()} once every connection has joined (or failed), and
// {type: "done", ...stats()} once every joined connection has all `expect` events (or failed).
import { parentPort, workerData } from "node:worker_threads";
import net from "node:net";
import crypto from "node:crypto";

const { port, count, room, expect, inFlight, joinMs } = workerData;
const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const conns = [];
let joined = 0;
let failed = 0;
let complete = 0;
let outOfOrder = 0;
const errors = []; // the first few, for the report
const unexpected = []; // the first few packets that were not expected
let doneSent = false;
// Date.now() of the first seq-event any connection got, and of the first and last connection to
// get all of them.
let firstEventAt = 0;
let firstCompleteAt = 0;
let lastCompleteAt = 0;

function note(list, item) {
  if (list.length < 10) list.push(item);
}

function stats() {
  return { count, opened: conns.length, joined, failed, complete, outOfOrder, errors, unexpected, firstEventAt, firstCompleteAt, lastCompleteAt };
}

/** One masked client text frame. */
function textFrame(text, key) {
  const payload = Buffer.from(text);
  if (payload.length > 125) throw new Error("client frames here are short");
  const frame = Buffer.alloc(6 + payload.length);
  frame[0] = 0x81;
  frame[1] = 0x80 | payload.length;
  key.copy(frame, 2);
  for (let i = 0; i < payload.length; i++) frame[6 + i] = payload[i] ^ key[i & 3];
  return frame;
}

function checkDone() {
  if (!doneSent && joined + failed === count && complete + failed === count) {
    doneSent = true;
    parentPort.postMessage({ type: "done", ...stats() });
  }
}

class Conn {
  constructor(onJoinedOrFailed) {
    this.state = "upgrade";
    this.buffer = Buffer.alloc(0);
    this.next = 0; // the next seq-event expected
    this.finished = false; // joined-or-failed reported
    this.failedFlag = false;
    this.onJoinedOrFailed = onJoinedOrFailed;
    this.key = crypto.randomBytes(4);
    this.wsKey = crypto.randomBytes(16).toString("base64");
    this.timer = setTimeout(() => this.fail(`not joined within ${joinMs} ms (state ${this.state})`), joinMs);
    this.socket = net.connect(port, "127.0.0.1", () => {
      this.socket.write(
        `GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${this.wsKey}\r\n` +
          `Sec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    this.socket.setNoDelay(true);
    this.socket.on("data", (chunk) => this.onData(chunk));
    this.socket.on("error", (err) => this.fail(`socket error in state ${this.state}: ${err.message}`));
    this.socket.on("close", () => {
      if (this.state !== "closing") this.fail(`closed by the server in state ${this.state} after ${this.next} events`);
    });
  }

  send(text) {
    if (!this.socket.destroyed) this.socket.write(textFrame(text, this.key));
  }

  fail(why) {
    if (this.failedFlag || this.state === "closing") return;
    this.failedFlag = true;
    note(errors, why);
    clearTimeout(this.timer);
    if (this.state === "member" && this.next < expect) {
      // it had joined: count it as failed instead
      --joined;
    }
    ++failed;
    this.socket.destroy();
    if (!this.finished) {
      this.finished = true;
      this.onJoinedOrFailed();
    }
    checkDone();
  }

  onData(chunk) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    if (this.state === "upgrade") {
      const end = this.buffer.indexOf("\r\n\r\n");
      if (end < 0) return;
      const head = this.buffer.subarray(0, end).toString("latin1");
      const accept = crypto.createHash("sha1").update(this.wsKey + GUID).digest("base64");
      if (!/^HTTP\/1\.1 101/.test(head) || !head.includes(accept)) return this.fail(`upgrade refused: ${head.split("\r\n")[0]}`);
      this.buffer = this.buffer.subarray(end + 4);
      this.state = "open";
    }
    let off = 0;
    const b = this.buffer;
    while (b.length - off >= 2) {
      const opcode = b[off] & 0x0f;
      let len = b[off + 1] & 0x7f;
      let head = 2;
      if (len === 126) {
        if (b.length - off < 4) break;
        len = b.readUInt16BE(off + 2);
        head = 4;
      } else if (len === 127) {
        if (b.length - off < 10) break;
        len = Number(b.readBigUInt64BE(off + 2));
        head = 10;
      }
      if (b.length - off < head + len) break;
      const payload = b.subarray(off + head, off + head + len);
      off += head + len;
      if (opcode === 0x8) return this.fail(`Close frame from the server in state ${this.state}: ${payload.subarray(2).toString()}`);
      if (opcode !== 0x1) return this.fail(`unexpected opcode ${opcode}`);
      this.onText(payload.toString("utf8"));
      if (this.failedFlag) return;
    }
    this.buffer = off === b.length ? Buffer.alloc(0) : b.subarray(off);
  }

  onText(text) {
    if (text === "2") return this.send("3");
    switch (this.state) {
      case "open":
        if (!text.startsWith("0{")) return this.fail(`expected the open packet, got ${text}`);
        this.state = "connect";
        return this.send("40");
      case "connect":
        if (!text.startsWith("40{")) return this.fail(`expected the CONNECT reply, got ${text}`);
        this.state = "hello";
        return;
      case "hello":
        if (!text.startsWith('42["hello",')) return this.fail(`expected hello, got ${text}`);
        this.state = "join";
        return this.send(`420["join",${JSON.stringify(room)}]`);
      case "join":
        if (!text.startsWith("430[")) return this.fail(`expected the join ack, got ${text}`);
        this.state = "member";
        clearTimeout(this.timer);
        ++joined;
        this.finished = true;
        this.onJoinedOrFailed();
        return;
      case "member": {
        const m = /^42\["seq-event",(\d+)\]$/.exec(text);
        if (!m) return note(unexpected, text);
        const i = Number(m[1]);
        if (!firstEventAt) firstEventAt = Date.now();
        if (i !== this.next) {
          ++outOfOrder;
          note(errors, `expected seq-event ${this.next}, got ${i}`);
        }
        this.next = i + 1;
        if (this.next === expect) {
          ++complete;
          lastCompleteAt = Date.now();
          if (!firstCompleteAt) firstCompleteAt = lastCompleteAt;
          checkDone();
        }
        return;
      }
      default:
        note(unexpected, text);
    }
  }

  close() {
    this.state = "closing";
    clearTimeout(this.timer);
    this.socket.destroy();
  }
}

// Opens `count` connections, at most `inFlight` of them between TCP connect and join at once.
let started = 0;
let settled = 0;
const all = new Promise((resolve) => {
  const startOne = () => {
    if (started === count) return;
    ++started;
    conns.push(
      new Conn(() => {
        ++settled;
        if (settled === count) resolve();
        else startOne();
      }),
    );
  };
  if (count === 0) resolve();
  for (let i = 0; i < Math.min(inFlight, count); i++) startOne();
});

parentPort.on("message", (msg) => {
  if (msg.type === "report") parentPort.postMessage({ type: "report", ...stats() });
  if (msg.type === "close") {
    for (const c of conns) c.close();
    parentPort.postMessage({ type: "closed" });
    parentPort.close();
  }
});

await all;
parentPort.postMessage({ type: "joined", ...stats() });
checkDone();
