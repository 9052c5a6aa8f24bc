// Every screen at phone and desktop widths, light and dark: a screenshot saved to
// artifacts/screens/, an axe-core accessibility check with zero violations, and no control
// smaller than 44 px to touch.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { launch, device } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { PASSWORD, signUp, nav, waitSynced } from "./lib/app.mjs";
import { api, changeAsDevice } from "./lib/node-device.mjs";
import { seedDuplicate, seedShowcase } from "./lib/seed.mjs";
import { axeViolations } from "./lib/axe.mjs";

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

for (const scheme of ["light", "dark"]) {
  for (const [width, height] of [
    [375, 812],
    [1280, 800],
  ]) {
    test(`every screen at ${width} px, ${scheme}: screenshot and no axe violations`, async () => {
      const { context, page, errors } = await device(browser, server.url, { width, height, colorScheme: scheme, bypassCSP: true });
      const found = [];
      // Nothing may overflow sideways, and axe must find nothing; the screenshot is taken either way.
      const check = async (name, { fullPage = true } = {}) => {
        await page.screenshot({ path: path.join(out, `${name}-${width}-${scheme}.png`), fullPage });
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        if (overflow > 0) found.push(`${name}: overflows horizontally by ${overflow} px`);
        for (const v of await axeViolations(page)) found.push(`${name}: ${v}`);
        // Touch targets: every control at least 44 px tall and wide (links inside sentences excepted).
        const small = await page.evaluate(() =>
          [...document.querySelectorAll("button, select, input:not([type=checkbox]):not([type=radio]), summary, label.seg, nav a, a.button-link, a.back, a.row-name")]
            .filter((el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden" && !el.closest(".skip"))
            // A link stretched over its row by an ::after box is as big as that box.
            .map((el) => ({ el, r: (getComputedStyle(el, "::after").position === "absolute" ? el.parentElement : el).getBoundingClientRect() }))
            .filter(({ r }) => r.height < 44 || r.width < 44)
            .map(({ el, r }) => `${el.tagName.toLowerCase()} "${(el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`),
        );
        for (const t of small) found.push(`${name}: touch target under 44 px: ${t}`);
      };
      try {
        await page.goto("/");
        await page.getByRole("button", { name: "Log in" }).waitFor();
        await check("login");

        const email = uniqueEmail(`shots${width}${scheme}`);
        await signUp(page, email);
        await page.locator(".first-run").waitFor();
        await check("first-run");

        const session = await api(server.url, "/api/v1/sessions", { method: "POST", json: { email, password: PASSWORD, device_name: "seeder" } });
        let ids;
        let dup;
        await changeAsDevice(server.url, session, "seed showcase", (d) => {
          ids = seedShowcase(d);
          dup = seedDuplicate(d);
        });
        await page.locator("[data-list=overdue] .row").first().waitFor();
        await waitSynced(page);
        await check("today");

        if (width < 700) {
          await page.locator("[data-list=overdue] .log-toggle").first().click();
          await check("today-actions", { fullPage: false });
        }
        await page.locator("[data-list=overdue] button", { hasText: "Called" }).first().click();
        await page.locator(".toast[data-undo=offered]").waitFor();
        await check("today-undo", { fullPage: false });
        // The offer goes away by itself after a few seconds.
        await page.locator(".toast").waitFor({ state: "detached", timeout: 15_000 });

        await nav(page, "People");
        await page.locator(".vlist .row-name").first().waitFor();
        assert.equal(await page.locator(".vlist .row-name").count(), 11);
        await check("people", { fullPage: false });

        await page.goto(`/#/people/${ids["Ada Lovelace"]}`);
        await page.getByRole("heading", { name: "Ada Lovelace", level: 1 }).waitFor();
        await check("person");

        await page.goto("/#/duplicates");
        await page.getByRole("heading", { name: "Possible duplicates", level: 1 }).waitFor();
        await check("duplicates");
        await page.goto(`/#/duplicates/${dup.older}/${dup.newer}`);
        await page.getByRole("heading", { name: "Merge duplicates", level: 1 }).waitFor();
        await check("merge");

        for (const screen of ["Import", "Export", "Settings"]) {
          await nav(page, screen);
          await page.getByRole("heading", { name: screen, level: 1 }).waitFor();
          await check(screen.toLowerCase());
        }
        assert.ok(found.length === 0, `\n${found.join("\n")}`);
        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  }
}
