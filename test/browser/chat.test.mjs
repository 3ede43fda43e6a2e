// The chat page (web/) in headless Chromium against the `chorus` binary (CHORUS_BINARY): two
// users in two browser contexts join one room and chat; each sees the other's message with
// username and timestamp, the presence list names both, the typing indicator shows on the other
// page, a reload brings the room's history back, a message "<img src=x onerror=alert(1)>" shows
// literally (no dialog, no <img> element), and after the server restarts the page shows
// "reconnecting", then rejoins without duplicating what it showed.
//
// Chromium is Debian's /usr/bin/chromium (CHORUS_CHROMIUM overrides), driven by playwright-core
// from this directory's node_modules (npm ci; scripts/setup.sh does both). Nothing is skipped:
// without them the test fails and says what is missing.
// CHORUS_SCREENSHOT=<file> saves a screenshot of the page (docs/chat-page.png was made so).
//
// Every wait is bounded (WAIT_MS); nothing asserts how long anything takes.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import net from "node:net";
import path from "node:path";
import { startFixture } from "../js/lib/fixture.mjs";
import { launchChromium } from "./lib/chromium.mjs";

const WAIT_MS = 10_000;
const ROOM = "general";
const XSS = "<img src=x onerror=alert(1)>";
const TIMESTAMP = /^\d\d:\d\d:\d\d$/;

// websockets-lesson.md's templates/chat.html, with ids on its buttons and the client's URL
// changed from the CDN to chorus's own /socket.io/socket.io.min.js.
const SEED_PAGE = `<!DOCTYPE html>
<html>
<head>
    <title>Chat Room</title>
    <script src="/socket.io/socket.io.min.js"></script>
</head>
<body>
    <h1>Chat Room</h1>
    <div id="messages"></div>
    <input type="text" id="username" placeholder="Your name">
    <input type="text" id="messageInput" placeholder="Type a message...">
    <button id="join" onclick="joinChat()">Join</button>
    <button id="send" onclick="sendMessage()">Send</button>
    <script>
        const socket = io();
        let username = '';
        socket.on('status', function(data) { addMessage('System', data.msg, 'system'); });
        socket.on('message', function(data) {
            addMessage(data.username, data.message, 'user', data.timestamp);
        });
        function joinChat() {
            username = document.getElementById('username').value;
            if (username) { socket.emit('join', {username: username}); }
        }
        function sendMessage() {
            const input = document.getElementById('messageInput');
            const message = input.value;
            if (message && username) { socket.emit('message', {message: message}); input.value = ''; }
        }
        function addMessage(user, msg, type, timestamp) {
            const div = document.createElement('div');
            div.className = 'message';
            const time = timestamp ? \`[\${timestamp}] \` : '';
            div.innerHTML = \`<span class="timestamp">\${time}</span><span class="username">\${user}:</span> \${msg}\`;
            document.getElementById('messages').appendChild(div);
        }
    </script>
</body>
</html>
`;

function chorusArgs(dbFile) {
  const help = execFileSync(process.env.CHORUS_BINARY, ["--help"], { encoding: "utf8" });
  // The history store's file, so the restart below keeps the history (when the option exists).
  return ["--host", "127.0.0.1", "--threads", "2", "--rate-limit", "0", ...(help.includes("--db") ? ["--db", dbFile] : [])];
}

