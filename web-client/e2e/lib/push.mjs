// Pushes delivered through Chromium's DevTools protocol (as DevTools' own "Push" button does),
// and the notifications they show, read without losing any.
//
// Why not poll getNotifications(): Chromium's getNotifications() keeps a stored notification
// only if the platform already reports it as displayed (or it was stored after the read began),
// and deletes every other one from its database. A read that lands after the worker stored a
// notification but before it is on display drops it for good: it stays on screen and every
// later read misses it. Polling while pushes were being shown failed a CI run ("timed out
// waiting for two notifications") that hundreds of local runs never did. So the tests serve the real sw.js behind a
// test-only prefix that tells open pages when its showNotification() has resolved, wait for
// that, and read once.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { until } from "./browser.mjs";
import { startKith, webDir } from "./server.mjs";

const SHOWN_SIGNAL = `// e2e only (web-client/e2e/lib/push.mjs): say when a notification is on display.
{
  const show = ServiceWorkerRegistration.prototype.showNotification;
  ServiceWorkerRegistration.prototype.showNotification = function (title, options) {
    return show.call(this, title, options).then(async (result) => {
      for (const c of await self.clients.matchAll({ includeUncontrolled: true })) c.postMessage({ kithE2e: "shown", tag: options?.tag ?? null });
      return result;
    });
  };
}
`;

/** `kith serve` (lib/server.mjs) serving a copy of the built client whose sw.js signals shown
 * notifications; `stop()` also removes the copy. */
export async function startKithWithShownSignal() {
  const dir = mkdtempSync(path.join(tmpdir(), "kith-e2e-web-"));
  cpSync(webDir, dir, { recursive: true });
  writeFileSync(path.join(dir, "sw.js"), SHOWN_SIGNAL + readFileSync(path.join(webDir, "sw.js"), "utf8"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const server = await startKith({ env: { KITH_WEB_DIR: dir } }).catch((e) => {
    remove();
    throw e;
  });
  return {
    ...server,
    async stop() {
      await server.stop();
      remove();
    },
  };
}

/** Every page of this device counts the shown signals from the start (call before goto). */
export async function countShownNotifications(context) {
  await context.addInitScript(() => {
    window.kithE2eShown = [];
    if (!navigator.serviceWorker) return;
    navigator.serviceWorker.addEventListener("message", (e) => {
      if (e.data?.kithE2e === "shown") window.kithE2eShown.push(e.data.tag);
    });
    navigator.serviceWorker.startMessages();
  });
}

/** The page's service worker registration and a DevTools session to push through. */
export async function serviceWorkerRegistration(context, page) {
  await until(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { what: "service worker control" });
  const cdp = await context.newCDPSession(page);
  const regs = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => regs.push(...e.registrations.filter((r) => !r.isDeleted)));
  await cdp.send("ServiceWorker.enable");
  await until(() => regs.length > 0, { what: "service worker registration" });
  const id = regs[0].registrationId;
  return {
    cdp,
    id,
    push: (origin, payload) => cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: id, data: JSON.stringify(payload) }),
  };
}

/** Once `shown` notifications in all have been put on display, what is on display. */
export async function notificationsAfter(page, shown) {
  const n = await until(async () => {
    const count = await page.evaluate(() => window.kithE2eShown.length);
    return count >= shown ? count : null;
  }, { what: `${shown} notification(s) shown` });
  if (n !== shown) throw new Error(`${n} notifications shown, expected ${shown}`);
  return page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      actions: n.actions.map((a) => a.action),
      data: n.data,
    })),
  );
}
