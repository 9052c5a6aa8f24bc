import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { followUpState, occurrence, allDayDueAt } from "./followUps";
import { zonedInstant } from "./zoned";
import { hydrate } from "./hydrate";
import { ops, type ContactId, type FollowUp, type FollowUpId, type RawDoc, type Settings } from "./index";

const berlin: Settings = { timezone: "Europe/Berlin", reminderHour: 9, digest: true };
const ny: Settings = { timezone: "America/New_York", reminderHour: 9, digest: true };

function fu(p: Partial<FollowUp>): FollowUp {
  return {
    id: "f" as FollowUpId, contactIds: ["c" as ContactId], dueAt: new Date("2026-01-31T10:00:00Z"), allDay: false, note: "",
    repeat: null, doneAt: null, createdAt: new Date("2026-01-01T00:00:00Z"), ...p,
  };
}

describe("follow-up occurrences (as crdt-model math/follow_up.rs)", () => {
  it("maps local wall-clock times across DST: gap shifts forward, fold takes the earlier", () => {
    // 2026-03-08 02:30 does not exist in New York (spring forward): 03:30 EDT = 07:30Z.
    expect(zonedInstant(2026, 3, 8, 2, 30, "America/New_York").toISOString()).toBe("2026-03-08T07:30:00.000Z");
    // 2026-11-01 01:30 happens twice: the earlier is EDT (05:30Z).
    expect(zonedInstant(2026, 11, 1, 1, 30, "America/New_York").toISOString()).toBe("2026-11-01T05:30:00.000Z");
    expect(zonedInstant(2026, 7, 1, 9, 0, "Europe/Berlin").toISOString()).toBe("2026-07-01T07:00:00.000Z");
  });

  it("a monthly one on the 31st lands on each month's last day and comes back to the 31st", () => {
    const f = fu({ dueAt: zonedInstant(2026, 1, 31, 10, 0, "Europe/Berlin"), repeat: { every: 1, unit: "month" } });
    const days = [0, 1, 2, 3].map((i) => occurrence(f, i, berlin)!.toISOString());
    expect(days).toEqual(["2026-01-31T09:00:00.000Z", "2026-02-28T09:00:00.000Z", "2026-03-31T08:00:00.000Z", "2026-04-30T08:00:00.000Z"]);
  });

  it("an all-day one is due at the reminder hour of its local day; a daily one keeps its local hour over DST", () => {
    const day = allDayDueAt("2026-03-08", ny)!;
    expect(day.toISOString()).toBe("2026-03-08T05:00:00.000Z");
    const f = fu({ dueAt: day, allDay: true, repeat: { every: 1, unit: "day" } });
    expect(occurrence(f, 0, ny)!.toISOString()).toBe("2026-03-08T13:00:00.000Z");
    expect(occurrence(f, 1, ny)!.toISOString()).toBe("2026-03-09T13:00:00.000Z");
  });

  it("a one-off is due until done; a repeating one's past occurrence until acknowledged", () => {
    const now = new Date("2026-02-10T12:00:00Z");
    expect(followUpState(fu({}), berlin, now).due?.toISOString()).toBe("2026-01-31T10:00:00.000Z");
    expect(followUpState(fu({ doneAt: now }), berlin, now)).toEqual({ due: null, next: null });
    const weekly = fu({ dueAt: new Date("2026-02-03T10:00:00Z"), repeat: { every: 1, unit: "week" } });
    const st = followUpState(weekly, berlin, now);
    expect(st.due?.toISOString()).toBe("2026-02-10T10:00:00.000Z");
    expect(st.next?.toISOString()).toBe("2026-02-17T10:00:00.000Z");
    expect(followUpState({ ...weekly, doneAt: new Date("2026-02-10T11:00:00Z") }, berlin, now).due).toBeNull();
  });
});

