import { describe, expect, it } from "vitest";
import { IDBFactory } from "fake-indexeddb";
import * as A from "@automerge/automerge";
import { hydrate, ops, type ContactId, type RawDoc } from "../doc";
import { alreadyApplied, drain, type QueueTarget } from "./drain";
import { PendingStore, queuedMessage, type PendingOp } from "./pending";

const t0 = new Date("2026-03-01T10:00:00Z");

function entry(id: string, op: string, args: unknown[], message = op): PendingOp {
  return { id, op, args, message, at: t0.getTime() };
}

/** A document with storage: `persist` saves, `reload` starts over from what was saved. */
function device(start: A.Doc<RawDoc>) {
  let doc = start;
  let stored = A.save(doc);
  let failPersist = false;
  const target: QueueTarget = {
    doc: () => doc,
    change: (fn, message) => {
      doc = A.change(doc, { message }, fn);
    },
    persist: async () => {
      if (failPersist) throw new Error("tab closed");
      stored = A.save(doc);
    },
  };
  return {
    target,
    get doc() {
      return doc;
    },
    failNextPersist() {
      failPersist = true;
    },
    /** Like closing the tab: what wasn't persisted is gone. */
    reload() {
      failPersist = false;
      doc = A.load(stored);
    },
    /** The document storage kept the change, but the queue never heard (closed in between). */
    storeWithoutTelling() {
      stored = A.save(doc);
    },
  };
}

function withAda() {
  let ada = "" as ContactId;
  const doc = A.change(A.init<RawDoc>(), (d) => {
    ops.ensureShape(d);
    ada = ops.createContact(d, { display: "Ada" }, t0);
  });
  return { doc, ada };
}

function messages(doc: A.Doc<RawDoc>): string[] {
  return A.getHistory(doc).map((h) => h.change.message ?? "");
}

