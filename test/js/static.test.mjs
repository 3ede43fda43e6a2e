// Static files from the `chorus` binary (CHORUS_BINARY): the chat page at /, the official client
// bundle at /socket.io/socket.io(.min).js(.map) as the Node.js server serves it (same bytes as
// web/node_modules), content types, ETag / Last-Modified / 304, HEAD, 404, 405, and every way
// of naming a file outside the web root refused (a scratch web root with symlinks pointing out,
// a secret beside it, dotfiles, node_modules, npm's manifest). Engine.IO's own path is
// unaffected. With --admin-ui, the Socket.IO Admin UI's built files at /admin/ (/admin
// redirected there), from web/node_modules/@socket.io/admin-ui/ui/dist; without it, 404.
// Needs `npm ci` in web/ (scripts/setup.sh).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startFixture } from "./lib/fixture.mjs";
import { rawHttp, rawRequest } from "./lib/raw-http.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const webDir = path.resolve(here, "..", "..", "web");
const bundleDir = path.join(webDir, "node_modules", "socket.io-client", "dist");
const SECRET = "TOP-SECRET-7f3a";

/** --db :memory: once the binary has the option (the history store), so no file is left. */
function dbArgs() {
  const binary = process.env.CHORUS_BINARY;
  if (!binary) return [];
  const help = execFileSync(binary, ["--help"], { encoding: "utf8" });
  return help.includes("--db") ? ["--db", ":memory:"] : [];
}

function startChorus(args) {
  return startFixture(["--host", "127.0.0.1", ...dbArgs(), ...args], { binaryEnv: "CHORUS_BINARY" });
}

const get = (port, target, headers) => rawRequest(port, "GET", target, headers);