describe("memory ops write DESIGN.md shapes", () => {
  const t0 = new Date("2026-03-01T10:00:00Z");
  it("follow-ups, relationships, dates, links; merge re-points and never relates someone to themselves", () => {
    let a = "" as ContactId, b = "" as ContactId, c = "" as ContactId, f = "" as FollowUpId;
    let doc = A.change(A.init<RawDoc>(), (d) => {
      ops.ensureShape(d);
      a = ops.createContact(d, { display: "Anna" }, t0);
      b = ops.createContact(d, { display: "Bob" }, t0);
      c = ops.createContact(d, { display: "Bob (dup)" }, t0);
      f = ops.addFollowUp(d, { contactIds: [a, c], dueAt: t0, allDay: false, note: "after the surgery", repeat: null }, t0);
      ops.relate(d, a, b, "partner", "");
      ops.relate(d, b, a, "partner", ""); // the same, the other way round: not stored twice
      ops.relate(d, a, c, "parent", "");
      ops.relate(d, b, c, "sibling", "");
      ops.addImportantDate(d, a, { label: "Wedding", month: 6, day: 12, year: 2010, remind: true });
      ops.addUrl(d, a, "LinkedIn", "https://linkedin.example/anna");
      ops.addUrl(d, a, "evil", "javascript:alert(1)");
      ops.setScalar(d, a, "pronouns", "she/her");
    });
    const raw = doc.followUps![f] as Record<string, unknown>;
    expect(A.isImmutableString(raw.id)).toBe(true);
    expect(raw.dueAt).toBeInstanceOf(Date);
    expect(raw.contactIds).toEqual({ [a]: true, [c]: true });
    expect(raw.repeat).toBeNull();
    expect(raw.doneAt).toBeNull();
    let v = hydrate(doc);
    expect(v.followUps[0].note).toBe("after the surgery");
    expect(v.relationships).toHaveLength(3);
    const anna = v.contacts.get(a)!;
    expect(anna.dates).toEqual([expect.objectContaining({ label: "Wedding", month: 6, day: 12, year: 2010, remind: true })]);
    expect(anna.urls.map((u) => u.value)).toEqual(["https://linkedin.example/anna"]);
    expect(anna.pronouns).toBe("she/her");

    doc = A.change(doc, (d) => {
      ops.completeFollowUp(d, f, true, t0);
      ops.editFollowUp(d, f, { note: "after the surgery, ask about rehab" });
      ops.mergeContacts(d, b, c);
    });
    v = hydrate(doc);
    expect(v.followUps[0].doneAt?.getTime()).toBe(t0.getTime());
    expect(v.followUps[0].contactIds.sort()).toEqual([a, b].sort());
    // b sibling-of c became b sibling-of b: removed; a parent-of c is now a parent-of b.
    expect(v.relationships.map((r) => [r.from === a ? "a" : "b", r.to === a ? "a" : "b", r.kind]).sort()).toEqual([
      ["a", "b", "parent"],
      ["a", "b", "partner"],
    ]);
  });

  it("tags typed by hand join an existing tag that differs in case or spacing", () => {
    const doc = A.change(A.init<RawDoc>(), (d) => {
      ops.ensureShape(d);
      const a = ops.createContact(d, { display: "A" }, t0);
      const b = ops.createContact(d, { display: "B" }, t0);
      ops.addTag(d, a, "Book Club");
      ops.addTag(d, b, "#book  club ");
      ops.addTag(d, b, "  ");
    });
    const tags = new Set([...hydrate(doc).contacts.values()].flatMap((c) => c.tags));
    expect([...tags]).toEqual(["Book Club"]);
  });
});

describe("start-up snapshots from before schema v2", () => {
  it("get the v2 contact fields' defaults", async () => {
    const { withV2Defaults } = await import("./hydrate");
    const old = { id: "c", name: { display: "Old" } } as unknown as import("./schema").Contact;
    const up = withV2Defaults(old);
    expect([up.department, up.pronouns, up.urls, up.dates, up.relatedNames]).toEqual(["", "", [], [], []]);
  });
});

describe("a v1 document whose follow-ups and relationships maps two devices created offline", () => {
  // Before schema v2 there was no followUps or relationships map; each device creates it
  // with its first record, and Automerge keeps both maps as a conflict. crdt-model reads both
  // (crdt-model/tests/memory_convergence.rs); so must the web client, or records vanish.
  function v1(): A.Doc<RawDoc> {
    return A.change(A.init<RawDoc>(), (d) => {
      d.schema = 1;
      d.settings = { timezone: "Europe/Berlin" };
      d.contacts = {};
      d.interactions = {};
      d.notes = {};
    });
  }

  const t0 = new Date("2026-03-01T10:00:00Z");

  it("shows, edits, completes and deletes records from both copies", () => {
    let anna = "" as ContactId;
    let bob = "" as ContactId;
    let carl = "" as ContactId;
    const base = A.change(v1(), (d) => {
      anna = ops.createContact(d, { display: "Anna" }, t0);
      bob = ops.createContact(d, { display: "Bob" }, t0);
      carl = ops.createContact(d, { display: "Carl" }, t0);
    });
    let onLaptop = "" as FollowUpId;
    let onPhone = "" as FollowUpId;
    const due = { contactIds: [anna], dueAt: t0, allDay: false, repeat: null };
    let laptop = A.change(A.clone(base), (d) => {
      onLaptop = ops.addFollowUp(d, { ...due, note: "laptop" }, t0);
      ops.relate(d, anna, bob, "partner", "");
    });
    const phone = A.change(A.clone(base), (d) => {
      onPhone = ops.addFollowUp(d, { ...due, note: "phone" }, t0);
      ops.relate(d, anna, carl, "sibling", "");
    });
    laptop = A.merge(laptop, phone);
    expect(Object.keys(A.getConflicts(laptop, "followUps") ?? {})).toHaveLength(2);

    const view = hydrate(laptop);
    expect(view.followUps.map((f) => f.note).sort()).toEqual(["laptop", "phone"]);
    expect(view.relationships).toHaveLength(2);

    // Whichever map "won", both records can be changed.
    const later = new Date(t0.getTime() + 3_600_000);
    laptop = A.change(laptop, (d) => {
      for (const id of [onLaptop, onPhone]) {
        ops.editFollowUp(d, id, { note: `${id === onLaptop ? "laptop" : "phone"}, edited` });
        ops.completeFollowUp(d, id, true, later);
      }
      // The same relationship stored the other way round is not added again.
      ops.relate(d, carl, anna, "sibling", "");
    });
    const edited = hydrate(laptop);
    expect(edited.followUps.map((f) => f.note).sort()).toEqual(["laptop, edited", "phone, edited"]);
    expect(edited.followUps.every((f) => f.doneAt?.getTime() === later.getTime())).toBe(true);
    expect(edited.relationships).toHaveLength(2);

    laptop = A.change(laptop, (d) => {
      for (const r of edited.relationships) ops.unrelate(d, r.id);
      ops.deleteFollowUp(d, onPhone);
    });
    const after = hydrate(laptop);
    expect(after.relationships).toHaveLength(0);
    expect(after.followUps.map((f) => f.id)).toEqual([onLaptop]);
  });
});
