// Two browser contexts as two devices of one user, against a real `kith serve`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { addPerson, logIn, nav, openPerson, setField, signUp, syncState, waitSynced } from "./lib/app.mjs";

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

async function twoDevices() {
  const a = await device(browser, server.url);
  const b = await device(browser, server.url);
  const email = uniqueEmail("two");
  await signUp(a.page, email);
  await logIn(b.page, email, "phone");
  await waitSynced(a.page);
  await waitSynced(b.page);
  return { a, b };
}

test("a person added on one device shows up on the other within 2 s", async () => {
  const { a, b } = await twoDevices();
  try {
    await nav(b.page, "People");
    await addPerson(a.page, "Grace Hopper");
    // The deadline starts once device A has the person on screen.
    await b.page.locator(".vlist .row-name", { hasText: "Grace Hopper" }).waitFor({ timeout: 2000 });
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test("both devices offline edit the same person and the same note, then converge", async () => {
  const { a, b } = await twoDevices();
  try {
    const id = await addPerson(a.page, "Alan Turing");
    await a.page.getByRole("button", { name: "+ Add note" }).click();
    const noteA = a.page.getByLabel("Note 1", { exact: true });
    await noteA.click();
    await a.page.keyboard.type("Met at Bletchley.");
    await waitSynced(a.page);
    await openPerson(b.page, id);
    const noteB = b.page.getByLabel("Note 1", { exact: true });
    await until(async () => (await noteB.inputValue()) === "Met at Bletchley.", { what: "note on device B" });

    await a.context.setOffline(true);
    await b.context.setOffline(true);
    await until(async () => (await syncState(a.page)) === "offline" && (await syncState(b.page)) === "offline", { what: "offline badges" });

    // Different fields of the same person (details are edited on demand)...
    await a.page.getByRole("button", { name: "Edit details" }).click();
    await b.page.getByRole("button", { name: "Edit details" }).click();
    await setField(a.page, "Company", "Bletchley Park");
    await setField(b.page, "Job title", "Cryptanalyst");
    // ...and the same note: A types at the start, B at the end.
    await noteA.click();
    await a.page.keyboard.press("Control+Home");
    await a.page.keyboard.type("Codebreaker. ");
    await noteB.click();
    await b.page.keyboard.press("Control+End");
    await b.page.keyboard.type(" Runs marathons.");

    // Still apart while offline.
    assert.equal(await a.page.getByLabel("Job title", { exact: true }).inputValue(), "");
    assert.equal(await b.page.getByLabel("Company", { exact: true }).inputValue(), "");

    await a.context.setOffline(false);
    await b.context.setOffline(false);
    const expected = "Codebreaker. Met at Bletchley. Runs marathons.";
    for (const d of [a, b]) {
      await until(
        async () =>
          (await d.page.getByLabel("Company", { exact: true }).inputValue()) === "Bletchley Park" &&
          (await d.page.getByLabel("Job title", { exact: true }).inputValue()) === "Cryptanalyst" &&
          (await d.page.getByLabel("Note 1", { exact: true }).inputValue()) === expected,
        { timeout: 15_000, what: "both devices to converge" },
      );
      await waitSynced(d.page);
    }
    // And it survives a reload from the device's own storage.
    await b.page.reload();
    await b.page.locator("#person-h").waitFor();
    assert.equal(await b.page.getByLabel("Note 1", { exact: true }).inputValue(), expected);
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
