// Performance measurement (prints numbers, asserts nothing): 5,000 people and 20,000
// interactions; page load to a usable People list (cold: empty browser storage, and warm:
// reload from IndexedDB), to the first edit accepted and shown (made as soon as the list is
// usable, while the document is still loading) and to that edit on the server, search
// keystroke to updated results, production bundle size.
// Run: npm run build && node perf/measure.mjs   (needs the kith binary, see e2e/lib/server.mjs)
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { launch } from "../e2e/lib/browser.mjs";
import { startKith, uniqueEmail, webDir } from "../e2e/lib/server.mjs";
import { api, changeAsDevice } from "../e2e/lib/node-device.mjs";
import { seedBulk } from "../e2e/lib/seed.mjs";

const PEOPLE = Number(process.env.PERF_PEOPLE ?? 5000);
const INTERACTIONS = Number(process.env.PERF_INTERACTIONS ?? 20000);
const RUNS = Number(process.env.PERF_RUNS ?? 3);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
const ms = (x) => `${x.toFixed(1)} ms`;
const docLoaded = [];
const edits = { cold: [], warm: [] };

function bundleSize() {
  const rows = [];
  const walk = (dir) => {
    for (const f of readdirSync(dir)) {
      const p = path.join(dir, f);
      if (statSync(p).isDirectory()) walk(p);
      else rows.push({ file: path.relative(webDir, p), raw: statSync(p).size, gz: gzipSync(readFileSync(p)).length });
    }
  };
  walk(webDir);
  return rows;
}