describe("static files: the chat page and the client bundle", () => {
  let fx;
  before(async () => {
    assert.ok(
      fs.existsSync(path.join(bundleDir, "socket.io.min.js")),
      `${bundleDir}/socket.io.min.js is missing: run scripts/setup.sh (npm ci in web/)`,
    );
    fx = await startChorus(["--web-root", webDir, "--client-bundle", bundleDir]);
  });
  after(async () => fx && (await fx.stop()));

  it("serves the page at / as HTML, loading the client from /socket.io/socket.io.min.js", async () => {
    const res = await get(fx.port, "/");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    const html = res.body.toString("utf8");
    assert.deepEqual(res.body, fs.readFileSync(path.join(webDir, "index.html")));
    assert.match(html, /<script src="\/socket\.io\/socket\.io\.min\.js"/);
    assert.match(res.headers.etag, /^"[0-9a-f]+-[0-9a-f]{16}"$/);
    assert.match(res.headers["last-modified"], /^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$/);
    assert.equal(res.headers["cache-control"], "no-cache");
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    const index = await get(fx.port, "/index.html?from=test");
    assert.deepEqual(index.body, res.body);
  });

  it("serves the page's script, style and icon with their content types", async () => {
    const cases = [
      ["/app.js", "text/javascript; charset=utf-8"],
      ["/style.css", "text/css; charset=utf-8"],
      ["/favicon.svg", "image/svg+xml"],
    ];
    for (const [target, type] of cases) {
      const res = await get(fx.port, target);
      assert.equal(res.status, 200, target);
      assert.equal(res.headers["content-type"], type, target);
      assert.deepEqual(res.body, fs.readFileSync(path.join(webDir, target.slice(1))), target);
    }
  });

  it("serves the official bundle byte for byte, as the Node.js server does", async () => {
    const cases = [
      ["socket.io.min.js", /javascript/],
      ["socket.io.js", /javascript/],
      ["socket.io.min.js.map", /^application\/json/],
      ["socket.io.js.map", /^application\/json/],
      ["socket.io.esm.min.js", /javascript/],
      ["socket.io.msgpack.min.js", /javascript/],
    ];
    for (const [name, type] of cases) {
      const res = await get(fx.port, `/socket.io/${name}`);
      assert.equal(res.status, 200, name);
      assert.match(res.headers["content-type"], type, name);
      assert.deepEqual(res.body, fs.readFileSync(path.join(bundleDir, name)), name);
      assert.ok(res.headers.etag, name);
    }
    // A cache-busting query changes nothing; the bundle's directory is not browsable.
    const busted = await get(fx.port, "/socket.io/socket.io.min.js?v=4.8.4");
    assert.equal(busted.status, 200);
    assert.equal((await get(fx.port, "/socket.io/package.json")).status, 404);
  });

  it("leaves the Engine.IO path to Engine.IO", async () => {
    const res = await get(fx.port, "/socket.io/?EIO=4&transport=polling");
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /^0\{"sid":"/);
  });

  it("answers HEAD with GET's headers and no body, on a connection that goes on", async () => {
    const { responses, closedEarly } = await rawHttp(fx.port, [
      { method: "HEAD", target: "/" },
      { method: "HEAD", target: "/socket.io/socket.io.min.js" },
      { method: "HEAD", target: "/missing.html" },
      { method: "GET", target: "/" },
    ]);
    assert.equal(closedEarly, false);
    const [head, bundle, missing, full] = responses;
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.equal(Number(head.headers["content-length"]), full.body.length);
    assert.equal(head.headers.etag, full.headers.etag);
    assert.equal(head.headers["content-type"], "text/html; charset=utf-8");
    assert.equal(bundle.status, 200);
    assert.equal(Number(bundle.headers["content-length"]), fs.statSync(path.join(bundleDir, "socket.io.min.js")).size);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.length, 0);
  });

  it("answers 304 Not Modified to a known ETag or Last-Modified", async () => {
    const first = await get(fx.port, "/socket.io/socket.io.min.js");
    const { etag } = first.headers;
    for (const tag of [etag, `W/${etag}`, `"nope", ${etag}`]) {
      const res = await get(fx.port, "/socket.io/socket.io.min.js", { "If-None-Match": tag });
      assert.equal(res.status, 304, tag);
      assert.equal(res.body.length, 0);
      assert.equal(res.headers.etag, etag);
    }
    const stale = await get(fx.port, "/socket.io/socket.io.min.js", { "If-None-Match": '"0-0"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.length, first.body.length);
    const since = await get(fx.port, "/", { "If-Modified-Since": (await get(fx.port, "/")).headers["last-modified"] });
    assert.equal(since.status, 304);
  });

  it("answers 404 for what is not there and 405 to other methods", async () => {
    for (const target of ["/missing.html", "/socket.io/socket.io.nope.js", "/docs/", "/package.json", "/node_modules/socket.io-client/package.json"]) {
      const res = await get(fx.port, target);
      assert.equal(res.status, 404, target);
    }
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const res = await rawRequest(fx.port, method, "/index.html", { "Content-Length": "0" });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.allow, "GET, HEAD", method);
    }
  });
});

