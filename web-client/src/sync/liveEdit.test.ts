import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import type { RawDoc } from "../doc";
import { applyLiveEdit } from "./liveEdit";

const t0 = new Date("2026-03-01T10:00:00Z");

/** A plain document standing in for the worker's DocHandle, recording what happens when. */
function target(persist: () => Promise<void> = async () => {}) {
  const log: string[] = [];
  let doc = A.init<RawDoc>();
  return {
    log,
    doc: () => doc,
    change(fn: (d: RawDoc) => void, message: string) {
      doc = A.change(doc, { message }, fn);
      log.push(`change: ${message}`);
    },
    persist() {
      log.push(`persist: ${Object.keys(doc.contacts ?? {}).length} contact(s)`);
      return persist();
    },
  };
}

describe("applyLiveEdit", () => {
  it("applies the edit, sends the view, then stores the document with the edit in it", () => {
    const t = target();
    applyLiveEdit(t, { op: "createContact", args: [{ display: "Ada" }, t0, "ada"], message: "add person" }, () => t.log.push("publish"));
    expect(t.log).toEqual(["change: add person", "publish", "persist: 1 contact(s)"]);
    const raw = A.toJS(t.doc()) as unknown as { contacts: Record<string, { name: { display: unknown } }> };
    expect(String(raw.contacts.ada?.name.display)).toBe("Ada");
  });

  it("a failure to store does not escape (the repo's own save tries again)", async () => {
    const t = target(() => Promise.reject(new Error("QuotaExceededError")));
    applyLiveEdit(t, { op: "createContact", args: [{ display: "Ada" }, t0, "ada"], message: "add person" }, () => {});
    await new Promise((r) => setTimeout(r, 0));
    expect(t.log).toEqual(["change: add person", "persist: 1 contact(s)"]);
  });

  it("an edit this version doesn't know changes nothing and stores nothing", () => {
    const t = target();
    expect(() => applyLiveEdit(t, { op: "teleport", args: [], message: "teleport" }, () => t.log.push("publish"))).toThrow(/doesn't know the change "teleport"/);
    expect(t.log).toEqual([]);
  });
});