/** Starts chorus again on a known port (the page reconnects to the same address). */
async function restartOnPort(port, args) {
  const child = spawn(process.env.CHORUS_BINARY, ["--port", String(port), ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const deadline = Date.now() + WAIT_MS;
  while (!/listening on port/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill("SIGKILL");
      throw new Error(`chorus did not restart on port ${port}:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await new Promise((r) => child.once("exit", r));
      }
      assert.equal(child.exitCode, 0, `chorus exited with ${child.exitCode}:\n${output.slice(-4000)}`);
    },
  };
}

/** A page with its dialogs, uncaught errors and console errors recorded. */
async function openPage(browser, url, label) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const record = { label, dialogs: [], errors: [] };
  page.on("dialog", (dialog) => {
    record.dialogs.push(dialog.message());
    dialog.dismiss().catch(() => {});
  });
  page.on("pageerror", (err) => record.errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    // The connection errors of the restart are expected; anything else (a CSP violation, a
    // script error) is a failure.
    if (msg.type() === "error" && !/ERR_CONNECTION_REFUSED|WebSocket connection/.test(msg.text()))
      record.errors.push(`console: ${msg.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('#conn-state[data-state="connected"]');
  return { page, context, record };
}

async function join(page, username) {
  await page.fill("#username", username);
  await page.click("#join-button");
  await page.waitForSelector("#room-name:not([disabled])");
  await page.fill("#room-name", ROOM);
  await page.click("#room-join");
  await page.waitForFunction((room) => document.querySelector("#room-title")?.textContent === room, ROOM);
}

async function send(page, message) {
  await page.fill("#message-input", message);
  await page.press("#message-input", "Enter");
}

/** The chat lines of the shown room: [{user, text, time, history}]. */
function messages(page) {
  return page.$$eval("#messages li.message", (items) =>
    items.map((li) => ({
      user: li.querySelector(".user")?.textContent,
      text: li.querySelector(".text")?.textContent,
      time: li.querySelector(".time")?.textContent,
      history: li.classList.contains("history"),
    })),
  );
}

/** Waits until the shown room has a line from `user` saying `text`; returns it. */
async function waitForMessage(page, user, text) {
  await page.waitForFunction(
    ([u, t]) =>
      [...document.querySelectorAll("#messages li.message")].some(
        (li) => li.querySelector(".user")?.textContent === u && li.querySelector(".text")?.textContent === t,
      ),
    [user, text],
  );
  return (await messages(page)).find((m) => m.user === user && m.text === text);
}

const usersShown = (page) => page.$$eval("#users li", (items) => items.map((li) => li.textContent));

/**
 * A TCP proxy on a free loopback port to `port`, for a page whose network the test takes away:
 * offline() resets every connection through it (as a dropped network does) and refuses new ones
 * until online().
 */
async function startCuttableProxy(port) {
  const pairs = new Set();
  let up = true;
  const server = net.createServer((inbound) => {
    if (!up) return inbound.resetAndDestroy();
    const outbound = net.connect(port, "127.0.0.1");
    const pair = { inbound, outbound };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on("error", drop).on("close", drop);
    outbound.on("error", drop).on("close", drop);
    inbound.pipe(outbound);
    outbound.pipe(inbound);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    offline() {
      up = false;
      for (const { inbound, outbound } of pairs) {
        inbound.resetAndDestroy();
        outbound.destroy();
      }
      pairs.clear();
    },
    online() {
      up = true;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

describe("the chat page in Chromium", { timeout: 120_000 }, () => {
  let browser;
  let fx;
  let restarted;
  let alice;
  let bob;
  let tmp;

  before(async () => {
    assert.ok(process.env.CHORUS_BINARY, "CHORUS_BINARY is not set: point it at build/<preset>/bin/chorus");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-browser-"));
    fx = await startFixture(chorusArgs(path.join(tmp, "chat.db")), { binaryEnv: "CHORUS_BINARY" });
    browser = await launchChromium(WAIT_MS * 3);
    alice = await openPage(browser, fx.url, "alice");
    bob = await openPage(browser, fx.url, "bob");
  });

  after(async () => {
    await browser?.close();
    await fx?.stop();
    await restarted?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("connects over WebSocket, with the client chorus serves", async () => {
    for (const { page } of [alice, bob]) {
      await page.waitForFunction(() => window.chorusChat?.socket.io.engine?.transport?.name === "websocket");
      assert.equal(await page.$eval("#conn-state", (e) => e.textContent), "connected");
    }
  });

  it("two users join one room and see each other's messages with username and timestamp", async () => {
    await join(alice.page, "alice");
    await join(bob.page, "bob");
    await send(alice.page, "hello from alice");
    for (const { page } of [alice, bob]) {
      const line = await waitForMessage(page, "alice", "hello from alice");
      assert.match(line.time, TIMESTAMP);
    }
    await send(bob.page, "hi alice");
    const line = await waitForMessage(alice.page, "bob", "hi alice");
    assert.match(line.time, TIMESTAMP);
  });

  it("lists both users in the room (presence: the backend's `users`)", async () => {
    for (const { page } of [alice, bob]) {
      await page.waitForFunction(() => {
        const names = [...document.querySelectorAll("#users li")].map((li) => li.textContent);
        return names.includes("alice") && names.includes("bob");
      });
      assert.deepEqual((await usersShown(page)).sort(), ["alice", "bob"]);
      assert.equal(await page.$eval("#user-count", (e) => e.textContent), "(2)");
    }
  });

  it("shows the typing indicator on the other page (the backend's `typing`)", async () => {
    await bob.page.type("#message-input", "typing something", { delay: 20 });
    await alice.page.waitForFunction(() => document.querySelector("#typing")?.textContent === "bob is typing…");
    assert.equal(await bob.page.$eval("#typing", (e) => e.textContent), ""); // not to oneself
    await bob.page.fill("#message-input", "");
  });

  it("shows <img src=x onerror=alert(1)> as text: no element, no dialog", async () => {
    await send(alice.page, XSS);
    for (const { page } of [alice, bob]) {
      const line = await waitForMessage(page, "alice", XSS);
      assert.equal(line.text, XSS);
      assert.equal(await page.$$eval("#messages img", (imgs) => imgs.length), 0);
      assert.equal(await page.evaluate(() => document.querySelectorAll("img").length), 0);
    }
    // Give an onerror handler every chance to run before looking for its dialog.
    await alice.page.waitForTimeout(300);
    assert.deepEqual(alice.record.dialogs, []);
    assert.deepEqual(bob.record.dialogs, []);
  });

  it("delivers a private message, shown to both ends", async () => {
    await send(alice.page, "/msg bob psst, bob");
    const privateLine = (page) =>
      page.waitForFunction(() =>
        [...document.querySelectorAll("#messages li.private")].some(
          (li) => li.querySelector(".user")?.textContent === "alice → bob" && li.querySelector(".text")?.textContent === "psst, bob",
        ),
      );
    await privateLine(bob.page); // the backend's private_message
    await privateLine(alice.page); // the sender's copy, once the server acknowledged it
  });

  it("counts unread lobby messages on the room list", async () => {
    await alice.page.click('#rooms li[data-room=""] .room-select');
    await send(alice.page, "lobby news");
    await waitForMessage(alice.page, "alice", "lobby news");
    await bob.page.waitForFunction(() => document.querySelector('#rooms li[data-room=""] .unread')?.textContent === "1");
    await alice.page.click(`#rooms li[data-room="${ROOM}"] .room-select`);
    await alice.page.waitForFunction((room) => document.querySelector("#room-title")?.textContent === room, ROOM);
  });

  it("brings the room's history back after a reload (the backend's `history`)", async () => {
    if (process.env.CHORUS_SCREENSHOT) {
      await bob.page.type("#message-input", "a", { delay: 10 }); // the typing line, for the picture
      await alice.page.waitForFunction(() => document.querySelector("#typing")?.textContent !== "");
      await alice.page.screenshot({ path: process.env.CHORUS_SCREENSHOT });
      await bob.page.fill("#message-input", "");
    }
    await bob.page.reload();
    await bob.page.waitForSelector('#conn-state[data-state="connected"]');
    // The page rejoins as bob in the same room by itself (sessionStorage), and gets its history.
    await bob.page.waitForFunction((room) => document.querySelector("#room-title")?.textContent === room, ROOM);
    await waitForMessage(bob.page, "alice", "hello from alice");
    await waitForMessage(bob.page, "bob", "hi alice");
    await waitForMessage(bob.page, "alice", XSS);
    const shown = await messages(bob.page);
    for (const m of shown) {
      assert.equal(m.history, true, `not from history: ${JSON.stringify(m)}`);
      assert.match(m.time, TIMESTAMP);
    }
    assert.equal(await bob.page.$$eval("#messages img", (imgs) => imgs.length), 0);
    assert.deepEqual(bob.record.dialogs, []);
  });

  it("after a few seconds offline shows what was said meanwhile once, in order, without a history refetch", async () => {
    // carol reaches chorus through a proxy the test can cut, as a phone loses its network.
    const proxy = await startCuttableProxy(fx.port);
    const carol = await openPage(browser, proxy.url, "carol");
    try {
      await join(carol.page, "carol");
      await waitForMessage(carol.page, "alice", "hello from alice"); // the room's history
      await send(alice.page, "before the outage");
      await waitForMessage(carol.page, "alice", "before the outage");
      await carol.page.evaluate(() => {
        window.historyEvents = 0;
        window.chorusChat.socket.on("history", () => ++window.historyEvents);
      });
      proxy.offline();
      await carol.page.waitForSelector('#conn-state[data-state="reconnecting"]');
      const missed = ["while carol was away 1", "while carol was away 2", "while carol was away 3"];
      for (const text of missed) {
        await send(alice.page, text);
        await waitForMessage(bob.page, "alice", text);
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000)); // offline a few seconds
      proxy.online();
      await carol.page.waitForSelector('#conn-state[data-state="connected"]', { timeout: WAIT_MS * 2 });
      assert.equal(await carol.page.evaluate(() => window.chorusChat.socket.recovered), true);
      await waitForMessage(carol.page, "alice", missed[2]);
      const shown = (await messages(carol.page)).map((m) => m.text);
      const from = shown.indexOf("before the outage");
      assert.deepEqual(shown.slice(from), ["before the outage", ...missed]);
      for (const text of [...missed, "hello from alice"])
        assert.equal(shown.filter((x) => x === text).length, 1, `"${text}" shown ${shown.filter((x) => x === text).length} times`);
      assert.equal(await carol.page.evaluate(() => window.historyEvents), 0, "history was fetched again");
      // Still in the room: what is said now arrives, and the others see carol listed.
      await send(alice.page, "after the outage");
      await waitForMessage(carol.page, "alice", "after the outage");
      await alice.page.waitForFunction(() =>
        [...document.querySelectorAll("#users li")].some((li) => li.textContent === "carol"),
      );
      assert.deepEqual(carol.record.errors.filter((e) => !/net::ERR_|WebSocket/.test(e)), []);
    } finally {
      await carol.context.close();
      await proxy.close();
    }
  });

  it("shows reconnecting while the server is away, then rejoins without duplicates", async () => {
    const port = fx.port;
    const before = await messages(alice.page);
    await fx.stop();
    fx = undefined;
    await alice.page.waitForSelector('#conn-state[data-state="reconnecting"]');
    assert.equal(await alice.page.$eval("#message-input", (e) => e.disabled), true);
    restarted = await restartOnPort(port, chorusArgs(path.join(tmp, "chat.db")));
    await alice.page.waitForSelector('#conn-state[data-state="connected"]', { timeout: WAIT_MS * 2 });
    await bob.page.waitForSelector('#conn-state[data-state="connected"]', { timeout: WAIT_MS * 2 });
    // Rejoined: the room's roster comes back and messages flow again.
    await alice.page.waitForFunction(() => document.querySelectorAll("#users li").length === 2);
    await send(bob.page, "back again");
    await waitForMessage(alice.page, "bob", "back again");
    const after = await messages(alice.page);
    for (const text of ["hello from alice", "hi alice", XSS])
      assert.equal(after.filter((m) => m.text === text).length, 1, `"${text}" shown ${after.filter((m) => m.text === text).length} times`);
    assert.ok(after.length >= before.length);
  });

  it("serves a page written for the Node.js server unchanged (the seed's chat.html)", async () => {
    // The seed's page as its lesson has it, loading the client from where the Node.js server
    // serves it instead of a CDN; its own innerHTML is its business.
    const root = path.join(tmp, "seed");
    fs.mkdirSync(root);
    fs.writeFileSync(path.join(root, "index.html"), SEED_PAGE);
    const seed = await startFixture(["--web-root", root, ...chorusArgs(path.join(tmp, "seed.db"))], {
      binaryEnv: "CHORUS_BINARY",
    });
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(WAIT_MS);
      await page.goto(seed.url);
      await page.waitForFunction(() => document.querySelector("#messages")?.textContent.includes("Connected to chat!"));
      await page.fill("#username", "carol");
      await page.click("#join");
      await page.waitForFunction(() => document.querySelector("#messages")?.textContent.includes("carol joined!"));
      await page.fill("#messageInput", "hello from the seed page");
      await page.click("#send");
      await page.waitForFunction(() => document.querySelector("#messages")?.textContent.includes("carol: hello from the seed page"));
    } finally {
      await context.close();
      await seed.stop();
    }
  });

  it("ran without a script error, a CSP violation or a dialog", () => {
    for (const { record } of [alice, bob]) {
      assert.deepEqual(record.errors, [], `${record.label}: ${record.errors.join("\n")}`);
      assert.deepEqual(record.dialogs, []);
    }
  });
});
