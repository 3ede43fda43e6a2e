// Debian's Chromium (CHORUS_CHROMIUM overrides /usr/bin/chromium), headless, driven by
// playwright-core: no browser download. Shared by the browser suites.
import assert from "node:assert/strict";
import fs from "node:fs";

export const CHROMIUM = process.env.CHORUS_CHROMIUM ?? "/usr/bin/chromium";

async function loadPlaywright() {
  assert.ok(
    fs.existsSync(CHROMIUM),
    `${CHROMIUM} not found: install Debian's chromium (scripts/setup.sh does) or set CHORUS_CHROMIUM`,
  );
  try {
    return (await import("playwright-core")).chromium;
  } catch (err) {
    throw new Error(`playwright-core is not installed: run scripts/setup.sh (npm ci in test/browser): ${err.message}`);
  }
}

/** Starts headless Chromium with the flags this machine needs; launching waits at most timeoutMs. */
export async function launchChromium(timeoutMs) {
  const chromium = await loadPlaywright();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    timeout: timeoutMs,
  });
}
