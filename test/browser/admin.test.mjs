// The Socket.IO Admin UI (@socket.io/admin-ui 0.5.1's own built page, served at /admin/) in
// headless Chromium against the server under test, with basic auth (user admin, password
// chorus-admin) in development mode:
//   - /admin redirects to /admin/; the connection form (server URL, username, password; path
//     /socket.io and namespace /admin by default) logs in, and the UI keeps the server URL and
//     the session id it was given in localStorage;
//   - the servers view lists the server (its serverId, this machine's hostname, healthy);
//   - two socket.io-client sockets on the main namespace (one polling-only, one WebSocket) show
//     on the sockets page with their transports, and each its own room on its details page;
//   - the sockets page's disconnect button disconnects one (its client gets `disconnect` with
//     "io server disconnect") and it leaves the list; the other's details page joins it to
//     "lobby", which then shows in its rooms;
//   - a wrong password leaves the page on the login form with "Invalid credentials" (the server
//     answers CONNECT_ERROR "invalid credentials").
//
// ADMIN_SERVER picks the server: "chorus" (default; the binary CHORUS_BINARY with --admin-ui
// --admin-user admin --admin-password-hash <bcrypt> --admin-auth on --admin-mode development) or
// "reference" (admin-reference-server.mjs: npm socket.io + @socket.io/admin-ui's instrument(),
// which proves the test itself). ADMIN_SCREENSHOT=<file> saves the sockets page (docs/admin-ui.png
// was made so, against the reference until chorus's side landed).
//
// Chromium is Debian's /usr/bin/chromium (CHORUS_CHROMIUM overrides), driven by playwright-core.
// The page's only outside requests (Google Fonts, the Material Design Icons stylesheet from a
// CDN) are refused, so nothing leaves the machine: icons then show as blank glyphs, and the test
// finds buttons by their icon's class. Every wait is bounded (WAIT_MS); nothing asserts timing.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { startFixture } from "../js/lib/fixture.mjs";
import { launchChromium } from "./lib/chromium.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const WAIT_MS = 10_000;
const SERVER = process.env.ADMIN_SERVER ?? "chorus";
const USER = "admin";
const PASSWORD = "chorus-admin";
const PASSWORD_HASH = "$2b$08$In3rVySW9AhrhEdxwsJ8ce.ljYtiy9B7JrqA1fPGOnljsDNNLfaqW"; // bcrypt("chorus-admin")

function startServer() {
  const admin = ["--admin-user", USER, "--admin-password-hash", PASSWORD_HASH, "--admin-mode", "development"];
  if (SERVER === "reference") {
    return startFixture(admin, { command: [process.execPath, [path.join(here, "admin-reference-server.mjs")]] });
  }
  assert.equal(SERVER, "chorus", `ADMIN_SERVER must be chorus or reference, not ${SERVER}`);
  assert.ok(process.env.CHORUS_BINARY, "CHORUS_BINARY is not set: point it at build/<preset>/bin/chorus");
  const help = execFileSync(process.env.CHORUS_BINARY, ["--help"], { encoding: "utf8" });
  const db = help.includes("--db") ? ["--db", ":memory:"] : [];
  return startFixture(
    ["--host", "127.0.0.1", "--threads", "2", "--rate-limit", "0", ...db, "--admin-ui", "--admin-auth", "on", ...admin],
    { binaryEnv: "CHORUS_BINARY" },
  );
}

/** Resolves with what `emitter` emits as `event` (its first argument), or rejects after `ms`. */
function once(emitter, event, ms = WAIT_MS, what = event) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, on);
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const on = (value) => {
      clearTimeout(timer);
      resolve(value);
    };
    emitter.once(event, on);
  });
}

/** A socket.io-client socket on the main namespace, connected. */
async function connectClient(url, transports) {
  const socket = io(url, { transports, reconnection: false, forceNew: true });
  const disconnects = [];
  socket.on("disconnect", (reason) => disconnects.push(reason));
  await once(socket, "connect", WAIT_MS, `a ${transports.join("+")} client to connect`);
  return { socket, disconnects };
}

/** A page in a fresh context (empty localStorage) whose outside requests are refused. */
async function openAdminPage(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const origin = new URL(url).origin;
  await context.route(
    (target) => target.origin !== origin,
    (route) => route.abort("blockedbyclient"),
  );
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const errors = [];
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  // Redirected by the server: /admin -> /admin/, where the page's relative assets resolve.
  await page.goto(`${url}/admin`);
  assert.equal(new URL(page.url()).pathname, "/admin/");
  return { page, context, errors };
}