describe("static files: nothing outside the web root", () => {
  let fx;
  let base;
  before(async () => {
    // base/web is the root; base/secret.txt and base/outside/ must never be served.
    base = fs.mkdtempSync(path.join(os.tmpdir(), "chorus-static-js-"));
    const root = path.join(base, "web");
    fs.mkdirSync(path.join(root, "sub"), { recursive: true });
    fs.mkdirSync(path.join(root, "node_modules", "pkg"), { recursive: true });
    fs.mkdirSync(path.join(base, "outside"));
    fs.writeFileSync(path.join(root, "index.html"), "<p>scratch root</p>");
    fs.writeFileSync(path.join(root, "sub", "page.html"), "<p>sub page</p>");
    fs.writeFileSync(path.join(root, ".env"), SECRET);
    fs.writeFileSync(path.join(root, "node_modules", "pkg", "index.js"), SECRET);
    fs.writeFileSync(path.join(base, "secret.txt"), SECRET);
    fs.writeFileSync(path.join(base, "outside", "secret.txt"), SECRET);
    fs.symlinkSync(path.join(base, "secret.txt"), path.join(root, "escape.txt"));
    fs.symlinkSync("../secret.txt", path.join(root, "sub", "up.txt"));
    fs.symlinkSync(path.join(base, "outside"), path.join(root, "outdir"));
    fs.symlinkSync("page.html", path.join(root, "sub", "alias.html"));
    fx = await startChorus(["--web-root", root, "--client-bundle", ""]);
  });
  after(async () => {
    if (fx) await fx.stop();
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  it("serves the scratch root, and a symlink that stays inside it", async () => {
    assert.equal((await get(fx.port, "/")).body.toString(), "<p>scratch root</p>");
    assert.equal((await get(fx.port, "/sub/page.html")).body.toString(), "<p>sub page</p>");
    assert.equal((await get(fx.port, "/sub/alias.html")).body.toString(), "<p>sub page</p>");
    // --client-bundle '': no bundle.
    assert.equal((await get(fx.port, "/socket.io/socket.io.min.js")).status, 404);
  });

  it("refuses every spelling of a path out of the root", async () => {
    const abs = path.join(base, "secret.txt");
    const targets = [
      "/../secret.txt",
      "/sub/../../secret.txt",
      "/%2e%2e/secret.txt",
      "/%2E%2E/secret.txt",
      "/.%2e/secret.txt",
      "/%2e%2e%2fsecret.txt",
      "/sub%2f..%2f..%2fsecret.txt",
      "/..%5csecret.txt",
      "/..\\secret.txt",
      "/sub\\..\\..\\secret.txt",
      "/%252e%252e/secret.txt",
      `/${abs}`,
      abs,
      `/${encodeURIComponent(abs)}`,
      "//etc/passwd",
      "/etc/passwd",
      "/index.html%00.txt",
      "/%00../secret.txt",
      "/escape.txt",
      "/sub/up.txt",
      "/outdir/secret.txt",
      "/.env",
      "/%2eenv",
      "/node_modules/pkg/index.js",
      `http://127.0.0.1:${fx.port}/../secret.txt`,
    ];
    for (const target of targets) {
      for (const method of ["GET", "HEAD"]) {
        const res = await rawRequest(fx.port, method, target);
        assert.ok(res, `${method} ${target}: no response`);
        assert.ok([400, 404].includes(res.status), `${method} ${target}: ${res.status}`);
        assert.ok(!res.body.toString("latin1").includes(SECRET), `${method} ${target} leaked the secret`);
      }
    }
  });

  it("refuses raw NUL and control bytes in the target without serving anything", async () => {
    for (const target of ["/index.html\0.txt", "/\0../secret.txt", "/a\x01b"]) {
      const res = await rawRequest(fx.port, "GET", target);
      // The HTTP parser may drop such a request line before any handler sees it.
      if (res) assert.ok([400, 404].includes(res.status), `${JSON.stringify(target)}: ${res.status}`);
      assert.ok(!res?.body.toString("latin1").includes(SECRET));
    }
    // The server is still there.
    assert.equal((await get(fx.port, "/")).status, 200);
  });
});

describe("static files: defaults", () => {
  it("serves the source tree's web/ and its bundle when no option is given", async () => {
    const fx = await startChorus([]);
    try {
      const page = await get(fx.port, "/");
      assert.equal(page.status, 200);
      assert.deepEqual(page.body, fs.readFileSync(path.join(webDir, "index.html")));
      const bundle = await get(fx.port, "/socket.io/socket.io.min.js");
      assert.equal(bundle.status, 200);
    } finally {
      await fx.stop();
    }
  });

  it("serves no page with --web-root '', and still the bundle", async () => {
    const fx = await startChorus(["--web-root", ""]);
    try {
      assert.equal((await get(fx.port, "/")).status, 404);
      assert.equal((await get(fx.port, "/socket.io/socket.io.min.js")).status, 200);
    } finally {
      await fx.stop();
    }
  });
});

describe("static files: the Socket.IO Admin UI at /admin/", () => {
  const adminDir = path.join(webDir, "node_modules", "@socket.io", "admin-ui", "ui", "dist");
  let fx;
  let off;
  before(async () => {
    assert.ok(
      fs.existsSync(path.join(adminDir, "index.html")),
      `${adminDir}/index.html is missing: run scripts/setup.sh (npm ci in web/)`,
    );
    // --admin-ui-dir defaults to web/node_modules/@socket.io/admin-ui/ui/dist; --admin-ui turns it on.
    [fx, off] = await Promise.all([startChorus(["--admin-ui", "--admin-auth", "off"]), startChorus([])]);
  });
  after(async () => {
    await fx?.stop();
    await off?.stop();
  });

  it("serves the UI's index.html at /admin/, its assets named relative to it", async () => {
    const res = await get(fx.port, "/admin/");
    assert.equal(res.status, 200);
    assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
    assert.deepEqual(res.body, fs.readFileSync(path.join(adminDir, "index.html")));
    assert.equal(res.headers["cache-control"], "no-cache");
    assert.ok(res.headers.etag);
    assert.deepEqual((await get(fx.port, "/admin/index.html")).body, res.body);
    // Relative script and style paths ("js/app.<hash>.js"): they resolve under /admin/ as they are.
    const html = res.body.toString("utf8");
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(scripts.length >= 2, html);
    for (const src of scripts) assert.doesNotMatch(src, /^\/|^[a-z]+:/, `${src} is not relative`);
  });

  it("serves the UI's script, style, map, image and icon with their content types", async () => {
    const html = (await get(fx.port, "/admin/")).body.toString("utf8");
    const script = /<script src="(js\/app\.[0-9a-f]+\.js)"/.exec(html)[1];
    const style = /<link href="(css\/app\.[0-9a-f]+\.css)" rel="stylesheet"/.exec(html)[1];
    const image = fs.readdirSync(path.join(adminDir, "img")).find((name) => name.endsWith(".svg"));
    const cases = [
      [script, "text/javascript; charset=utf-8"],
      [style, "text/css; charset=utf-8"],
      [`${script}.map`, "application/json; charset=utf-8"],
      [`img/${image}`, "image/svg+xml"],
      ["favicon.png", "image/png"],
    ];
    for (const [file, type] of cases) {
      const res = await get(fx.port, `/admin/${file}`);
      assert.equal(res.status, 200, file);
      assert.equal(res.headers["content-type"], type, file);
      assert.equal(res.headers["x-content-type-options"], "nosniff", file);
      assert.deepEqual(res.body, fs.readFileSync(path.join(adminDir, file)), file);
    }
    // Only under /admin/: not at the site root.
    assert.equal((await get(fx.port, `/${script}`)).status, 404);
  });

  it("redirects /admin to /admin/ (301), its query kept", async () => {
    const res = await get(fx.port, "/admin");
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, "/admin/");
    assert.equal((await get(fx.port, "/admin?x=1")).headers.location, "/admin/?x=1");
    const head = await rawRequest(fx.port, "HEAD", "/admin");
    assert.equal(head.status, 301);
    assert.equal(head.body.length, 0);
  });

  it("keeps the chat page, the bundle and Engine.IO where they were", async () => {
    assert.deepEqual((await get(fx.port, "/")).body, fs.readFileSync(path.join(webDir, "index.html")));
    assert.equal((await get(fx.port, "/socket.io/socket.io.min.js")).status, 200);
    assert.match((await get(fx.port, "/socket.io/?EIO=4&transport=polling")).body.toString(), /^0\{"sid":"/);
  });

  it("serves nothing at /admin/ without --admin-ui, or with --admin-ui-dir ''", async () => {
    for (const target of ["/admin/", "/admin", "/admin/index.html", "/admin/favicon.png"])
      assert.equal((await get(off.port, target)).status, 404, target);
    const empty = await startChorus(["--admin-ui", "--admin-auth", "off", "--admin-ui-dir", ""]);
    try {
      assert.equal((await get(empty.port, "/admin/")).status, 404);
      assert.equal((await get(empty.port, "/")).status, 200);
    } finally {
      await empty.stop();
    }
  });
});
