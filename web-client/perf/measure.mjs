// Performance measurement (prints numbers, asserts nothing): 5,000 people and 20,000
// interactions; page load to a usable People list (cold: empty browser storage, and warm:
// reload from IndexedDB), search keystroke to updated results, production bundle size.
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
    if (row && count && Number(count.getAttribute("data-count")) === expected && !window.__listReady) {
      window.__listReady = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
}

async function loadOnce(page, reload) {
  if (reload) await page.reload();
  else await page.goto("/#/people");
  await page.waitForFunction(() => window.__listReady, null, { timeout: 60_000, polling: 20 });
  // When the document itself (not the snapshot) has loaded and the app is fully live.
  await page.waitForFunction(() => performance.getEntriesByName("kith:view-from-document").length > 0, null, { timeout: 120_000, polling: 20 });
  const marks = await page.evaluate(() =>
    Object.fromEntries(performance.getEntriesByType("mark").filter((m) => m.name.startsWith("kith:")).map((m) => [m.name.slice(5), m.startTime])),
  );
  docLoaded.push(marks["view-from-document"]);
  if (process.env.PERF_VERBOSE) console.log("  marks:", JSON.stringify(marks));
  return page.evaluate(() => window.__listReady);
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
    cold.push(await loadOnce(page, false));
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
    warm.push(await loadOnce(page, true));
    typing = typing.concat(await keystrokes(page, "grace hop"));
    await context.close();
  }
  console.log(`\nPage load → usable People list (${PEOPLE} people), median of ${RUNS}:`);
  console.log(`  cold (empty browser storage, document fetched over /sync): ${ms(median(cold))}   runs: ${cold.map(ms).join(", ")}`);
  console.log(`  warm (document from IndexedDB):                            ${ms(median(warm))}   runs: ${warm.map(ms).join(", ")}`);
  console.log(`  document itself loaded (editable, syncing), cold then warm per run: ${docLoaded.map(ms).join(", ")}`);
  console.log(`\nSearch keystroke → updated results (${typing.length} keystrokes):`);
  console.log(`  DOM updated: median ${ms(median(typing.map((k) => k.dom)))}, max ${ms(Math.max(...typing.map((k) => k.dom)))}`);
  console.log(`  next frame:  median ${ms(median(typing.map((k) => k.paint)))}, max ${ms(Math.max(...typing.map((k) => k.paint)))}`);
  console.log(`  e.g. ${typing.slice(0, 9).map((k) => `"${k.q}"→${k.results}`).join(" ")}`);
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
