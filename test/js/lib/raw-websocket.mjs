// A WebSocket client on a bare TCP socket: it writes any frame, valid or not (unmasked, reserved
// bits, bad opcodes, broken lengths), and reads the server's frames as they are.
import net from "node:net";
import crypto from "node:crypto";
import { within } from "./util.mjs";

export const OP = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa };

/** Encodes one frame. `length` overrides the declared payload length; `mask: false` sends it unmasked. */
export function encodeFrame({ fin = true, rsv = 0, opcode, payload = Buffer.alloc(0), mask = true, length } = {}) {
  const data = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
  const declared = length ?? data.length;
  const head = [((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0f)) >>> 0];
  let ext = Buffer.alloc(0);
  const maskBit = mask ? 0x80 : 0;
  if (declared < 126) {
    head.push(maskBit | declared);
  } else if (declared < 0x10000) {
    head.push(maskBit | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(declared);
  } else {
    head.push(maskBit | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(declared));
  }
  if (!mask) return Buffer.concat([Buffer.from(head), ext, data]);
  const key = crypto.randomBytes(4);
  const masked = Buffer.from(data);
  for (let i = 0; i < masked.length; i++) masked[i] ^= key[i & 3];
  return Buffer.concat([Buffer.from(head), ext, key, masked]);
}

export const closePayload = (code, reason = "") => {
  const r = Buffer.isBuffer(reason) ? reason : Buffer.from(reason);
  const b = Buffer.alloc(2 + r.length);
  b.writeUInt16BE(code);
  r.copy(b, 2);
  return b;
};

export class RawFrames {
  constructor(socket, { autoPong = true } = {}) {
    this.socket = socket;
    this.autoPong = autoPong;
    this.buffer = Buffer.alloc(0);
    this.frames = [];
    this.waiters = [];
    this.closeFrame = null; // {code, reason} of the server's Close frame, once received
    this.tcpClosed = false;
    this.tcpClosedPromise = new Promise((resolve) => socket.once("close", resolve)).then(() => {
      this.tcpClosed = true;
      this.#wake();
    });
    socket.on("error", () => {});
    socket.on("data", (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.#parse();
    });
  }

  /** Opens a WebSocket on `path` (with query) by hand; resolves once the 101 arrives. */
  static async connect(fx, pathAndQuery, opts = {}) {
    const socket = net.connect(fx.port, "127.0.0.1");
    socket.on("error", () => {});
    await within(5_000, new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    }), "TCP connect");
    return RawFrames.upgrade(socket, fx.port, pathAndQuery, opts);
  }

  /**
   * The WebSocket upgrade by hand on a connected stream (TCP, or TLS after its handshake): the
   * request, then the 101 with its Sec-WebSocket-Accept checked; resolves with the frames reader.
   */
  static async upgrade(socket, port, pathAndQuery, opts = {}) {
    const key = crypto.randomBytes(16).toString("base64");
    socket.write(
      `GET ${pathAndQuery} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    let head = Buffer.alloc(0);
    const rest = await within(
      5_000,
      new Promise((resolve, reject) => {
        const onData = (chunk) => {
          head = Buffer.concat([head, chunk]);
          const end = head.indexOf("\r\n\r\n");
          if (end < 0) return;
          socket.off("data", onData);
          const status = head.subarray(0, end).toString("latin1");
          if (!/^HTTP\/1\.1 101/.test(status)) return reject(new Error(`upgrade refused: ${status.split("\r\n")[0]}`));
          const accept = crypto.createHash("sha1").update(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest("base64");
          if (!status.toLowerCase().includes(`sec-websocket-accept: ${accept.toLowerCase()}`)) {
            return reject(new Error(`bad Sec-WebSocket-Accept in ${status}`));
          }
          resolve(head.subarray(end + 4));
        };
        socket.on("data", onData);
        socket.once("close", () => reject(new Error("closed during the upgrade")));
      }),
      "the 101 response",
    );
    const raw = new RawFrames(socket, opts);
    if (rest.length) socket.emit("data", rest);
    return raw;
  }

  #wake() {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  #parse() {
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let len = b[1] & 0x7f;
      let off = 2;
      if (len === 126) {
        if (b.length < 4) return;
        len = b.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (b.length < 10) return;
        len = Number(b.readBigUInt64BE(2));
        off = 10;
      }
      const masked = (b[1] & 0x80) !== 0;
      if (masked) off += 4;
      if (b.length < off + len) return;
      let payload = Buffer.from(b.subarray(off, off + len));
      if (masked) {
        const key = b.subarray(off - 4, off);
        for (let i = 0; i < payload.length; i++) payload[i] ^= key[i & 3];
      }
      const frame = { fin: (b[0] & 0x80) !== 0, rsv: (b[0] >> 4) & 0x7, opcode: b[0] & 0x0f, masked, payload };
      this.buffer = b.subarray(off + len);
      if (frame.opcode === OP.close) {
        this.closeFrame = {
          code: payload.length >= 2 ? payload.readUInt16BE(0) : null,
          reason: payload.subarray(2).toString("utf8"),
        };
      } else if (this.autoPong && frame.opcode === OP.text && payload.toString() === "2") {
        this.send(OP.text, "3");
        continue;
      }
      this.frames.push(frame);
      this.#wake();
    }
  }

  write(buf) {
    if (!this.socket.destroyed) this.socket.write(buf);
  }

  /** Sends one masked frame. */
  send(opcode, payload = Buffer.alloc(0), opts = {}) {
    this.write(encodeFrame({ opcode, payload, ...opts }));
  }

  /** Next data or control frame from the server (Close frames included). */
  async nextFrame(ms = 5_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      if (this.frames.length) return this.frames.shift();
      if (this.tcpClosed) throw new Error("connection closed while waiting for a frame");
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${ms} ms waiting for a frame`);
      await within(left, new Promise((r) => this.waiters.push(r)), "a frame").catch(() => {});
    }
  }

  /** Next text message payload as a string (fails on anything else). */
  async nextText(ms = 5_000) {
    const f = await this.nextFrame(ms);
    if (f.opcode !== OP.text || !f.fin) throw new Error(`expected a whole text frame, got opcode ${f.opcode} fin ${f.fin}`);
    return f.payload.toString("utf8");
  }

  /**
   * Waits until the server has closed: a Close frame arrived (we answer it, like a client
   * completing the closing handshake) or the TCP connection ended. Resolves with
   * {closeFrame, tcpClosed}.
   */
  async waitClose(ms = 5_000) {
    await within(
      ms,
      (async () => {
        while (!this.closeFrame && !this.tcpClosed) await new Promise((r) => this.waiters.push(r));
      })(),
      "the server to close the WebSocket",
    );
    if (this.closeFrame && !this.tcpClosed) {
      this.send(OP.close, this.closeFrame.code ? closePayload(this.closeFrame.code) : Buffer.alloc(0));
    }
    return { closeFrame: this.closeFrame, tcpClosed: this.tcpClosed };
  }

  destroy() {
    this.socket.destroy();
  }
}

/** Opens a raw Socket.IO session: WebSocket upgrade, the open packet, CONNECT to "/", the auth event. */
export async function openRawSocketIo(fx, opts = {}) {
  const raw = await RawFrames.connect(fx, `${fx.path}?EIO=4&transport=websocket`, opts);
  const open = await raw.nextText();
  if (!open.startsWith("0{")) throw new Error(`expected the open packet, got ${open}`);
  raw.send(OP.text, "40");
  const reply = await raw.nextText();
  if (!reply.startsWith("40{")) throw new Error(`expected the CONNECT reply, got ${reply}`);
  const auth = await raw.nextText();
  if (!auth.startsWith('42["auth",')) throw new Error(`expected the auth event, got ${auth}`);
  return raw;
}