/** Fills the connection form (it opens by itself while nothing is stored) and submits it. */
async function logIn(page, url, password) {
  const dialog = page.locator(".v-dialog--active");
  await dialog.getByLabel("Server URL").waitFor({ state: "visible" });
  await dialog.getByLabel("Server URL").fill(url);
  await dialog.getByLabel("Username").fill(USER);
  await dialog.getByLabel("Password").fill(password);
  // The advanced options keep their defaults (path /socket.io, namespace /admin, polling then
  // WebSocket, the built-in parser): check they are what the server expects.
  await dialog.getByText("Advanced options").click();
  assert.equal(await dialog.getByLabel("Path").inputValue(), "/socket.io");
  assert.equal(await dialog.getByLabel("Admin namespace").inputValue(), "/admin");
  await dialog.getByRole("button", { name: "Connect" }).click();
  return dialog;
}

/** Goes to a view of the UI by its hash route (no reload: the admin connection stays). */
async function show(page, route) {
  await page.evaluate((hash) => {
    window.location.hash = hash;
  }, route);
}

/** The sockets page's rows: [{id, address, transport}] (the page's table has four columns). */
async function socketRows(page) {
  if ((await page.evaluate(() => window.location.hash)) !== "#/sockets/") return [];
  return page.$$eval(".v-data-table tbody tr", (rows) =>
    rows
      .map((tr) => [...tr.querySelectorAll("td")].map((td) => td.textContent.trim()))
      .filter((cells) => cells.length === 4)
      .map(([id, address, transport]) => ({ id, address, transport })),
  );
}

/** Waits until the sockets table satisfies `predicate(rows)`; returns the rows. */
async function waitForSocketRows(page, predicate, what) {
  const deadline = Date.now() + WAIT_MS;
  let rows = [];
  for (;;) {
    rows = await socketRows(page);
    if (predicate(rows)) return rows;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the sockets page shows ${JSON.stringify(rows)}`);
    await page.waitForTimeout(100);
  }
}

/** The rooms listed on a socket's details page. */
function roomsShown(page) {
  const card = page.locator(".v-card", { has: page.locator(".v-card__title", { hasText: /^\s*Rooms\s*$/ }) });
  return card.locator("tbody tr td:first-child").allTextContents();
}

async function waitForRooms(page, predicate, what) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const rooms = (await roomsShown(page)).map((r) => r.trim());
    if (predicate(rooms)) return rooms;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the rooms shown are ${JSON.stringify(rooms)}`);
    await page.waitForTimeout(100);
  }
}

