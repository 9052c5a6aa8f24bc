/**
 * The page's side of the document worker: the current view, the sync state, operations.
 *
 * Until the worker has loaded the document (seconds for thousands of people), an edit is
 * queued in IndexedDB (pending.ts) and shown at once on top of the cached view
 * (optimistic.ts); the worker applies the queue when the document is ready. Afterwards
 * edits go straight to the worker as before.
 */
import type { Session } from "../api/client";
import type { KithView, Settings } from "../doc/schema";
import type { FromWorker, OpArgs, OpName, SyncState, ToWorker } from "./protocol";
import { applyDelta, type Indexed } from "./viewDiff";
import { pendingChannelName, PendingStore, type PendingOp } from "./pending";
import type { Overlayable } from "./optimistic";

/** Loaded beside the first view, not before it: it carries doc/ops.ts and a slice of Automerge. */
type Optimistic = typeof import("./optimistic");

/** A queued edit the document refused, for the user to see and dismiss or retry. */
export interface FailedEdit {
  id: string;
  message: string;
  /** What the edit was (its commit message, e.g. "log call"). */
  what: string;
  at: Date;
}

export class DocClient {
  view: KithView | null = null;
  /** True while the view comes from the start-up snapshot, before the document has loaded. */
  cached = false;
  state: SyncState = "loading";
  detail = "";
  /** The server is known to hold every change this device has (see `Connection.allSent`). */
  allSent = false;
  failure = "";
  /** Edits waiting for the document, oldest first (their effect is in `view`). */
  queued: PendingOp[] = [];
  failedEdits: FailedEdit[] = [];
  /** Set when the queue itself can't be read or written. */
  queueProblem = "";
  /** The document is loaded and the queue applied: edits go straight to the worker. */
  live = false;
  private indexed: Indexed | null = null;
  private settings: Settings | null = null;
  private store: PendingStore;
  private overlay: Optimistic | null = null;
  private overlayReady: Promise<void> | null = null;
  private channel: BroadcastChannel | null = null;
  /** Queued here, not yet confirmed stored. */
  private adding = new Set<string>();
  private seq = 0;
  private acked = 0;
  private req = 0;
  private replies = new Map<number, (m: FromWorker) => void>();
  private listeners = new Set<() => void>();
  private worker: Worker;
  private onOnline = () => this.send({ t: "online", online: true });
  private onOffline = () => this.send({ t: "online", online: false });

