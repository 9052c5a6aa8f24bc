// After the first load the app starts with no network at all: the service worker serves
// the app shell and the document comes from IndexedDB; offline edits sync on reconnect.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { addPerson, listedNames, logIn, nav, signUp, syncState, waitSynced } from "./lib/app.mjs";

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

test("the app starts offline from its cache and syncs what was done offline", async () => {
  const phone = await device(browser, server.url, { width: 375, height: 812 });
  const laptop = await device(browser, server.url);
  try {
    const email = uniqueEmail("offline");
    await signUp(phone.page, email);
    await addPerson(phone.page, "Katherine Johnson");
    await waitSynced(phone.page);
    // The service worker has taken control and cached the shell.
    await until(() => phone.page.evaluate(() => navigator.serviceWorker.controller !== null), { what: "service worker control" });

    await phone.context.setOffline(true);
    await phone.page.reload();
    await nav(phone.page, "People");
    // Offline the worker loads the document from IndexedDB alone; on a loaded 2-core machine that
    // can take longer than the default wait.
    await until(async () => (await listedNames(phone.page)).includes("Katherine Johnson"), { timeout: 30_000, what: "people listed offline" });
    assert.equal(await syncState(phone.page), "offline");
    await addPerson(phone.page, "Dorothy Vaughan");

    await logIn(laptop.page, email, "laptop");
    await nav(laptop.page, "People");
    await until(async () => (await listedNames(laptop.page)).includes("Katherine Johnson"), { what: "laptop list" });
    assert.ok(!(await listedNames(laptop.page)).includes("Dorothy Vaughan"), "offline edit leaked");

    await phone.context.setOffline(false);
    await until(async () => (await listedNames(laptop.page)).includes("Dorothy Vaughan"), { timeout: 15_000, what: "offline edit to arrive" });
    assert.deepEqual([...phone.errors, ...laptop.errors], []);
  } finally {
    await phone.context.close();
    await laptop.context.close();
  }
});

test("logging out with changes the server doesn't have yet asks first, and keeps them if declined", async () => {
  const { context, page, errors } = await device(browser, server.url);
  try {
    await signUp(page, uniqueEmail("unsent"));
    await addPerson(page, "Mary Jackson");
    await waitSynced(page);

    await context.setOffline(true);
    await until(async () => (await syncState(page)) === "offline", { what: "offline" });
    await addPerson(page, "Christine Darden");
    await nav(page, "Settings");
    const asked = [];
    const decline = async (dialog) => {
      asked.push(dialog.message());
      await dialog.dismiss();
    };
    // `device` accepts every dialog; this test answers for itself.
    page.removeAllListeners("dialog");
    page.on("dialog", decline);
    await page.getByRole("button", { name: "Log out" }).click();
    await until(() => asked.length === 1, { what: "the question before logging out" });
    assert.match(asked[0], /offline.*Logging out deletes them from this device/);
    // Declined: still signed in, the offline edit still here.
    await nav(page, "People");
    assert.ok((await listedNames(page)).includes("Christine Darden"));

    // Back online the edit reaches the server; then logging out asks nothing.
    await context.setOffline(false);
    await waitSynced(page, 15_000);
    await nav(page, "Settings");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Log in" }).waitFor();
    assert.equal(asked.length, 1, "no question once everything was sent");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
