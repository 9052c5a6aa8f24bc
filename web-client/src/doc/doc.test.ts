import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { ops, hydrate, isActive, resolve, type ContactId, type RawDoc, type NoteId } from "./index";
import { lastContactedIndex } from "./math";

const t0 = new Date("2026-03-01T10:00:00Z");

function fresh(): A.Doc<RawDoc> {
  return A.change(A.init<RawDoc>(), (d) => {
    ops.ensureShape(d);
  });
}

describe("document module", () => {
  it("writes DESIGN.md keys and reads them back as plain values", () => {
    let id = "" as ContactId;
    const doc = A.change(fresh(), (d) => {
      id = ops.createContact(d, { display: "Ada Lovelace", company: "Analytical", cadenceDays: 14 }, t0);
      ops.addEntry(d, id, "emails", "work", "ada@example.org");
      ops.addTag(d, id, " Math Club ");
      ops.setBirthday(d, id, { month: 12, day: 10, year: null });
      ops.setScalar(d, id, "howWeMet", "At a salon");
    });
    const raw = doc.contacts![id] as Record<string, unknown>;
    expect(Object.keys(raw)).toEqual(
      expect.arrayContaining(["createdAt", "cadenceDays", "cadenceSetAt", "snoozedUntil", "mergedInto", "howWeMet"]),
    );
    expect(raw.createdAt).toBeInstanceOf(Date);
    // Short strings are scalars (what crdt-model's String fields hydrate), not text objects.
    expect(A.isImmutableString((raw.name as Record<string, unknown>).display)).toBe(true);
    const c = hydrate(doc).contacts.get(id)!;
    expect(c.name.display).toBe("Ada Lovelace");
    expect(c.company).toBe("Analytical");
    expect(c.emails).toEqual([expect.objectContaining({ label: "work", value: "ada@example.org" })]);
    expect(c.tags).toEqual(["Math Club"]);
    expect(c.birthday).toEqual({ month: 12, day: 10, year: null });
    expect(c.howWeMet).toBe("At a salon");
    expect(c.cadenceDays).toBe(14);
    expect(c.cadenceSetAt?.getTime()).toBe(t0.getTime());
  });

  it("merges concurrent edits of different fields and of the same note", () => {
    let id = "" as ContactId;
    let note = "" as NoteId;
    const base = A.change(fresh(), (d) => {
      id = ops.createContact(d, { display: "Grace" }, t0);
      note = ops.addNote(d, id, "Met at the conference.", t0);
    });
    const a = A.change(A.clone(base), (d) => {
      ops.setScalar(d, id, "company", "Navy");
      ops.editNote(d, note, "Likes COBOL. Met at the conference.");
    });
    const b = A.change(A.clone(base), (d) => {
      ops.setScalar(d, id, "title", "Rear Admiral");
      ops.editNote(d, note, "Met at the conference. Owes me a nanosecond.");
    });
    const merged = hydrate(A.merge(A.clone(a), b));
    const c = merged.contacts.get(id)!;
    expect(c.company).toBe("Navy");
    expect(c.title).toBe("Rear Admiral");
    expect(merged.notes[0].body).toBe("Likes COBOL. Met at the conference. Owes me a nanosecond.");
  });

  it("merging duplicates hides the loser and re-points its history without deleting it", () => {
    let w = "" as ContactId;
    let l = "" as ContactId;
    const doc = A.change(fresh(), (d) => {
      w = ops.createContact(d, { display: "Alan Turing" }, t0);
      l = ops.createContact(d, { display: "A. Turing", company: "Bletchley" }, t0);
      ops.addEntry(d, l, "phones", "mobile", "+44 20 0000");
      ops.logInteraction(d, [l], "call", new Date("2026-03-05T00:00:00Z"), "");
      ops.addNote(d, l, "codebreaker", t0);
      ops.mergeContacts(d, w, l);
    });
    const v = hydrate(doc);
    const winner = v.contacts.get(w)!;
    const loser = v.contacts.get(l)!;
    expect(loser.mergedInto).toBe(w);
    expect(isActive(v.contacts, loser)).toBe(false);
    expect(isActive(v.contacts, winner)).toBe(true);
    expect(winner.company).toBe("Bletchley");
    expect(winner.phones.map((p) => p.value)).toEqual(["+44 20 0000"]);
    expect(v.interactions[0].contactIds).toEqual([w]);
    expect(v.notes[0].contactId).toBe(w);
    expect(lastContactedIndex(v.contacts, v.interactions, new Date("2026-04-01T00:00:00Z")).get(w)?.toISOString()).toBe("2026-03-05T00:00:00.000Z");
  });

  it("resolve survives merge cycles", () => {
    const doc = A.change(fresh(), (d) => {
      ops.createContact(d, { display: "x" }, t0, "a" as ContactId);
      ops.createContact(d, { display: "y" }, t0, "b" as ContactId);
      d.contacts!["a"].mergedInto = "b";
      d.contacts!["b"].mergedInto = "a";
    });
    const v = hydrate(doc);
    expect(["a", "b"]).toContain(resolve(v.contacts, "a" as ContactId));
  });

  it("hydrates a malformed document without throwing, skipping bad records", () => {
    const doc = A.from<Record<string, unknown>>({
      settings: { reminderHour: 99, timezone: 5 },
      contacts: { good: { name: { display: "Ok" }, cadenceDays: -3, birthday: { month: 2, day: 30 } }, bad: 7 },
      interactions: { i1: { contactIds: { good: true }, kind: "telepathy" }, i2: { at: new Date(0), kind: "call" } },
      notes: { n1: { body: "orphan" } },
    });
    const v = hydrate(doc as RawDoc);
    expect([...v.contacts.keys()]).toEqual(["good"]);
    expect(v.contacts.get("good" as ContactId)!.cadenceDays).toBeNull();
    expect(v.contacts.get("good" as ContactId)!.birthday).toBeNull();
    expect(v.interactions.map((i) => i.id)).toEqual(["i2"]);
    expect(v.notes).toEqual([]);
    expect(v.settings).toEqual({ timezone: "UTC", reminderHour: 9, digest: true });
    expect(hydrate(undefined).contacts.size).toBe(0);
  });

  it("logging an interaction clears an expired snooze and archive hides a contact", () => {
    let id = "" as ContactId;
    const doc = A.change(fresh(), (d) => {
      id = ops.createContact(d, { display: "Bob" }, t0);
      ops.snooze(d, id, new Date("2026-03-02T00:00:00Z"));
      ops.logInteraction(d, [id], "message", new Date("2026-03-03T00:00:00Z"), "hi");
      ops.setArchived(d, id, true);
    });
    const v = hydrate(doc);
    const c = v.contacts.get(id)!;
    expect(c.snoozedUntil).toBeNull();
    expect(isActive(v.contacts, c)).toBe(false);
    expect(v.interactions[0]).toMatchObject({ kind: "message", note: "hi" });
  });

  it("settings are clamped", () => {
    const doc = A.change(fresh(), (d) => ops.setSettings(d, { timezone: "Europe/Berlin", reminderHour: 30, digest: false }));
    expect(hydrate(doc).settings).toEqual({ timezone: "Europe/Berlin", reminderHour: 23, digest: false });
  });
});
