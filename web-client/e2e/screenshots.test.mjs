// Screenshots of Today, People and Person at phone and desktop widths, saved to artifacts/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, device } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { signUp, nav, waitSynced } from "./lib/app.mjs";
import { api, changeAsDevice } from "./lib/node-device.mjs";
import { seedShowcase } from "./lib/seed.mjs";

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../artifacts/screens");
let server;
let browser;
before(async () => {
  server = await startKith();
  browser = await launch();
  mkdirSync(out, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const [width, height] of [
  [375, 812],
  [1280, 800],
]) {
  test(`Today, People and Person render at ${width} px`, async () => {
    const { context, page, errors } = await device(browser, server.url, { width, height });
    try {
      const email = uniqueEmail(`shots${width}`);
      await signUp(page, email);
      const session = await api(server.url, "/api/v1/sessions", {
        method: "POST",
        json: { email, password: "correct horse battery staple", device_name: "seeder" },
      });
      let ids;
      await changeAsDevice(server.url, session, "seed showcase", (d) => {
        ids = seedShowcase(d);
      });
      await page.locator("[data-list=overdue] .row").first().waitFor();
      await waitSynced(page);
      // Nothing may overflow sideways at this width.
      const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok((await overflow()) <= 0, "Today overflows horizontally");
      await page.screenshot({ path: path.join(out, `today-${width}.png`), fullPage: true });

      await nav(page, "People");
      await page.locator(".vlist .row-name").first().waitFor();
      assert.equal(await page.locator(".vlist .row-name").count(), 9);
      assert.ok((await overflow()) <= 0, "People overflows horizontally");
      await page.screenshot({ path: path.join(out, `people-${width}.png`) });

      await page.goto(`/#/people/${ids["Ada Lovelace"]}`);
      await page.getByRole("heading", { name: "Ada Lovelace", level: 1 }).waitFor();
      assert.ok((await overflow()) <= 0, "Person overflows horizontally");
      await page.screenshot({ path: path.join(out, `person-${width}.png`), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}
