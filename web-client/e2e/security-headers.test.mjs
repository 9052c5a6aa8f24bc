// The app works under the server's Content-Security-Policy: sign up, sync, add a person,
// with no CSP violation reported by the page or its workers; and the policy is really
// enforced (an injected inline script is refused, and that refusal is seen by the same listeners).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { addPerson, signUp, waitSynced } from "./lib/app.mjs";

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

const cspMessage = /Content Security Policy|Refused to/i;

test("the app runs under its CSP with no violation", async () => {
  const { context, page, errors } = await device(browser, server.url);
  try {
    await context.addInitScript(() => {
      window.__csp = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sample})`),
      );
    });
    const consoleCsp = [];
    const watch = (msg) => cspMessage.test(msg.text()) && consoleCsp.push(msg.text());
    page.on("console", watch);
    page.on("worker", (w) => w.on("console", watch));

    const response = await page.goto("/");
    const headers = response.headers();
    assert.match(headers["content-security-policy"] ?? "", /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(headers["content-security-policy"] ?? "", /frame-ancestors 'none'/);
    assert.equal(headers["x-content-type-options"], "nosniff");
    assert.equal(headers["x-frame-options"], "DENY");
    assert.equal(headers["referrer-policy"], "no-referrer");

    await signUp(page, uniqueEmail("csp"));
    await waitSynced(page);
    await addPerson(page, "Petra Policy");
    await waitSynced(page);
    // After a reload the app starts from IndexedDB and the service worker, still clean.
    await page.reload();
    await page.getByRole("heading", { name: "Petra Policy", level: 1 }).waitFor();
    await waitSynced(page);

    assert.deepEqual(await page.evaluate(() => window.__csp), [], "CSP violations in the page");
    assert.deepEqual(consoleCsp, [], "CSP messages on the console");
    assert.deepEqual(errors, []);

    // Control: the policy is enforced (an injected inline script does not run), and the
    // listener above sees the violation it causes.
    const injected = await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__injectedRan = true";
      document.head.append(script);
      return window.__injectedRan === true ? "ran" : "blocked";
    });
    assert.equal(injected, "blocked");
    await until(async () => (await page.evaluate(() => window.__csp.length)) > 0, { what: "the eval violation event" });
  } finally {
    await context.close();
  }
});
