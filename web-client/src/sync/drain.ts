/**
 * Applies the queued edits (pending.ts) to the loaded document, in order, exactly once.
 *
 * Exactly once, even if the tab closes halfway: before applying, the entries are claimed
 * with the document's current heads; each change's message carries the entry's id
 * (`queuedMessage`); only after the document is stored are the entries removed. A later
 * run that finds a claimed entry looks at the changes made since its heads: if one carries
 * the id, the edit is in the document already and the entry is only removed. Tabs drain
 * under one Web Lock, so two tabs never apply the same entry.
 *
 * An edit the document refuses (an operation that throws, or one this version doesn't
 * know) is marked failed and reported; the others are applied regardless.
 */
import { getChangesMetaSince, getHeads, type Doc } from "@automerge/automerge/slim";
import * as ops from "../doc/ops";
import type { RawDoc } from "../doc/schema";
import { opFunction } from "./optimistic";
import { queuedMessage, type PendingOp, type PendingStore } from "./pending";

/** The document as the queue sees it: the worker's DocHandle, or a plain doc in tests. */
export interface QueueTarget {
  doc(): Doc<RawDoc>;
  /** One change; throws (and changes nothing) when `fn` throws. */
  change(fn: (d: RawDoc) => void, message: string): void;
  /** Resolves once the document, with every change so far, is in storage. */
  persist(): Promise<void>;
}

export interface DrainReport {
  /** Applied by this run, in order. */
  applied: string[];
  /** Found already in the document (an earlier run stopped before removing them). */
  alreadyApplied: string[];
  failed: Array<{ id: string; message: string }>;
}

/** Runs the named operation from doc/ops.ts on `d`; throws on a name it doesn't know. */
export function runOp(d: RawDoc, name: string, args: unknown[]): unknown {
  const fn = opFunction(name);
  if (!fn) {
    throw new Error(`This version of Kith doesn't know the change "${name}"; reload to update the app.`);
  }
  return fn(ops.ensureShape(d), ...args);
}

/** True when a change made since `entry.before` carries the entry's id. */
export function alreadyApplied(doc: Doc<RawDoc>, entry: PendingOp): boolean {
  if (!entry.before) return false;
  const tag = queuedMessage(entry);
  try {
    return getChangesMetaSince(doc, entry.before).some((m) => m.message === tag);
  } catch {
    // Heads this document doesn't know: the claiming run's changes never reached storage.
    return false;
  }
}

export interface DrainHooks {
  /** After a batch is in the document, before it is stored (the worker publishes the view here). */
  onApplied?: (report: DrainReport) => void;
  /** Runs `fn` holding the queue's lock (Web Locks in the browser). */
  withLock?: <T>(fn: () => Promise<T>) => Promise<T>;
}

export async function drain(store: PendingStore, target: QueueTarget, hooks: DrainHooks = {}): Promise<DrainReport> {
  const withLock = hooks.withLock ?? ((fn) => fn());
  return withLock(async () => {
    const report: DrainReport = { applied: [], alreadyApplied: [], failed: [] };
    // Entries may be added while we work; go round until none is left.
    for (;;) {
      const entries = (await store.list()).filter((e) => !e.failed);
      if (entries.length === 0) return report;
      const batch: DrainReport = { applied: [], alreadyApplied: [], failed: [] };
      const doc = target.doc();
      const todo = entries.filter((e) => {
        if (!alreadyApplied(doc, e)) return true;
        batch.alreadyApplied.push(e.id);
        return false;
      });
      await store.claim(
        todo.map((e) => e.id),
        getHeads(doc),
      );
      for (const e of todo) {
        try {
          target.change((d) => void runOp(d, e.op, e.args), queuedMessage(e));
          batch.applied.push(e.id);
        } catch (err) {
          batch.failed.push({ id: e.id, message: err instanceof Error ? err.message : String(err) });
        }
      }
      // Marked before anyone hears of it, so whoever reads the queue then sees it failed.
      for (const f of batch.failed) await store.markFailed(f.id, f.message);
      hooks.onApplied?.(batch);
      await target.persist();
      await store.remove([...batch.alreadyApplied, ...batch.applied]);
      report.applied.push(...batch.applied);
      report.alreadyApplied.push(...batch.alreadyApplied);
      report.failed.push(...batch.failed);
    }
  });
}