describe(`the Socket.IO Admin UI in Chromium, against ${SERVER}`, { timeout: 120_000 }, () => {
  let browser;
  let fx;
  let polling;
  let websocket;
  let admin;

  before(async () => {
    fx = await startServer();
    browser = await launchChromium(WAIT_MS * 3);
    polling = await connectClient(fx.url, ["polling"]);
    websocket = await connectClient(fx.url, ["websocket"]);
  });

  after(async () => {
    polling?.socket.disconnect();
    websocket?.socket.disconnect();
    await browser?.close();
    await fx?.stop();
  });

  it("gives a client that logs in a session id it can log in with instead", async () => {
    // Sent as `session` before the CONNECT reply; socket.io-client hands such an event to
    // listeners before it says `connect`, so the UI (which listens from `connect` on) never
    // stores it: this checks the wire with a client listening from the start.
    const first = io(`${fx.url}/admin`, { auth: { username: USER, password: PASSWORD }, reconnection: false, forceNew: true });
    let sessionId;
    try {
      const connected = once(first, "connect", WAIT_MS, "the admin connection");
      sessionId = await once(first, "session", WAIT_MS, "the `session` event");
      assert.match(sessionId, /^[0-9a-f]{16}$/);
      await connected;
    } finally {
      first.disconnect();
    }
    const again = io(`${fx.url}/admin`, { auth: { sessionId }, reconnection: false, forceNew: true });
    try {
      await once(again, "connect", WAIT_MS, "an admin connection with the session id");
    } finally {
      again.disconnect();
    }
  });

  it("logs in through the connection form; the UI keeps the server URL", async () => {
    admin = await openAdminPage(browser, fx.url);
    const dialog = await logIn(admin.page, fx.url, PASSWORD);
    await dialog.waitFor({ state: "hidden" });
    assert.equal(await admin.page.evaluate(() => localStorage.getItem("server_url")), fx.url);
    assert.equal(await admin.page.evaluate(() => localStorage.getItem("path")), "/socket.io");
    assert.equal(await admin.page.evaluate(() => localStorage.getItem("namespace")), "/admin");
  });

  it("lists the server in the servers view: its serverId, this machine's hostname, healthy", async () => {
    await show(admin.page, "#/servers/");
    const row = admin.page.locator(".v-data-table tbody tr", { hasText: os.hostname() });
    await row.first().waitFor({ state: "visible" });
    const cells = (await row.first().locator("td").allTextContents()).map((c) => c.trim());
    // serverId, hostname, pid, uptime, clients, last ping, status
    assert.ok(cells[0].length > 0, `no serverId: ${JSON.stringify(cells)}`);
    assert.equal(cells[1], os.hostname());
    assert.match(cells[2], /^\d+$/);
    assert.equal(cells[6], "Healthy");
    console.log(`servers view: ${JSON.stringify(cells)}`);
  });

  it("shows both sockets with their transports on the sockets page", async () => {
    await show(admin.page, "#/sockets/");
    const ids = [polling.socket.id, websocket.socket.id];
    const rows = await waitForSocketRows(admin.page, (r) => ids.every((id) => r.some((row) => row.id === id)), "both sockets");
    const byId = Object.fromEntries(rows.map((row) => [row.id, row]));
    assert.equal(byId[polling.socket.id].transport, "HTTP long-polling");
    assert.equal(byId[websocket.socket.id].transport, "WebSocket");
    assert.match(byId[websocket.socket.id].address, /127\.0\.0\.1/);
    if (process.env.ADMIN_SCREENSHOT) {
      // Once the view's slide-in transition is over, for the picture.
      await admin.page.waitForFunction(() => document.getAnimations().length === 0);
      await admin.page.screenshot({ path: process.env.ADMIN_SCREENSHOT });
    }
  });

  it("shows each socket's own room on its details page", async () => {
    for (const { socket } of [polling, websocket]) {
      await show(admin.page, "#/sockets/");
      await admin.page.locator(".v-data-table tbody tr td", { hasText: socket.id }).click();
      await admin.page.waitForFunction((id) => window.location.hash.endsWith(`/sockets/${id}`), socket.id);
      await waitForRooms(admin.page, (rooms) => rooms.includes(socket.id), `${socket.id}'s own room`);
    }
  });

  it("disconnects the polling socket from the sockets page: its client hears `io server disconnect`", async () => {
    await show(admin.page, "#/sockets/");
    const id = polling.socket.id;
    const row = admin.page.locator(".v-data-table tbody tr", { hasText: id });
    const disconnected = once(polling.socket, "disconnect", WAIT_MS, "the polling client's disconnect");
    await waitForSocketRows(admin.page, (r) => r.some((x) => x.id === id), "the polling socket's row");
    await row.locator("button:has(.mdi-logout)").click();
    assert.equal(await disconnected, "io server disconnect");
    // The click reaches the row too, which opens the socket's details: back to the list.
    await show(admin.page, "#/sockets/");
    await waitForSocketRows(admin.page, (r) => !r.some((x) => x.id === id) && r.some((x) => x.id === websocket.socket.id), "the disconnected socket to leave the list");
    assert.equal(websocket.socket.connected, true);
    assert.deepEqual(websocket.disconnects, []);
  });

  it("joins the WebSocket socket to lobby from its details page; lobby shows in its rooms", async () => {
    const id = websocket.socket.id;
    await show(admin.page, "#/sockets/");
    await admin.page.locator(".v-data-table tbody tr td", { hasText: id }).click();
    await waitForRooms(admin.page, (rooms) => rooms.includes(id), "the socket's own room");
    const join = admin.page.getByLabel("Join a room");
    await join.fill("lobby");
    await admin.page.locator("form button:has(.mdi-tag-plus-outline)").click();
    // The list re-renders as the room arrives (for a moment it may show lobby alone): wait for
    // the whole of it.
    const rooms = await waitForRooms(
      admin.page,
      (r) => r.includes("lobby") && r.includes(id),
      "lobby beside the socket's own room",
    );
    assert.deepEqual([...rooms].sort(), [id, "lobby"].sort());
    assert.equal(websocket.socket.connected, true);
    assert.deepEqual(admin.errors, []);
  });

  it("stays on the login form with a wrong password: the server says `invalid credentials`", async () => {
    // The server's own words first, as the UI reads them (its message must be exactly this).
    const probe = io(`${fx.url}/admin`, { auth: { username: USER, password: "wrong" }, reconnection: false, forceNew: true });
    try {
      const err = await once(probe, "connect_error", WAIT_MS, "CONNECT_ERROR for a wrong password");
      assert.equal(err.message, "invalid credentials");
    } finally {
      probe.disconnect();
    }
    const wrong = await openAdminPage(browser, fx.url);
    try {
      const dialog = await logIn(wrong.page, fx.url, "wrong password");
      await dialog.getByText("Invalid credentials").waitFor({ state: "visible" });
      assert.equal(await dialog.isVisible(), true);
      assert.equal(await wrong.page.evaluate(() => localStorage.getItem("session_id")), null);
      assert.deepEqual(wrong.errors, []);
    } finally {
      await wrong.context.close();
    }
  });
});
