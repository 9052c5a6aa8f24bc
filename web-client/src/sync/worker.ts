/// <reference lib="webworker" />
/**
 * The document worker: Automerge (wasm), automerge-repo, IndexedDB and the sync socket
 * live here, so loading or merging thousands of contacts never blocks typing or scrolling.
 * The page sends named operations (doc/ops.ts) and receives view deltas. Edits made before
 * the document has loaded wait in IndexedDB (pending.ts) and are applied here once it has
 * (drain.ts).
 */
import { initializeWasm, save } from "@automerge/automerge/slim";
import wasmUrl from "@automerge/automerge/automerge.wasm?url";
import * as ops from "../doc/ops";
import type { RawDoc } from "../doc/schema";
import { hydrate, withV2Defaults } from "../doc/hydrate";
import { connect, forgetLocalCopy, type Connection } from "./connection";
import type { FromWorker, ToWorker } from "./protocol";
import { diffViews, index, isEmptyDelta, type Indexed } from "./viewDiff";
import { deleteViewCache, readViewCache, writeViewCache } from "./viewCache";
import { rawFromExport } from "./exportView";
import { drain, type QueueTarget } from "./drain";
import { applyLiveEdit } from "./liveEdit";
import { forgetPending, pendingChannelName, PendingStore } from "./pending";

declare const self: DedicatedWorkerGlobalScope;

const post = (m: FromWorker, transfer: Transferable[] = []) => self.postMessage(m, transfer);
const CACHE_DELAY_MS = 1500;

let conn: Connection | null = null;
let ready: Promise<Connection> | null = null;
let docId = "";
let prev: Indexed | null = null;
let ack = 0;
let postedAck = -1;
let cacheTimer: ReturnType<typeof setTimeout> | undefined;
let cacheWritten = false;
let queue: PendingStore | null = null;

function publish(applied: string[] = []) {
  if (!conn) return;
  const view = hydrate(conn.handle.doc());
  const next = index(view);
  const delta = diffViews(prev, next, view, ack);
  prev = next;
  if (isEmptyDelta(delta) && postedAck === ack && applied.length === 0) return;
  postedAck = ack;
  post({ t: "view", view: applied.length ? { ...delta, applied } : delta });
  // Refresh the start-up snapshot once things settle (at once after the first load).
  clearTimeout(cacheTimer);
  cacheTimer = setTimeout(
    () => {
      cacheWritten = true;
      if (prev) void writeViewCache(docId, diffViews(null, prev, view, 0, true));
    },
    cacheWritten ? CACHE_DELAY_MS : 0,
  );
}

async function open(m: Extract<ToWorker, { t: "open" }>) {
  docId = m.session.docId;
  queue = new PendingStore(docId);
  // A returning user sees their people from the snapshot while the document loads.
  const cached = await readViewCache(docId);
  if (cached && !prev) post({ t: "view", view: { ...cached, contacts: cached.contacts.map(withV2Defaults), cached: true, ack: 0 } });
  // A first visit on this device has no snapshot: show the server's export meanwhile.
  else if (!cached && m.online) void showExport(m.session.token);
  await initializeWasm(wasmUrl);
  const c = await connect(m.session, m.online);
  conn = c;
  c.onState(() => post({ t: "state", state: c.state(), detail: c.detail(), allSent: c.allSent() }));
  c.handle.on("change", () => publish());
  adoptTimezone(c, m.timezone);
  publish();
  post({ t: "state", state: c.state(), detail: c.detail(), allSent: c.allSent() });
  // Not awaited: another tab may hold the queue's lock for a while (or be frozen in the
  // background holding it); the page keeps drawing queued edits over this view until then,
  // and sends edits straight here only once told the queue is drained.
  void drainQueue(c);
  return c;
}

/** The loaded document as the queue and live edits change it. */
function documentTarget(c: Connection): QueueTarget {
  return { doc: () => c.handle.doc(), change: (fn, message) => c.handle.change(fn, { message }), persist: () => c.flush() };
}

/** Tabs drain one at a time, so no queued edit is applied twice (see drain.ts). */
function withQueueLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = (self.navigator as Navigator & { locks?: LockManager }).locks;
  return locks ? (locks.request(pendingChannelName(docId), fn) as Promise<T>) : fn();
}

let draining: Promise<void> | null = null;
let drainAgain = false;

/** Applies the edit queue to the loaded document, then tells the page edits may go straight in. */
function drainQueue(c: Connection): Promise<void> {
  if (draining) {
    drainAgain = true;
    return draining;
  }
  draining = (async () => {
    do {
      drainAgain = false;
      try {
        await drain(
          queue!,
          documentTarget(c),
          {
            withLock: withQueueLock,
            onApplied: (batch) => {
              for (const f of batch.failed) post({ t: "opFailed", id: f.id, message: f.message });
              publish([...batch.applied, ...batch.alreadyApplied]);
            },
          },
        );
      } catch (err) {
        post({ t: "queueError", message: `Edits made before your data loaded are kept on this device but could not be applied yet: ${String((err as Error)?.message ?? err)}` });
      }
    } while (drainAgain);
    post({ t: "drained" });
  })().finally(() => (draining = null));
  return draining;
}

/** Posts the server's export.json as a start-up view, unless the document got here first.
 * Only a speed-up: any failure leaves the page waiting for the document as before. */
async function showExport(token: string) {
  try {
    const res = await fetch("/api/v1/export.json", { headers: { Authorization: `Bearer ${token}` } });
    if (!res.ok || prev) return;
    const raw = rawFromExport(await res.json());
    if (!raw || prev) return;
    const view = hydrate(raw);
    if (prev) return;
    post({ t: "view", view: diffViews(null, index(view), view, 0, true) });
  } catch {
    /* offline or not an export: the document will do */
  }
}

/** A brand new document gets this device's time zone, so reminders arrive at a local hour. */
function adoptTimezone(c: Connection, tz: string) {
  const raw = c.handle.doc() as RawDoc | undefined;
  const empty = !raw?.contacts || Object.keys(raw.contacts).length === 0;
  const current = raw?.settings?.timezone;
  if (tz && tz !== "UTC" && empty && (current === undefined || String(current) === "UTC")) {
    c.handle.change((d) => ops.setSettings(ops.ensureShape(d), { timezone: tz }), { message: "settings: detected time zone" });
  }
}

self.onmessage = async (e: MessageEvent<ToWorker>) => {
  const m = e.data;
  switch (m.t) {
    case "open":
      ready = open(m);
      ready.catch((err) => post({ t: "failed", message: String(err?.message ?? err) }));
      break;
    case "online":
      (await ready)?.setOnline(m.online);
      break;
    case "queued": {
      const c = await ready?.catch(() => null);
      if (c) void drainQueue(c);
      break;
    }
    case "op": {
      const c = await ready;
      if (!c) return;
      ack = m.seq;
      applyLiveEdit(documentTarget(c), m, publish);
      break;
    }
    case "save": {
      const c = await ready;
      const bytes = c ? save(c.handle.doc()) : new Uint8Array();
      post({ t: "saved", req: m.req, bytes }, [bytes.buffer]);
      break;
    }
    case "close": {
      clearTimeout(cacheTimer);
      const c = await ready?.catch(() => null);
      // Let a drain under way finish storing (its entries stay queued if cut short), but
      // don't wait on another tab holding the queue's lock.
      await Promise.race([draining?.catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
      await c?.close();
      queue?.close();
      if (m.forget) {
        await forgetLocalCopy(docId);
        await deleteViewCache(docId);
        await forgetPending(docId);
      }
      post({ t: "closed", req: m.req });
      break;
    }
  }
};
