// The service worker turns a push message (the reminders crate's payload) into a
// notification with its tag and the Done / Snooze actions. The push is delivered through
// Chromium's DevTools protocol, as DevTools' own "Push" button does.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith } from "./lib/server.mjs";

let server;
let browser;
before(async () => {
  server = await startKith();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function serviceWorkerRegistration(context, page) {
  await until(() => page.evaluate(() => navigator.serviceWorker.controller !== null), { what: "service worker control" });
  const cdp = await context.newCDPSession(page);
  const regs = [];
  cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => regs.push(...e.registrations.filter((r) => !r.isDeleted)));
  await cdp.send("ServiceWorker.enable");
  await until(() => regs.length > 0, { what: "service worker registration" });
  return { cdp, id: regs[0].registrationId };
}

async function shownNotifications(page) {
  return page.evaluate(async () =>
    (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
      title: n.title,
      body: n.body,
      tag: n.tag,
      actions: n.actions.map((a) => a.action),
      url: n.data?.url,
    })),
  );
}

test("a push shows a notification with its tag, Done / Snooze actions and the person's page", async () => {
  const { context, page, errors } = await device(browser, server.url);
  try {
    await context.grantPermissions(["notifications"], { origin: server.url });
    await page.goto("/");
    const { cdp, id } = await serviceWorkerRegistration(context, page);
    const contact = "0b9f0a3e-4a5e-4c39-9d7e-5b1c2d3e4f50";
    const payload = {
      title: "Time to catch up with Ada",
      body: "You wanted to be in touch every 14 days.",
      url: `/contacts/${contact}`,
      tag: "3f2a9c",
      actions: [
        { action: "done", title: "Done" },
        { action: "snooze", title: "Snooze a week" },
      ],
      contact_ids: [contact],
    };
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: server.url, registrationId: id, data: JSON.stringify(payload) });
    const [shown] = await until(async () => {
      const n = await shownNotifications(page);
      return n.length ? n : null;
    }, { what: "the notification" });
    assert.deepEqual(shown, {
      title: payload.title,
      body: payload.body,
      tag: "3f2a9c",
      actions: ["done", "snooze"],
      url: `/#/people/${contact}`,
    });

    // A resend of the same nudge (same tag) replaces it instead of stacking a second one;
    // a digest for several people has no per-person actions and opens Today.
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: server.url, registrationId: id, data: JSON.stringify(payload) });
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: server.url,
      registrationId: id,
      data: JSON.stringify({ title: "3 people to catch up with", body: "Ada, Grace, Alan", url: "/", tag: "digest1", actions: [], contact_ids: ["a", "b", "c"] }),
    });
    const all = await until(async () => {
      const n = await shownNotifications(page);
      return n.length === 2 ? n : null;
    }, { what: "two notifications" });
    const digest = all.find((n) => n.tag === "digest1");
    assert.deepEqual(digest?.actions, []);
    assert.equal(digest?.url, "/#/today");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
