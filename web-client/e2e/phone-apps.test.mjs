// Settings → Phone apps against a real kith: the calendar link made, read, rotated and turned
// off; app passwords made, shown once, listed and revoked — or, on a server without CardDAV
// (app passwords come with it), a clear "not available".
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
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

const VCF = ["BEGIN:VCARD", "VERSION:3.0", "UID:e2e-cal-ada", "FN:Ada Lovelace", "N:Lovelace;Ada;;;", "BDAY:--12-10", "END:VCARD", ""].join("\r\n");

async function get(url) {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get("content-type"), text: await res.text() };
}

test("the calendar link is created, read as a calendar, rotated and turned off from Settings", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 375, height: 800 });
  try {
    await signUp(page, uniqueEmail("calendar"));
    await nav(page, "Import");
    await page.getByLabel("Choose a .vcf or .csv file").setInputFiles({ name: "ada.vcf", mimeType: "text/vcard", buffer: Buffer.from(VCF) });
    await page.locator("[data-report=preview]").getByRole("button", { name: "Apply" }).click();
    await page.locator("[data-report=import]").waitFor({ timeout: 15_000 });

    await nav(page, "Settings");
    const calendar = page.locator("[data-part=calendar-feed]");

    await calendar.getByRole("button", { name: "Create calendar link" }).click();
    const link = calendar.getByLabel("Calendar link");
    await link.waitFor();
    const first = await link.inputValue();
    assert.match(first, new RegExp(`^${server.url}/cal/[A-Za-z0-9_-]{43}\\.ics$`));
    const feed = await get(first);
    assert.equal(feed.status, 200);
    assert.equal(feed.type, "text/calendar; charset=utf-8");
    assert.ok(feed.text.startsWith("BEGIN:VCALENDAR\r\n"), feed.text);
    assert.ok(feed.text.includes("SUMMARY:Ada Lovelace's birthday\r\n"), feed.text);

    // A new link: the old one stops working.
    await calendar.getByRole("button", { name: "Make a new link" }).click();
    await until(async () => (await link.inputValue()) !== first, { what: "a new calendar link" });
    const second = await link.inputValue();
    assert.equal((await get(first)).status, 404);
    assert.equal((await get(second)).status, 200);

    // After a reload the link is on but not shown again (only its hash is stored).
    await page.reload();
    await page.locator("[data-part=calendar-feed] [data-status=on]").waitFor();
    assert.equal(await calendar.getByLabel("Calendar link").count(), 0);

    await calendar.getByRole("button", { name: "Turn off" }).click();
    await calendar.getByRole("button", { name: "Create calendar link" }).waitFor();
    assert.equal((await get(second)).status, 404);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("app passwords are made, shown once, listed and revoked — or said to be unavailable", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 375, height: 800 });
  try {
    await signUp(page, uniqueEmail("apppw"));
    const token = await page.evaluate(() => JSON.parse(localStorage.getItem("kith.session") ?? "null")?.token);
    const probe = await fetch(`${server.url}/api/v1/app-passwords`, { headers: { Authorization: `Bearer ${token}` } });
    await nav(page, "Settings");
    const book = page.locator("[data-part=address-book]");
    if (probe.status === 404) {
      // A server without CardDAV: the UI says so instead of failing obscurely.
      await book.locator("[data-status=unavailable]").waitFor();
      assert.equal(await book.getByRole("button", { name: "New app password" }).count(), 0);
      assert.deepEqual(errors, []);
      return;
    }
    assert.equal(probe.status, 200, "the token was found and the endpoint answers");
    assert.equal(await book.getByLabel("User name").inputValue(), await page.evaluate(() => JSON.parse(localStorage.getItem("kith.session")).email));
    await book.getByLabel("Name of the new app password").fill("Ada's iPhone");
    await book.getByRole("button", { name: "New app password" }).click();
    const shown = book.locator("[data-new-app-password] input");
    await shown.waitFor();
    assert.ok((await shown.inputValue()).length >= 16);
    await book.locator("[data-app-password]").filter({ hasText: "Ada's iPhone" }).waitFor();
    await page.reload();
    await nav(page, "Settings");
    await book.locator("[data-app-password]").filter({ hasText: "Ada's iPhone" }).waitFor();
    assert.equal(await book.locator("[data-new-app-password]").count(), 0, "the password is shown only once");
    await book.getByRole("button", { name: "Revoke" }).click();
    await until(async () => (await book.locator("[data-app-password]").count()) === 0, { what: "the revoked password gone" });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
