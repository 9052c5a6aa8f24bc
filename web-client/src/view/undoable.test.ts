import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { hydrate, ops, type ContactId, type KithView, type RawDoc } from "../doc";
import * as undoable from "./undoable";
import type { Step } from "./undoable";
import { buildRows } from "./people";
import { today } from "./today";

const now = new Date("2026-06-15T12:00:00Z");
const DAY = 86_400_000;

type AnyOp = (d: RawDoc, ...args: unknown[]) => unknown;

/** What the document worker does with a step: one change per named operation. */
function apply(doc: A.Doc<RawDoc>, steps: Step[]): A.Doc<RawDoc> {
  for (const s of steps) doc = A.change(doc, { message: s.message }, (d) => void (ops[s.op] as unknown as AnyOp)(ops.ensureShape(d), ...s.args));
  return doc;
}

function sample() {
  const ids: Record<string, ContactId> = {};
  const doc = A.change(A.init<RawDoc>(), (d) => {
    ids.olga = ops.createContact(d, { display: "Olga Overdue", cadenceDays: 7 }, new Date(now.getTime() - 100 * DAY));
    ops.logInteraction(d, [ids.olga], "meeting", new Date(now.getTime() - 30 * DAY), "Lunch");
    ops.addEntry(d, ids.olga, "emails", "home", "olga@example.org", "k1");
    ops.addEntry(d, ids.olga, "emails", "work", "olga@work.example", "k2");
    ops.addEntry(d, ids.olga, "emails", "other", "o@third.example", "k3");
    ops.addEntry(d, ids.olga, "phones", "mobile", "+1 617 555 0100", "p1");
    const a = ops.addAddress(d, ids.olga, "home", "a1");
    ops.updateEntry(d, ids.olga, "addresses", a, "city", "Besançon");
    ops.updateEntry(d, ids.olga, "addresses", a, "country", "France");
    ops.addNote(d, ids.olga, "Has two cats", new Date(now.getTime() - 5 * DAY), "n1" as never);
    ops.setNotePinned(d, "n1" as never, true);
  });
  return { doc, ids };
}

const snapshot = (v: KithView) => ({
  contacts: [...v.contacts.values()],
  interactions: [...v.interactions].sort((a, b) => (a.id < b.id ? -1 : 1)),
  notes: v.notes,
});

describe("undo writes the compensating change", () => {
  it("Called on Today, then Undo: the person is overdue again, and the call is gone", () => {
    const { doc, ids } = sample();
    const before = hydrate(doc);
    const overdue = (v: KithView) => today(buildRows(v, now), now, "UTC").overdue.map((r) => r.contact.id);
    expect(overdue(before)).toEqual([ids.olga]);
    const u = undoable.reachedOut(before.contacts.get(ids.olga)!, "call", now);
    expect(u.label).toBe("Logged a call with Olga Overdue");
    const done = apply(doc, u.forward);
    expect(overdue(hydrate(done))).toEqual([]);
    const undone = apply(done, u.inverse);
    expect(overdue(hydrate(undone))).toEqual([ids.olga]);
    expect(snapshot(hydrate(undone))).toEqual(snapshot(before));
  });

  it("a call that ended a snooze puts the snooze back on undo", () => {
    const { doc: start, ids } = sample();
    const doc = A.change(start, (d) => ops.snooze(d, ids.olga, new Date(now.getTime() - DAY)));
    const before = hydrate(doc);
    const u = undoable.reachedOut(before.contacts.get(ids.olga)!, "message", now);
    const done = apply(doc, u.forward);
    expect(hydrate(done).contacts.get(ids.olga)!.snoozedUntil).toBeNull();
    expect(snapshot(hydrate(apply(done, u.inverse)))).toEqual(snapshot(before));
  });

  it("snooze, archive, removing an email, a phone or an address, deleting an interaction or a note: each undone exactly", () => {
    const { doc, ids } = sample();
    const before = hydrate(doc);
    const c = before.contacts.get(ids.olga)!;
    const cases = [
      undoable.snoozeFor(c, 7, now),
      undoable.archive(c),
      undoable.removeEntry(c, "emails", "k2"),
      undoable.removeEntry(c, "phones", "p1"),
      undoable.removeEntry(c, "addresses", "a1"),
      undoable.deleteInteraction(before.interactions[0]),
      undoable.deleteNote(before.notes[0]),
    ];
    for (const u of cases) {
      const done = apply(A.clone(doc), u.forward);
      expect(snapshot(hydrate(done)), u.label).not.toEqual(snapshot(before));
      const back = hydrate(apply(done, u.inverse));
      expect(snapshot(back), u.label).toEqual(snapshot(before));
    }
    // The removed email comes back in its place, between the other two.
    const removed = apply(A.clone(doc), undoable.removeEntry(c, "emails", "k2").forward);
    const again = apply(removed, undoable.removeEntry(c, "emails", "k2").inverse);
    expect(hydrate(again).contacts.get(ids.olga)!.emails.map((e) => e.value)).toEqual(["olga@example.org", "olga@work.example", "o@third.example"]);
  });

  it("undo merges like any edit: another device's concurrent change survives it", () => {
    const { doc, ids } = sample();
    const before = hydrate(doc);
    const u = undoable.archive(before.contacts.get(ids.olga)!);
    const phone = apply(A.clone(doc), u.forward);
    let laptop = A.clone(doc);
    laptop = A.change(laptop, (d) => ops.setScalar(d, ids.olga, "company", "Acme"));
    const undone = apply(phone, u.inverse);
    const merged = hydrate(A.merge(undone, laptop));
    const olga = merged.contacts.get(ids.olga)!;
    expect(olga.archived).toBe(false);
    expect(olga.company).toBe("Acme");
  });
});
