// The service worker turns a push message (the reminders crate's payload) into a
// notification with its tag and the Done / Snooze actions. The push is delivered through
// Chromium's DevTools protocol, as DevTools' own "Push" button does (lib/push.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device } from "./lib/browser.mjs";
import { countShownNotifications, notificationsAfter, serviceWorkerRegistration, startKithWithShownSignal } from "./lib/push.mjs";

let server;
let browser;
before(async () => {
  server = await startKithWithShownSignal();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test("a push shows a notification with its tag, Done / Snooze actions and the person's page", async () => {
  const { context, page, errors } = await device(browser, server.url);
  try {
    await context.grantPermissions(["notifications"], { origin: server.url });
    await countShownNotifications(context);
    await page.goto("/");
    const { push } = await serviceWorkerRegistration(context, page);
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
    await push(server.url, payload);
    const [shown, ...more] = await notificationsAfter(page, 1);
    assert.deepEqual(more, []);
    assert.deepEqual(shown, {
      title: payload.title,
      body: payload.body,
      tag: "3f2a9c",
      actions: ["done", "snooze"],
      data: { url: `/#/people/${contact}`, contactIds: [contact], followUpId: null },
    });

    // A resend of the same nudge (same tag) replaces it instead of stacking a second one;
    // a digest for several people has no per-person actions and opens Today.
    await push(server.url, { ...payload, body: "Still: every 14 days." });
    await push(server.url, { title: "3 people to catch up with", body: "Ada, Grace, Alan", url: "/", tag: "digest1", actions: [], contact_ids: ["a", "b", "c"] });
    const all = await notificationsAfter(page, 3);
    assert.deepEqual(all.map((n) => [n.tag, n.body]).sort(), [
      ["3f2a9c", "Still: every 14 days."],
      ["digest1", "Ada, Grace, Alan"],
    ]);
    const digest = all.find((n) => n.tag === "digest1");
    assert.deepEqual(digest.actions, []);
    assert.equal(digest.data.url, "/#/today");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