// Records, in the page, when the People list first shows rows and all of them are counted.
function observeListReady(expected) {
  const check = () => {
    const count = document.querySelector("[data-count]");
    const row = document.querySelector(".vlist .row-name");
    // At least: an edit made on an earlier visit may have added someone.
    if (row && count && Number(count.getAttribute("data-count")) >= expected && !window.__listReady) {
      window.__listReady = performance.now();
    }
    // The edit (see editWhileLoading) is shown when the new person's page heading is.
    if (window.__editName && !window.__editShown && document.querySelector("h1")?.textContent === window.__editName) {
      window.__editShown = performance.now();
    }
    // Synced: the document is loaded, its queue applied (this branch; before it there was no
    // queue and the edit waited in the worker), and the server has every change.
    const loaded = performance.getEntriesByName(performance.getEntriesByName("kith:queue-drained").length ? "kith:queue-drained" : "kith:view-from-document").length > 0;
    if (window.__editShown && !window.__editSynced && loaded && document.querySelector("[data-sync]")?.getAttribute("data-sync") === "synced") {
      window.__editSynced = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  // Marks aren't DOM changes: look again now and then.
  setInterval(check, 100);
  // The moment the user submits the edit (capture: before the app's own handler runs).
  document.addEventListener("submit", () => (window.__editSubmitted ??= performance.now()), true);
}

/**
 * As soon as the list is usable (the document is still loading in the worker): add a
 * person the way a user would, and time submit → their page shown, and → on the server.
 */
async function editWhileLoading(page, server, token, name) {
  const loadedBefore = await page.evaluate(() => performance.getEntriesByName("kith:view-from-document").length > 0);
  await page.getByRole("button", { name: "+ Add person" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.evaluate((n) => (window.__editName = n), name);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.waitForFunction(() => window.__editShown, null, { timeout: 120_000, polling: 10 });
  const t = await page.evaluate(() => ({ submitted: window.__editSubmitted, shown: window.__editShown, origin: performance.timeOrigin }));
  if (process.env.PERF_VERBOSE) {
    const queued = await page.evaluate(() => performance.getEntriesByName("kith:edit-shown")[0]?.startTime);
    console.log(`  edit: submitted ${ms(t.submitted)}, in the view ${queued ? ms(queued) : "-"}, on screen ${ms(t.shown)}`);
  }
  // Synced: after the document has loaded (and applied the queue), the sync badge says the
  // server holds every local change; the server's export confirms it (polling the export of
  // 5,000 people would itself slow the server, so only then).
  await page.waitForFunction(() => window.__editSynced, null, { timeout: 180_000, polling: 20 });
  let synced = await page.evaluate(() => window.__editSynced);
  for (let first = true; ; first = false) {
    const exp = await api(server.url, "/api/v1/export.json", { token });
    if (Object.values(exp.contacts).some((c) => c.name?.display === name)) break;
    if (first) console.log("  (the badge said synced before the server had the edit; polling the export)");
    await new Promise((r) => setTimeout(r, 500));
    synced = Date.now() - t.origin;
  }
  return { loadedBefore, submitted: t.submitted, shown: t.shown, accept: t.shown - t.submitted, synced, submitToSynced: synced - t.submitted };
}

async function loadOnce(page, reload, edit) {
  if (reload) {
    // Back to the list first: the edit of the previous visit left us on a person's page.
    await page.evaluate(() => (location.hash = "#/people"));
    await page.reload();
  } else await page.goto("/#/people");
  await page.waitForFunction(() => window.__listReady, null, { timeout: 60_000, polling: 20 });
  const listReady = await page.evaluate(() => window.__listReady);
  if (edit) edits[reload ? "warm" : "cold"].push(await edit());
  // When the document itself (not the snapshot) has loaded and the app is fully live.
  await page.waitForFunction(() => performance.getEntriesByName("kith:view-from-document").length > 0, null, { timeout: 120_000, polling: 20 });
  const marks = await page.evaluate(() =>
    Object.fromEntries(performance.getEntriesByType("mark").filter((m) => m.name.startsWith("kith:")).map((m) => [m.name.slice(5), m.startTime])),
  );
  docLoaded.push(marks["view-from-document"]);
  if (process.env.PERF_VERBOSE) console.log("  marks:", JSON.stringify(marks));
  return listReady;
}

async function keystrokes(page, text) {
  return page.evaluate(async (text) => {
    const input = document.querySelector('input[type="search"]');
    const count = document.querySelector("[data-count]");
    const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value").set;
    const out = [];
    input.focus();
    for (let i = 1; i <= text.length; i++) {
      const t0 = performance.now();
      setter.call(input, text.slice(0, i));
      input.dispatchEvent(new Event("input", { bubbles: true }));
      // Preact re-renders in a microtask after the event, so the DOM is updated by the
      // time a zero-delay timer runs; the next animation frame is when it is painted.
      await new Promise((r) => setTimeout(r, 0));
      const dom = performance.now() - t0;
      await new Promise((r) => requestAnimationFrame(() => r()));
      out.push({ q: text.slice(0, i), dom, paint: performance.now() - t0, results: Number(count.getAttribute("data-count")) });
    }
    setter.call(input, "");
    input.dispatchEvent(new Event("input", { bubbles: true }));
    return out;
  }, text);
}

const server = await startKith();
const browser = await launch();
try {
  const email = uniqueEmail("perf");
  const account = await api(server.url, "/api/v1/accounts", { method: "POST", json: { email, password: "correct horse battery staple" } });
  const t0 = Date.now();
  await changeAsDevice(server.url, account, "seed perf data", (d) => seedBulk(d, { people: PEOPLE, interactions: INTERACTIONS }));
  console.log(`seeded ${PEOPLE} people + ${INTERACTIONS} interactions through /sync in ${Date.now() - t0} ms`);

  const cold = [];
  const warm = [];
  let typing = [];
  for (let run = 0; run < RUNS; run++) {
    const context = await browser.newContext({ baseURL: server.url, viewport: { width: 1280, height: 800 } });
    await context.addInitScript(observeListReady, PEOPLE);
    await context.addInitScript((s) => localStorage.setItem("kith.session", JSON.stringify(s)), { token: account.token, docId: account.doc_id, email });
    const page = await context.newPage();
    if (process.env.PERF_VERBOSE) page.on("console", (m) => m.text().startsWith("T ") && console.log("   ", m.text()));
    const edit = (tag) => () => editWhileLoading(page, server, account.token, `Perf Edit ${run} ${tag}`);
    cold.push(await loadOnce(page, false, edit("cold")));
    // Let the first visit finish writing the document to IndexedDB, then reload from it.
    await page.waitForFunction(() => document.querySelector("[data-sync]")?.getAttribute("data-sync") === "synced", null, { timeout: 60_000 });
    // Wait until the worker has stored the start-up snapshot a returning visit reads.
    await page.waitForFunction(
      ({ docId, expected }) =>
        new Promise((resolve) => {
          const req = indexedDB.open("kith-view-cache", 1);
          req.onupgradeneeded = () => req.result.createObjectStore("views");
          req.onsuccess = () => {
            const get = req.result.transaction("views").objectStore("views").get(docId);
            get.onsuccess = () => resolve(get.result?.contacts?.length === expected);
            get.onerror = () => resolve(false);
          };
          req.onerror = () => resolve(false);
        }),
      { docId: account.doc_id, expected: PEOPLE },
      { timeout: 60_000, polling: 100 },
    );
    warm.push(await loadOnce(page, true, edit("warm")));
    await page.goto("/#/people");
    await page.locator('input[type="search"]').waitFor();
    // A name, a #tag, and a name typed with an accent it does not have (folded search).
    for (const q of ["grace hop", "#book", "torvälds"]) typing = typing.concat(await keystrokes(page, q));
    await context.close();
  }
  console.log(`\nPage load → usable People list (${PEOPLE} people), median of ${RUNS}:`);
  console.log(`  cold (empty browser storage, document fetched over /sync): ${ms(median(cold))}   runs: ${cold.map(ms).join(", ")}`);
  console.log(`  warm (document from IndexedDB):                            ${ms(median(warm))}   runs: ${warm.map(ms).join(", ")}`);
  console.log(`  document itself loaded (editable, syncing), cold then warm per run: ${docLoaded.map(ms).join(", ")}`);
  for (const kind of ["cold", "warm"]) {
    const e = edits[kind];
    console.log(`\nFirst edit (add a person) made as soon as the list is usable, ${kind} visit; document already loaded then: ${e.map((x) => x.loadedBefore).join(", ")}`);
    console.log(`  submit → shown (accepted):          median ${ms(median(e.map((x) => x.accept)))}   runs: ${e.map((x) => ms(x.accept)).join(", ")}`);
    console.log(`  page load → list usable + that:     median ${ms(median(e.map((x, i) => (kind === "cold" ? cold[i] : warm[i]) + x.accept)))}`);
    console.log(`  page load → edit shown (as driven): median ${ms(median(e.map((x) => x.shown)))}   runs: ${e.map((x) => ms(x.shown)).join(", ")}`);
    console.log(`  page load → edit on the server:     median ${ms(median(e.map((x) => x.synced)))}   runs: ${e.map((x) => ms(x.synced)).join(", ")}`);
  }
  console.log(`\nSearch keystroke → updated results (${typing.length} keystrokes):`);
  console.log(`  DOM updated: median ${ms(median(typing.map((k) => k.dom)))}, max ${ms(Math.max(...typing.map((k) => k.dom)))}`);
  console.log(`  next frame:  median ${ms(median(typing.map((k) => k.paint)))}, max ${ms(Math.max(...typing.map((k) => k.paint)))}`);
  console.log(`  e.g. ${typing.slice(0, 26).map((k) => `"${k.q}"→${k.results}`).join(" ")}`);
  const files = bundleSize();
  console.log("\nProduction bundle (web-client/dist):");
  for (const f of files.filter((f) => f.file.startsWith("assets/") || f.file === "sw.js" || f.file === "index.html")) {
    console.log(`  ${f.file.padEnd(36)} ${(f.raw / 1024).toFixed(1).padStart(8)} KiB  gzip ${(f.gz / 1024).toFixed(1).padStart(7)} KiB`);
  }
  const js = files.filter((f) => f.file.endsWith(".js") || f.file.endsWith(".css"));
  const all = files.filter((f) => f.file.startsWith("assets/"));
  console.log(`  JS+CSS total: ${(js.reduce((a, f) => a + f.raw, 0) / 1024).toFixed(1)} KiB (gzip ${(js.reduce((a, f) => a + f.gz, 0) / 1024).toFixed(1)} KiB); with Automerge wasm: ${(all.reduce((a, f) => a + f.raw, 0) / 1024).toFixed(1)} KiB (gzip ${(all.reduce((a, f) => a + f.gz, 0) / 1024).toFixed(1)} KiB)`);
} finally {
  await browser.close();
  await server.stop();
}