  constructor(session: Session) {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "kith-doc" });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      this.failure = e.message || "The document worker failed.";
      this.emit();
    };
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.store = new PendingStore(session.docId);
    if (typeof BroadcastChannel !== "undefined") {
      this.channel = new BroadcastChannel(pendingChannelName(session.docId));
      // Another tab queued an edit: show it too, or apply it if our document is loaded.
      this.channel.onmessage = () => {
        if (this.live) this.send({ t: "queued" });
        void this.refreshQueue();
      };
    }
    this.send({ t: "open", session, online: navigator.onLine, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? "" });
    // Edits from before a reload show again as soon as there is a view to show them on.
    void this.refreshQueue();
  }

  /** The overlay code, fetched once: after the first view (so it never delays it) or on demand. */
  private loadOverlay(): Promise<void> {
    this.overlayReady ??= import("./optimistic").then(
      (m) => {
        this.overlay = m;
        if (this.queued.length) {
          this.recompute();
          this.emit();
        }
      },
      () => undefined, // queued edits then show once the document has them
    );
    return this.overlayReady;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Applies `op` from doc/ops.ts to the document as one change with a commit message. */
  op<N extends OpName>(message: string, op: N, ...args: OpArgs<N>): void {
    if (this.live && this.queued.length === 0) {
      this.direct(message, op, args);
      return;
    }
    this.enqueue(message, op, args);
  }

  private direct(message: string, op: OpName, args: unknown[]) {
    this.seq += 1;
    this.send({ t: "op", seq: this.seq, message, op, args });
  }

  /** Accepts an edit before the document is ready: shown now, stored, applied by the worker later. */
  private enqueue(message: string, op: OpName, args: unknown[]) {
    const entry: PendingOp = { id: crypto.randomUUID(), op, args, message, at: Date.now() };
    const accept = () => {
      // Run it on what is shown: the page sees the edit at once, and ids it makes up are kept.
      const o = this.overlay;
      if (o && this.view) {
        const shown = this.shownBase();
        try {
          entry.args = o.withFixedIds(op, args, o.applyToView(shown, op, args));
          this.show(shown);
        } catch {
          /* shown once the document has it */
        }
      }
      this.queued.push(entry);
      this.adding.add(entry.id);
      performance.mark("kith:edit-shown");
      this.emit();
      this.store
        .add(entry)
        .then(() => {
          this.adding.delete(entry.id);
          performance.mark("kith:edit-stored");
          this.send({ t: "queued" });
          this.channel?.postMessage({ added: entry.id });
        })
        .catch((e) => {
          // No IndexedDB (private mode, full disk): keep it in memory; the worker applies it in order.
          this.adding.delete(entry.id);
          this.queued = this.queued.filter((q) => q.id !== entry.id);
          this.queueProblem = `Changes can't be saved on this device until your data has loaded (${String(e?.message ?? e)}); keep this tab open.`;
          this.direct(message, op, entry.args);
          this.emit();
        });
    };
    // Only the very first moments after a page load can get here before the overlay code.
    if (this.overlay) accept();
    else void this.loadOverlay().then(accept);
  }

  /** Forgets a failed edit for good. */
  async dismissFailed(id: string): Promise<void> {
    await this.store.remove([id]);
    await this.refreshQueue();
  }

  /** Queues a failed edit again. */
  async retryFailed(id: string): Promise<void> {
    await this.store.retry(id);
    await this.refreshQueue();
    this.send({ t: "queued" });
  }

  /** The overlay currently shown, as a copy to change. */
  private shownBase(): Overlayable {
    const v = this.view!;
    return {
      settings: v.settings,
      contacts: new Map(v.contacts),
      interactions: new Map(v.interactions.map((i) => [i.id, i])),
      notes: new Map(v.notes.map((n) => [n.id, n])),
      followUps: new Map(v.followUps.map((f) => [f.id, f])),
      relationships: new Map(v.relationships.map((r) => [r.id, r])),
    };
  }

  private show(o: Overlayable) {
    this.view = {
      settings: o.settings,
      contacts: o.contacts,
      interactions: [...o.interactions.values()],
      notes: [...o.notes.values()],
      followUps: [...o.followUps.values()],
      relationships: [...o.relationships.values()],
    };
  }

  /** The worker's view with every queued edit on top (in order). */
  private recompute() {
    if (!this.indexed || !this.settings) return;
    const base: Overlayable = { ...this.indexed, settings: this.settings };
    const o = this.overlay;
    if (this.queued.length === 0 || !o) {
      this.show(base);
      return;
    }
    const shown = o.copyView(base);
    for (const e of this.queued) {
      try {
        o.applyToView(shown, e.op, e.args);
      } catch {
        /* shown once the document has it */
      }
    }
    this.show(shown);
  }

  /** Re-reads the stored queue: entries applied by another tab go, entries queued by one come. */
  private async refreshQueue() {
    let stored: PendingOp[];
    try {
      stored = await this.store.list();
    } catch (e) {
      this.queueProblem = `Can't read the changes waiting on this device: ${String((e as Error)?.message ?? e)}`;
      this.emit();
      return;
    }
    const ids = new Set(stored.map((e) => e.id));
    const unsaved = this.queued.filter((e) => this.adding.has(e.id) && !ids.has(e.id));
    this.queued = [...stored.filter((e) => !e.failed), ...unsaved];
    if (this.queued.length) void this.loadOverlay();
    this.failedEdits = stored.filter((e) => e.failed).map((e) => ({ id: e.id, message: e.failed!, what: e.message, at: new Date(e.at) }));
    this.recompute();
    this.emit();
  }

  /** Operations sent but not yet reflected in `view`. */
  pending(): boolean {
    return this.acked < this.seq;
  }

  save(): Promise<Uint8Array> {
    return this.request({ t: "save", req: 0 }).then((m) => (m.t === "saved" ? m.bytes : new Uint8Array()));
  }

  async close(forget: boolean): Promise<void> {
    // The worker deletes the queue's database on log out; ours must not hold it open.
    if (forget) this.store.close();
    await this.request({ t: "close", req: 0, forget });
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.channel?.close();
    this.store.close();
    this.worker.terminate();
  }

  private request(m: Extract<ToWorker, { req: number }>): Promise<FromWorker> {
    const req = ++this.req;
    return new Promise((resolve) => {
      this.replies.set(req, resolve);
      this.send({ ...m, req });
    });
  }

  private send(m: ToWorker) {
    this.worker.postMessage(m);
  }

  private emit() {
    this.listeners.forEach((fn) => fn());
  }

  private receive(m: FromWorker) {
    switch (m.t) {
      case "view": {
        // A snapshot never replaces the loaded document.
        if (m.view.cached && this.view && !this.cached) return;
        // Marks for the performance measurement (perf/measure.mjs); cheap and harmless.
        if (m.view.full) performance.mark(m.view.cached ? "kith:view-from-snapshot" : "kith:view-from-document");
        const next = applyDelta(this.indexed, m.view);
        this.indexed = next.indexed;
        this.settings = next.view.settings;
        if (m.view.applied?.length) {
          const done = new Set(m.view.applied);
          this.queued = this.queued.filter((e) => !done.has(e.id));
        }
        if (this.queued.length === 0) this.view = next.view;
        else this.recompute();
        this.cached = m.view.cached;
        this.acked = Math.max(this.acked, m.view.ack);
        if (!this.overlayReady) setTimeout(() => void this.loadOverlay(), 0);
        break;
      }
      case "opFailed":
        this.queued = this.queued.filter((e) => e.id !== m.id);
        void this.refreshQueue();
        break;
      case "queueError":
        this.queueProblem = m.message;
        break;
      case "drained":
        this.live = true;
        performance.mark("kith:queue-drained");
        void this.refreshQueue();
        break;
      case "state":
        this.state = m.state;
        this.detail = m.detail;
        this.allSent = m.allSent;
        break;
      case "failed":
        this.failure = m.message;
        break;
      case "saved":
      case "closed":
        this.replies.get(m.req)?.(m);
        this.replies.delete(m.req);
        return;
    }
    this.emit();
  }
}