describe("the queue of edits made before the document loaded", () => {
  it("keeps entries across a reload, in order, with their dates, and adds an id only once", async () => {
    const idb = new IDBFactory();
    const first = new PendingStore("doc1", idb);
    await first.add(entry("a", "setScalar", ["c1", "company", "One"]));
    await first.add(entry("b", "logInteraction", [["c1"], "call", t0, ""]));
    await first.add(entry("a", "setScalar", ["c1", "company", "Duplicate"]));
    first.close();

    const again = new PendingStore("doc1", idb);
    const list = await again.list();
    expect(list.map((e) => e.id)).toEqual(["a", "b"]);
    expect(list[0].args).toEqual(["c1", "company", "One"]);
    expect(list[1].args[2]).toBeInstanceOf(Date);
    expect((list[1].args[2] as Date).getTime()).toBe(t0.getTime());
    // Another document's queue is separate.
    expect(await new PendingStore("doc2", idb).list()).toEqual([]);
  });

  it("applies entries in the order they were made, then removes them", async () => {
    const { doc, ada } = withAda();
    const dev = device(doc);
    const store = new PendingStore("doc", new IDBFactory());
    await store.add(entry("1", "setScalar", [ada, "company", "First"], "edit company"));
    await store.add(entry("2", "setScalar", [ada, "company", "Second"], "edit company"));
    await store.add(entry("3", "logInteraction", [[ada], "call", t0, "hi", "call-1"], "log call"));

    const report = await drain(store, dev.target);
    expect(report.applied).toEqual(["1", "2", "3"]);
    expect(report.failed).toEqual([]);
    const view = hydrate(dev.doc);
    expect(view.contacts.get(ada)?.company).toBe("Second");
    expect(view.interactions.map((i) => i.id)).toEqual(["call-1"]);
    expect(messages(dev.doc).slice(-3)).toEqual([
      queuedMessage({ id: "1", message: "edit company" }),
      queuedMessage({ id: "2", message: "edit company" }),
      queuedMessage({ id: "3", message: "log call" }),
    ]);
    expect(await store.list()).toEqual([]);
    // Nothing left: a second run changes nothing.
    expect((await drain(store, dev.target)).applied).toEqual([]);
    expect(messages(dev.doc)).toHaveLength(4);
  });

  it("never applies an entry twice when the tab closed after the change was stored but before the entry was removed", async () => {
    const { doc, ada } = withAda();
    const dev = device(doc);
    const idb = new IDBFactory();
    const store = new PendingStore("doc", idb);
    await store.add(entry("x", "logInteraction", [[ada], "meeting", t0, "", "meet-1"], "log meeting"));
    await store.add(entry("y", "addTag", [ada, "friends"], "add tag"));

    // The changes are made and reach the document's storage; then the tab is gone.
    dev.failNextPersist();
    await expect(drain(store, dev.target)).rejects.toThrow("tab closed");
    dev.storeWithoutTelling();
    dev.reload();
    const claimed = await new PendingStore("doc", idb).list();
    expect(claimed.map((e) => e.id)).toEqual(["x", "y"]);
    expect(claimed.every((e) => alreadyApplied(dev.doc, e))).toBe(true);

    const after = new PendingStore("doc", idb);
    const report = await drain(after, dev.target);
    expect(report.applied).toEqual([]);
    expect(report.alreadyApplied).toEqual(["x", "y"]);
    expect(messages(dev.doc).filter((m) => m.includes("[queued x]"))).toHaveLength(1);
    expect(await after.list()).toEqual([]);
  });

  it("applies an entry again when the tab closed before the change reached storage", async () => {
    const { doc, ada } = withAda();
    const dev = device(doc);
    const idb = new IDBFactory();
    const store = new PendingStore("doc", idb);
    await store.add(entry("x", "setScalar", [ada, "title", "Countess"], "edit title"));
    dev.failNextPersist();
    await expect(drain(store, dev.target)).rejects.toThrow("tab closed");
    dev.reload(); // the change was lost with the tab
    expect(hydrate(dev.doc).contacts.get(ada)?.title).toBe("");

    const report = await drain(new PendingStore("doc", idb), dev.target);
    expect(report.applied).toEqual(["x"]);
    expect(hydrate(dev.doc).contacts.get(ada)?.title).toBe("Countess");
    expect(messages(dev.doc).filter((m) => m.includes("[queued x]"))).toHaveLength(1);
  });

  it("keeps and reports an edit the document refuses, and applies the others", async () => {
    const { doc, ada } = withAda();
    const dev = device(doc);
    const store = new PendingStore("doc", new IDBFactory());
    await store.add(entry("good-1", "setScalar", [ada, "company", "Engines"], "edit company"));
    await store.add(entry("bad", "teleport", [ada], "teleport"));
    // Automerge refuses `undefined` halfway through writing the birthday: nothing of it may remain.
    await store.add(entry("throws", "setBirthday", [ada, { month: 12, day: 10, year: undefined }], "edit birthday"));
    await store.add(entry("good-2", "addTag", [ada, "math"], "add tag"));

    const report = await drain(store, dev.target);
    expect(report.applied).toEqual(["good-1", "good-2"]);
    expect(report.failed.map((f) => f.id)).toEqual(["bad", "throws"]);
    expect(report.failed[0].message).toMatch(/doesn't know the change "teleport"/);
    const ada2 = hydrate(dev.doc).contacts.get(ada)!;
    expect(ada2.company).toBe("Engines");
    expect(ada2.tags).toEqual(["math"]);
    expect(ada2.birthday).toBeNull();

    // Still there, marked, for the user to see; never retried silently.
    const left = await store.list();
    expect(left.map((e) => [e.id, Boolean(e.failed)])).toEqual([
      ["bad", true],
      ["throws", true],
    ]);
    expect((await drain(store, dev.target)).failed).toEqual([]);
    await store.remove(["bad"]);
    expect((await store.list()).map((e) => e.id)).toEqual(["throws"]);
  });

  it("lets entries added while draining wait for the next round, and two drains apply each entry once", async () => {
    const { doc, ada } = withAda();
    const dev = device(doc);
    const idb = new IDBFactory();
    const tabA = new PendingStore("doc", idb);
    const tabB = new PendingStore("doc", idb);
    await tabA.add(entry("1", "addTag", [ada, "one"]));
    // One lock, as navigator.locks gives the tabs.
    let chain: Promise<unknown> = Promise.resolve();
    const withLock = <T>(fn: () => Promise<T>): Promise<T> => {
      const run = chain.then(fn);
      chain = run.catch(() => undefined);
      return run;
    };
    let added = false;
    const [a, b] = await Promise.all([
      drain(tabA, dev.target, {
        withLock,
        onApplied: () => {
          if (!added) void tabB.add(entry("2", "addTag", [ada, "two"]));
          added = true;
        },
      }),
      drain(tabB, dev.target, { withLock }),
    ]);
    expect([...a.applied, ...b.applied].sort()).toEqual(["1", "2"]);
    expect(messages(dev.doc).filter((m) => m.includes("[queued"))).toHaveLength(2);
    expect(hydrate(dev.doc).contacts.get(ada)?.tags).toEqual(["one", "two"]);
  });
});
