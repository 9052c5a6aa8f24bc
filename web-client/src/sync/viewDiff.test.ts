import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { hydrate, ops, type ContactId, type RawDoc } from "../doc";
import { applyDelta, diffViews, index, isEmptyDelta } from "./viewDiff";

const t0 = new Date("2026-03-01T00:00:00Z");

describe("view deltas between the worker and the page", () => {
  it("sends everything first, then only what changed, and the page rebuilds the same view", () => {
    let a = "" as ContactId;
    let b = "" as ContactId;
    let doc = A.change(A.init<RawDoc>(), (d) => {
      a = ops.createContact(d, { display: "Ada" }, t0);
      b = ops.createContact(d, { display: "Bob" }, t0);
      ops.logInteraction(d, [a], "call", t0, "");
    });
    const v1 = hydrate(doc);
    const first = diffViews(null, index(v1), v1, 0);
    expect(first.full).toBe(true);
    expect(first.contacts).toHaveLength(2);
    let page = applyDelta(null, first);

    doc = A.change(doc, (d) => {
      ops.setScalar(d, a, "company", "Engines");
      ops.setArchived(d, b, true);
      ops.addNote(d, a, "hello", t0);
    });
    const v2 = hydrate(doc);
    const second = diffViews(index(v1), index(v2), v2, 7);
    expect(second.full).toBe(false);
    expect(second.contacts.map((c) => c.name.display).sort()).toEqual(["Ada", "Bob"]);
    expect(second.interactions).toEqual([]); // unchanged records are not resent
    expect(second.notes).toHaveLength(1);
    page = applyDelta(page.indexed, second);
    expect(page.view.contacts.get(a)?.company).toBe("Engines");
    expect(page.view.contacts.get(b)?.archived).toBe(true);
    expect(page.view.interactions).toHaveLength(1);

    doc = A.change(doc, (d) => {
      const id = Object.keys(d.interactions!)[0];
      ops.deleteInteraction(d, id as never);
    });
    const v3 = hydrate(doc);
    const third = diffViews(index(v2), index(v3), v3, 8);
    expect(third.removedInteractions).toHaveLength(1);
    page = applyDelta(page.indexed, third);
    expect(page.view.interactions).toEqual([]);
    expect(isEmptyDelta(diffViews(index(v3), index(v3), v3, 8))).toBe(true);
  });
});
