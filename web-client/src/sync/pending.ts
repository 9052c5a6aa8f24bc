/**
 * Edits made before the document has loaded: named operations (doc/ops.ts) waiting in
 * IndexedDB, in the order they were made, until the document worker applies them.
 *
 * Loading a large document takes seconds, the cached view shows in well under one. So the
 * page accepts an edit at once: it writes `{id, op, args}` here (closing the tab loses
 * nothing), shows the edit on top of the cached view (optimistic.ts), and the worker, once
 * the document is loaded, applies the queue with the very same operations (drain.ts), so
 * merges behave exactly as if the edit had been made on the loaded document.
 *
 * An entry leaves the queue only after its change is in the document and the document is
 * stored. The ids make it safe against stopping halfway: see drain.ts. One database per
 * document, shared by every tab of this origin.
 *
 * This module has no Automerge dependency: the page uses it too.
 */

export interface PendingOp {
  /** Unique per edit; the change made from it carries it in its message. */
  id: string;
  /** A function name in doc/ops.ts. */
  op: string;
  /** Its arguments after the document (structured-cloned: Dates survive). */
  args: unknown[];
  /** The change's commit message. */
  message: string;
  /** When the edit was made (ms since the epoch). */
  at: number;
  /** The document's heads (Automerge hex hashes) just before a worker started applying it. */
  before?: string[];
  /** Why the document refused it; kept (never silently dropped) until the user dismisses it. */
  failed?: string;
}

const STORE = "ops";

export function pendingDbName(docId: string): string {
  return `kith-pending-${docId}`;
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error("IndexedDB transaction failed"));
    tx.onabort = () => reject(tx.error ?? new Error("IndexedDB transaction aborted"));
  });
}

function result<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** The queue of one document. Every method is one IndexedDB transaction. */
export class PendingStore {
  private db: Promise<IDBDatabase> | null = null;

  constructor(
    readonly docId: string,
    private readonly factory: IDBFactory = indexedDB,
  ) {}

  private open(): Promise<IDBDatabase> {
    if (!this.db) {
      this.db = new Promise((resolve, reject) => {
        const req = this.factory.open(pendingDbName(this.docId), 1);
        // `n` orders the queue across tabs (IndexedDB hands out increasing keys); `id` is unique.
        req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: "n", autoIncrement: true }).createIndex("id", "id", { unique: true });
        req.onsuccess = () => {
          // Let a log-out elsewhere delete the database instead of waiting on us.
          req.result.onversionchange = () => {
            req.result.close();
            this.db = null;
          };
          resolve(req.result);
        };
        req.onerror = () => reject(req.error);
        req.onblocked = () => reject(new Error("The edit queue is blocked by an older version of Kith in another tab; close it and reload."));
      });
      this.db.catch(() => (this.db = null));
    }
    return this.db;
  }

  /** Resolves once the entry is durable. Adding an id that is already queued changes nothing. */
  async add(entry: PendingOp): Promise<void> {
    const db = await this.open();
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    const existing = await result(store.index("id").getKey(entry.id));
    if (existing === undefined) store.add(entry);
    await done(tx);
  }

  /** Everything queued, oldest first, failed entries included. */
  async list(): Promise<PendingOp[]> {
    const db = await this.open();
    const tx = db.transaction(STORE);
    const all = (await result(tx.objectStore(STORE).getAll())) as Array<PendingOp & { n: number }>;
    return all.map(({ n: _n, ...e }) => e);
  }

  /** Records the heads before applying, so a later run can tell whether the change was made. */
  claim(ids: string[], before: string[]): Promise<void> {
    return this.update(ids, (e) => ({ ...e, before }));
  }

  markFailed(id: string, message: string): Promise<void> {
    return this.update([id], (e) => ({ ...e, failed: message }));
  }

  /** Queues a failed entry again (it keeps its place in the order). */
  retry(id: string): Promise<void> {
    return this.update([id], (e) => {
      const { failed: _f, before: _b, ...rest } = e;
      return rest;
    });
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const db = await this.open();
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    for (const id of ids) {
      const key = await result(store.index("id").getKey(id));
      if (key !== undefined) store.delete(key);
    }
    await done(tx);
  }

  close(): void {
    void this.db?.then((db) => db.close()).catch(() => undefined);
    this.db = null;
  }

  private async update(ids: string[], fn: (e: PendingOp) => PendingOp): Promise<void> {
    if (ids.length === 0) return;
    const db = await this.open();
    const tx = db.transaction(STORE, "readwrite");
    const store = tx.objectStore(STORE);
    for (const id of ids) {
      const key = await result(store.index("id").getKey(id));
      if (key === undefined) continue;
      const e = (await result(store.get(key))) as PendingOp & { n: number };
      store.put({ ...fn(e), n: e.n });
    }
    await done(tx);
  }
}

/** Deletes the queue (on log out, with the rest of this device's copy). */
export function forgetPending(docId: string, factory: IDBFactory = indexedDB): Promise<void> {
  return new Promise((resolve) => {
    const req = factory.deleteDatabase(pendingDbName(docId));
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}

/** The message a change made from a queued edit carries; drain.ts looks for it. */
export function queuedMessage(entry: Pick<PendingOp, "id" | "message">): string {
  return `${entry.message} [queued ${entry.id}]`;
}

/** Tabs tell each other about new entries, so a tab whose document is loaded applies them at once. */
export function pendingChannelName(docId: string): string {
  return `kith-pending-${docId}`;
}
