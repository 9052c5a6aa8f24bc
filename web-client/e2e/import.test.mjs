// Import a vCard through the UI and see the people.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { listedNames, nav, signUp } from "./lib/app.mjs";

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

// An iPhone-style 3.0 card with an itemN label, and a vCard 2.1 card in quoted-printable.
const VCF = [
  "BEGIN:VCARD",
  "VERSION:3.0",
  "UID:e2e-ada-1",
  "N:Lovelace;Ada;;;",
  "FN:Ada Lovelace",
  "ORG:Analytical Engines",
  "item1.EMAIL;type=INTERNET:ada@example.org",
  "item1.X-ABLabel:Salon",
  "BDAY:1815-12-10",
  "END:VCARD",
  "BEGIN:VCARD",
  "VERSION:2.1",
  "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:G=C3=B6del;Kurt;;;",
  "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Kurt G=C3=B6del",
  "TEL;CELL:+43 1 234567",
  "END:VCARD",
  "",
].join("\r\n");

test("importing a vCard through the UI shows the report and the people", async () => {
  const { context, page, errors } = await device(browser, server.url);
  try {
    await signUp(page, uniqueEmail("import"));
    await nav(page, "Import");
    await page.getByLabel("Choose a .vcf or .csv file").setInputFiles({ name: "contacts.vcf", mimeType: "text/vcard", buffer: Buffer.from(VCF) });
    // First the preview (a dry run): nothing is imported until Apply.
    const preview = page.locator("[data-report=preview]");
    await preview.waitFor({ timeout: 15_000 });
    assert.equal(await preview.locator("[data-stat=created]").innerText(), "2");
    await nav(page, "People");
    await page.getByText("No people yet.").waitFor();
    assert.deepEqual(await listedNames(page), [], "the preview imported nothing");
    await nav(page, "Import");
    await page.getByLabel("Choose a .vcf or .csv file").setInputFiles({ name: "contacts.vcf", mimeType: "text/vcard", buffer: Buffer.from(VCF) });
    await preview.getByRole("button", { name: "Apply" }).click();
    const report = page.locator("[data-report=import]");
    await report.waitFor({ timeout: 15_000 });
    assert.equal(await report.locator("[data-stat=created]").innerText(), "2");
    assert.equal(await report.locator("[data-stat=errors]").innerText(), "0");

    await nav(page, "People");
    await until(async () => (await listedNames(page)).length === 2, { what: "two imported people" });
    assert.deepEqual((await listedNames(page)).sort(), ["Ada Lovelace", "Kurt Gödel"]);

    // Importing the same file again creates nobody new.
    await nav(page, "Import");
    await page.getByLabel("Choose a .vcf or .csv file").setInputFiles({ name: "contacts.vcf", mimeType: "text/vcard", buffer: Buffer.from(VCF) });
    await page.locator("[data-report=preview]").waitFor();
    assert.equal(await page.locator("[data-report=preview] [data-stat=created]").innerText(), "0");
    assert.equal(await page.locator("[data-report=preview] [data-stat=unchanged]").innerText(), "2");
    await page.getByRole("button", { name: "Nothing to import" }).waitFor();
    await nav(page, "People");
    // The screen renders after the click returns: wait for its rows, then check them all.
    await until(async () => (await listedNames(page)).length > 0, { what: "the People list after re-import" });
    assert.deepEqual((await listedNames(page)).sort(), ["Ada Lovelace", "Kurt Gödel"]);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
