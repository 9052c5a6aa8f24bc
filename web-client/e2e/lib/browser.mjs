// Debian's Chromium driven by playwright-core. Never downloads a browser.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.KITH_CHROMIUM ?? "/usr/bin/chromium";

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A browser context is one device: its own IndexedDB, localStorage and service workers. */
export async function device(browser, baseURL, { width = 1280, height = 800, ...options } = {}) {
  const context = await browser.newContext({ baseURL, viewport: { width, height }, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  page.on("dialog", (d) => d.accept());
  return { context, page, errors };
}

/** Polls `fn` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function until(fn, { timeout = 10_000, interval = 25, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${last})`);
    await new Promise((r) => setTimeout(r, interval));
  }
}
