// Log an interaction from Today and watch the person leave the overdue list.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { addPerson, nav, signUp } from "./lib/app.mjs";

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

function localInput(d) {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

test("'I reached out' on Today clears an overdue person", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 375, height: 812 });
  try {
    await signUp(page, uniqueEmail("today"));
    await addPerson(page, "Olga Overdue");
    await page.getByLabel("Keep in touch").selectOption("7");
    // Last talked 30 days ago, weekly cadence: overdue.
    await page.getByLabel("When").fill(localInput(new Date(Date.now() - 30 * 86_400_000)));
    await page.getByRole("button", { name: "Log", exact: true }).click();
    await page.locator("[data-status=overdue]").waitFor();

    await nav(page, "Today");
    const overdue = page.locator("[data-list=overdue]");
    const row = overdue.locator(".row", { hasText: "Olga Overdue" });
    await row.waitFor();
    // Overdue is shown in red.
    const colour = await row.locator(".due-text").evaluate((el) => getComputedStyle(el).color);
    assert.equal(colour, "rgb(198, 40, 40)");

    // At 375 px the one-tap actions sit behind "Log".
    await page.getByRole("button", { name: "Log contact with Olga Overdue" }).click();
    await page.getByRole("button", { name: "Called Olga Overdue" }).click();
    await until(async () => (await overdue.count()) === 0, { what: "Olga to leave the overdue list" });

    // The call is in her timeline.
    await nav(page, "People");
    await page.locator(".vlist .row-name", { hasText: "Olga Overdue" }).click();
    await until(async () => (await page.locator(".timeline li").count()) === 2, { what: "two interactions in the timeline" });
    assert.equal(await page.locator("[data-status]").getAttribute("data-status"), "ok");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
