// Settings → Notifications with a real `kith serve` and a local ntfy receiver started here:
// turn ntfy on with a token, send a test, see it arrive (title, token) and in the delivery log;
// the server's push status is shown (a VAPID subject is learned from the first account).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { nav, signUp } from "./lib/app.mjs";

let server;
let browser;
let ntfy;
const received = [];

before(async () => {
  ntfy = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ method: req.method, path: req.url, headers: req.headers, body });
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ id: "e2e", event: "message" }));
    });
  });
  await new Promise((r) => ntfy.listen(0, "127.0.0.1", r));
  // The ntfy topic is on 127.0.0.1: allowed only in this test mode.
  server = await startKith({ env: { KITH_PUSH_ALLOW_HTTP_LOOPBACK: "1" } });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => ntfy?.close(r));
});

test("ntfy is turned on in Settings, a test arrives with the token, and the delivery log shows it", async () => {
  const { page, context, errors } = await device(browser, server.url);
  try {
    await signUp(page, uniqueEmail("ntfy"));
    await nav(page, "Settings");
    await page.getByRole("heading", { name: "Notifications" }).waitFor();
    // No SMTP on this server: the email channel says why it is not offered.
    await page.getByText("Email isn't offered on this server").waitFor();
    // No VAPID subject configured: the first account's address is used, so push is available.
    assert.equal(await page.locator("[data-push-unavailable]").count(), 0);

    const topic = `http://127.0.0.1:${ntfy.address().port}/kith-e2e`;
    await page.getByLabel("ntfy topic URL").fill(topic);
    await page.getByLabel("Access token (optional)").fill("tk_e2e_token");
    await page.getByRole("button", { name: "Turn on ntfy" }).click();
    await page.getByText("ntfy is on.").waitFor();
    // The token is never shown again, only that one is saved.
    assert.equal(await page.getByLabel("Access token (optional)").inputValue(), "");
    assert.match(await page.getByLabel("Access token (optional)").getAttribute("placeholder"), /token is saved/);

    await page.getByRole("button", { name: "Send a test to ntfy" }).click();
    await page.getByText("Sent (200).").waitFor();
    await until(async () => received.length === 1, { what: "the test at the ntfy receiver" });
    const got = received[0];
    assert.equal(got.method, "POST");
    assert.equal(got.path, "/kith-e2e");
    assert.equal(got.headers.title, "Kith test notification");
    assert.equal(got.headers.authorization, "Bearer tk_e2e_token");
    assert.equal(got.headers.click, `${server.url}/#/settings`);

    await page.getByText("Delivery log").click();
    const row = page.locator('li[data-channel="ntfy"][data-delivery="sent"]');
    await row.waitFor();
    assert.match(await row.innerText(), /Kith test notification/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
