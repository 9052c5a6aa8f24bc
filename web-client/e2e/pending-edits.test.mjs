// Editable the moment it shows: with thousands of people the document takes seconds to
// load in the worker, but an edit made before then is accepted and shown at once (queued in
// IndexedDB, drawn on the cached view), survives a reload before the load finishes, and is
// applied to the document exactly once when it is ready — reaching the server and a second
// device like any edit.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { ImmutableString } from "@automerge/automerge";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { api, changeAsDevice } from "./lib/node-device.mjs";
import { seedBulk } from "./lib/seed.mjs";
import { addPerson, nav, openPerson, PASSWORD, signUp, waitSynced } from "./lib/app.mjs";

// Big enough that loading the document takes seconds (npm run perf: 5–9 s for this size).
const PEOPLE = 5000;
const INTERACTIONS = 20000;

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

/** True once the worker has loaded the document itself (not the snapshot or the export). */
function documentLoaded(page) {
  return page.evaluate(() => performance.getEntriesByName("kith:view-from-document").length > 0);
}

async function exportedNamed(token, name) {
  const exp = await api(server.url, "/api/v1/export.json", { token });
  return Object.values(exp.contacts).filter((c) => c.name?.display === name && !c.archived);
}

// Loading 5,000 people several times over takes minutes on a busy 2-core machine (the
// e2e script's --test-timeout, per file, is 600 s for this file).
test("an edit made before the document has loaded shows at once, survives a reload, and reaches the server and another device once", { timeout: 600_000 }, async () => {
  // The page shows the server's export while the worker loads the document, and the two race
  // (same worker thread, same document on the server). Normally the export wins by seconds;
  // now and then (about one run in 15–20 of the browser suite here) the document loaded first, and this
  // run could not make an edit "before the document loaded". That is a run that tested
  // nothing, not a failure: try again on a fresh account, and fail if it never gets there.
  const TRIES = 3;
  for (let attempt = 1; attempt <= TRIES; attempt++) {
    const raced = await queuedEditScenario(attempt);
    if (!raced) return;
    console.log(`  try ${attempt}: ${raced}; again on a fresh account`);
  }
  assert.fail(`the document loaded before the test could act in ${TRIES} tries of ${TRIES}; make it bigger`);
});

