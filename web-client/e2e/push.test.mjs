// Enabling push registers the browser's subscription with the server. Only the browser's
// pushManager is stubbed (headless Chromium has no push service); Kith's server is real.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createECDH, randomBytes } from "node:crypto";
import { launch, device } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { nav, signUp } from "./lib/app.mjs";

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

test("enabling push on this device posts the subscription to the server", async () => {
  const { context, page, errors } = await device(browser, server.url);
  try {
    await context.grantPermissions(["notifications"], { origin: server.url });
    // A real P-256 key pair and auth secret, as a browser's push subscription would carry.
    const ecdh = createECDH("prime256v1");
    const fake = {
      endpoint: `https://push.example.invalid/e2e/${randomBytes(8).toString("hex")}`,
      p256dh: ecdh.generateKeys().toString("base64url"),
      auth: randomBytes(16).toString("base64url"),
    };
    await context.addInitScript((fake) => {
      let current = null;
      const toB64Url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      PushManager.prototype.getSubscription = async () => current;
      PushManager.prototype.subscribe = async function (opts) {
        window.__kithSubscribeKey = toB64Url(opts.applicationServerKey);
        current = {
          endpoint: fake.endpoint,
          expirationTime: null,
          toJSON: () => ({ endpoint: fake.endpoint, expirationTime: null, keys: { p256dh: fake.p256dh, auth: fake.auth } }),
          unsubscribe: async () => ((current = null), true),
        };
        return current;
      };
    }, fake);

    await signUp(page, uniqueEmail("push"));
    await nav(page, "Settings");
    const button = page.getByRole("button", { name: "Enable push on this device" });
    await button.waitFor();
    const posted = page.waitForResponse((r) => r.url().endsWith("/api/v1/push/subscriptions") && r.request().method() === "POST");
    await button.click();
    const res = await posted;
    assert.ok(res.ok(), `subscription endpoint answered ${res.status()}`);
    const sent = JSON.parse(res.request().postData() ?? "{}");
    assert.equal(sent.endpoint, fake.endpoint);
    assert.deepEqual(sent.keys, { p256dh: fake.p256dh, auth: fake.auth });
    await page.getByText("Push is on for this device.").waitFor();

    // The browser was asked to subscribe with the server's VAPID key.
    const vapid = (await (await fetch(`${server.url}/api/v1/push/vapid-public-key`)).text()).trim();
    const key = await page.evaluate(() => window.__kithSubscribeKey);
    assert.ok(vapid.includes(key), `subscribed with ${key}, server key ${vapid}`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
