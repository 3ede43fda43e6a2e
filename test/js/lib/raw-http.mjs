// HTTP/1.1 over a plain TCP socket, byte for byte: for request targets that fetch() and
// http.request() would normalise or refuse ("/../x", backslashes, NUL bytes, absolute-form),
// and for several requests on one connection. Every wait is bounded.
import net from "node:net";

/**
 * Sends `requests` ({method, target, headers?, body?}) on one connection (the last one asks to close)
 * and parses the responses in order; a HEAD request's or a 304's response has no body.
 * Resolves with {responses: [{status, headers, body: Buffer}], closedEarly} where closedEarly
 * says the server closed before answering every request (e.g. it refused a malformed line).
 */
export function rawHttp(port, requests, { ms = 5_000, host = "127.0.0.1", localAddress } = {}) {
  const chunks = requests.map(({ method, target, headers = {}, body }, i) => {
    const last = i === requests.length - 1;
    const lines = [`${method} ${target} HTTP/1.1`, `Host: ${host}:${port}`];
    for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
    if (body !== undefined) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    if (last) lines.push("Connection: close");
    return Buffer.concat([Buffer.from(lines.join("\r\n") + "\r\n\r\n", "latin1"), Buffer.from(body ?? "")]);
  });
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, localAddress });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer within ${ms} ms to ${requests.map((r) => `${r.method} ${r.target}`).join(", ")}`));
    }, ms);
    const finish = () => {
      clearTimeout(timer);
      try {
        const responses = parseResponses(data, requests.map((r) => r.method));
        resolve({ responses, closedEarly: responses.length < requests.length });
      } catch (err) {
        reject(err);
      }
    };
    socket.on("connect", () => socket.end(Buffer.concat(chunks)));
    socket.on("data", (chunk) => (data = Buffer.concat([data, chunk])));
    socket.on("error", () => {}); // a reset after a refusal: answered by what was read
    socket.on("close", finish);
  });
}

/**
 * One request on its own connection; resolves with its response (or null if none came).
 * options: {ms, host, localAddress, body}.
 */
export async function rawRequest(port, method, target, headers = {}, { body, ...options } = {}) {
  const { responses } = await rawHttp(port, [{ method, target, headers, body }], options);
  return responses[0] ?? null;
}

function parseResponses(data, methods) {
  const responses = [];
  let at = 0;
  for (const method of methods) {
    const end = data.indexOf("\r\n\r\n", at, "latin1");
    if (end < 0) break;
    const [statusLine, ...headerLines] = data.subarray(at, end).toString("latin1").split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
    if (!status) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
    const headers = {};
    for (const line of headerLines) {
      const colon = line.indexOf(":");
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const bodyless = method === "HEAD" || status === 304 || status === 204;
    const length = bodyless ? 0 : Number(headers["content-length"] ?? 0);
    const start = end + 4;
    if (data.length < start + length) throw new Error(`truncated body for ${method}: ${statusLine}`);
    responses.push({ status, headers, body: data.subarray(start, start + length) });
    at = start + length;
  }
  if (responses.length === methods.length && at !== data.length)
    throw new Error(`${data.length - at} unexpected bytes after the last response (a body sent for HEAD?)`);
  return responses;
}