/** One run on a fresh account and device; what raced ahead of the test, or null when the run was complete. */
async function queuedEditScenario(attempt) {
  const started = Date.now();
  const phase = (what) => console.log(`  ${((Date.now() - started) / 1000).toFixed(1)} s: ${what}${attempt > 1 ? ` (try ${attempt})` : ""}`);
  const email = uniqueEmail("pending");
  const account = await api(server.url, "/api/v1/accounts", { method: "POST", json: { email, password: PASSWORD } });
  await changeAsDevice(server.url, account, "seed", (d) => {
    seedBulk(d, { people: PEOPLE, interactions: INTERACTIONS });
    d.settings = { timezone: new ImmutableString("UTC"), reminderHour: 9, digest: true };
  });

  const phone = await device(browser, server.url, { width: 375, height: 812 });
  const laptop = await device(browser, server.url);
  try {
    await phone.context.addInitScript((s) => localStorage.setItem("kith.session", JSON.stringify(s)), {
      token: account.token,
      docId: account.doc_id,
      email,
    });
    phase("seeded");
    await phone.page.goto("/#/people");
    await phone.page.locator(".vlist .row-name").first().waitFor({ timeout: 30_000 });
    if (await documentLoaded(phone.page)) return "the document loaded before the list showed";

    phase("list shown");
    // The edit: add a person. It opens their page at once, from the queue.
    const t0 = Date.now();
    const id = await addPerson(phone.page, "Zelda Queued");
    const shownAfter = Date.now() - t0;
    if (await documentLoaded(phone.page)) return "the document loaded while the edit was being made";
    await phone.page.locator("[data-pending-edits]").waitFor();
    const marks = await phone.page.evaluate(() => performance.getEntriesByName("kith:edit-shown").length);
    assert.equal(marks, 1, "the edit went through the queue");
    console.log(`  edit shown ${shownAfter} ms after the click (document still loading)`);

    phase("edit shown");
    // Reload before the document has loaded: the queued edit is still there, still shown.
    await until(() => phone.page.evaluate(() => performance.getEntriesByName("kith:edit-stored").length === 1), { what: "the edit stored" });
    // An edit this version can't apply (as if queued by a newer Kith): it must be reported, not lost.
    await phone.page.evaluate(
      (docId) =>
        new Promise((resolve, reject) => {
          const req = indexedDB.open(`kith-pending-${docId}`, 1);
          req.onsuccess = () => {
            const tx = req.result.transaction("ops", "readwrite");
            tx.objectStore("ops").add({ id: "from-the-future", op: "teleport", args: [], message: "teleport", at: Date.now() });
            tx.oncomplete = () => resolve(req.result.close());
            tx.onerror = () => reject(tx.error);
          };
          req.onerror = () => reject(req.error);
        }),
      account.doc_id,
    );
    await phone.page.reload();
    await openPerson(phone.page, id);
    await phone.page.getByRole("heading", { name: "Zelda Queued", level: 1 }).waitFor();
    if (await documentLoaded(phone.page)) return "the document loaded before the reloaded page showed the edit";

    phase("edit shown again after the reload");
    // Once the document has loaded the queue is applied, stored and emptied; the server gets it.
    await until(() => documentLoaded(phone.page), { timeout: 120_000, what: "the document to load" });
    await phone.page.locator("[data-pending-edits]").waitFor({ state: "detached", timeout: 60_000 });
    const refused = phone.page.locator('[data-failed-edit="from-the-future"]');
    await refused.waitFor();
    assert.match(await refused.innerText(), /teleport/);
    await phone.page.getByRole("heading", { name: "Zelda Queued", level: 1 }).waitFor();
    const onServer = await until(async () => {
      const found = await exportedNamed(account.token, "Zelda Queued");
      return found.length > 0 && found;
    }, { timeout: 60_000, what: "the edit on the server" });
    phase("document loaded, queue applied, edit on the server");
    assert.deepEqual(onServer.map((c) => c.id), [id], "applied once, with the id the page showed");

    // Another device sees the person.
    await laptop.context.addInitScript((s) => localStorage.setItem("kith.session", JSON.stringify(s)), {
      token: account.token,
      docId: account.doc_id,
      email,
    });
    await openPerson(laptop.page, id);
    await laptop.page.getByRole("heading", { name: "Zelda Queued", level: 1 }).waitFor({ timeout: 30_000 });

    phase("second device shows it");
    await refused.getByRole("button", { name: "Dismiss" }).click();
    await refused.waitFor({ state: "detached" });

    // A further reload applies nothing again: the queue is empty and the server still has one.
    await phone.page.reload();
    await until(() => documentLoaded(phone.page), { timeout: 120_000, what: "the document to load again" });
    await until(() => phone.page.evaluate(() => performance.getEntriesByName("kith:queue-drained").length > 0), { what: "the queue checked" });
    assert.equal(await phone.page.locator("[data-pending-edits]").count(), 0);
    assert.equal((await exportedNamed(account.token, "Zelda Queued")).length, 1);
    phase("reloaded once more: nothing applied twice");
    assert.deepEqual([...phone.errors, ...laptop.errors], []);
    return null;
  } finally {
    await phone.context.close();
    await laptop.context.close();
  }
}

test("logging out deletes this device's edit queue with the rest of its copy", async () => {
  const { context, page, errors } = await device(browser, server.url);
  try {
    await signUp(page, uniqueEmail("pending-logout"));
    await addPerson(page, "Ada Lovelace");
    await waitSynced(page);
    const docId = await page.evaluate(() => JSON.parse(localStorage.getItem("kith.session")).docId);
    const names = () => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));
    assert.ok((await names()).includes(`kith-pending-${docId}`), "the queue's database exists while signed in");
    await nav(page, "Settings");
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Log in" }).waitFor();
    await until(async () => !(await names()).some((n) => n.endsWith(docId)), { what: "this device's copy deleted" });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
