import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { hydrate, ops, type ContactId, type InteractionId, type KithView, type NoteId, type RawDoc } from "../doc";
import { runOp } from "./drain";
import { applyToView, copyView, withFixedIds, type Overlayable } from "./optimistic";
import { index } from "./viewDiff";

const t0 = new Date("2026-03-01T10:00:00Z");

function overlayable(v: KithView): Overlayable {
  return { ...index(v), settings: v.settings };
}

function plain(o: Overlayable) {
  const sortById = <T extends { id: string }>(xs: Iterable<T>) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
  return {
    settings: o.settings,
    contacts: sortById(o.contacts.values()),
    interactions: sortById(o.interactions.values()),
    notes: sortById(o.notes.values()),
    followUps: sortById(o.followUps.values()),
    relationships: sortById(o.relationships.values()),
  };
}

describe("queued edits shown on the cached view", () => {
  it("shows exactly what the document will hold once the same operations are applied to it", () => {
    let ada = "" as ContactId;
    let bob = "" as ContactId;
    let doc = A.change(A.init<RawDoc>(), (d) => {
      ops.ensureShape(d);
      ada = ops.createContact(d, { display: "Ada Lovelace", company: "Engines", cadenceDays: 14 }, t0);
      bob = ops.createContact(d, { display: "Ada L." }, t0);
      ops.addEntry(d, ada, "emails", "work", "ada@example.org", "e1");
      ops.addTag(d, ada, "math");
      ops.snooze(d, ada, new Date("2026-03-10T00:00:00Z"));
      ops.logInteraction(d, [bob], "call", t0, "old call", "i0" as InteractionId);
      ops.addNote(d, bob, "about Bob", t0, "n0" as NoteId);
    });
    const view = copyView(overlayable(hydrate(doc)));
    // What a user might do before the document has loaded; ids left out are made up.
    const edits: Array<[string, unknown[]]> = [
      ["logInteraction", [[ada], "meeting", new Date("2026-03-11T00:00:00Z"), "tea"]],
      ["createContact", [{ display: "Grace Hopper" }, t0]],
      ["addEntry", [ada, "phones", "mobile", "+1 617 555 0100"]],
      ["updateEntry", [ada, "emails", "e1", "value", "ada@engines.org"]],
      ["addNote", [ada, "", t0]],
      ["setName", [ada, "given", "Augusta"]],
      ["addTag", [ada, "Book Club"]],
      ["removeTag", [ada, "math"]],
      ["setCadence", [ada, 30, t0]],
      ["setSettings", [{ reminderHour: 7 }]],
      ["deleteNote", ["n0"]],
      ["addFollowUp", [{ contactIds: [bob], dueAt: t0, allDay: false, note: "call back", repeat: { every: 1, unit: "week" } }, t0]],
      ["relate", [bob, ada, "sibling", ""]],
      ["addImportantDate", [bob, { label: "Wedding", month: 6, day: 12, year: null, remind: true }]],
      ["mergeContacts", [ada, bob]],
    ];
    const frozen: Array<[string, unknown[]]> = [];
    for (const [name, args] of edits) {
      const returned = applyToView(view, name, args);
      frozen.push([name, withFixedIds(name, args, returned)]);
    }
    // Editing the note just added: the page sees the body it typed.
    const newNote = frozen[4][1][3] as string;
    applyToView(view, "editNote", [newNote, "remember the engine"]);
    frozen.push(["editNote", [newNote, "remember the engine"]]);

    for (const [name, args] of frozen) doc = A.change(doc, (d) => void runOp(d, name, args));
    const truth = overlayable(hydrate(doc));
    expect(plain(view)).toEqual(plain(truth));
    expect(view.contacts.get(ada)!.snoozedUntil).toBeNull(); // logInteraction ended the snooze
    expect(view.notes.get(newNote as never)!.body).toBe("remember the engine");
    expect([...view.contacts.values()].map((c) => c.name.display)).toContain("Grace Hopper");
  });

  it("leaves the view as it was when an operation throws", () => {
    const doc = A.change(A.init<RawDoc>(), (d) => void ops.createContact(ops.ensureShape(d), { display: "Ada" }, t0, "ada" as ContactId));
    const view = copyView(overlayable(hydrate(doc)));
    const before = plain(view);
    expect(() => applyToView(view, "nope", [])).toThrow(/unknown operation/);
    const bad = {
      get month(): number {
        throw new Error("bad birthday");
      },
    };
    expect(() => applyToView(view, "setBirthday", ["ada", bad])).toThrow("bad birthday");
    expect(plain(view)).toEqual(before);
  });

  it("keeps an id the caller chose and fills in one it left out", () => {
    expect(withFixedIds("createContact", [{ display: "A" }, t0, "mine"], "mine")).toEqual([{ display: "A" }, t0, "mine"]);
    expect(withFixedIds("logInteraction", [["a"], "call", t0, ""], "made-up")).toEqual([["a"], "call", t0, "", "made-up"]);
    expect(withFixedIds("setScalar", ["a", "company", "X"], undefined)).toEqual(["a", "company", "X"]);
  });
});
