import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { hydrate, ops, type ContactId, type RawDoc } from "../doc";
import { buildRows, search, sortRows, statusClass, tagCounts } from "./people";
import { relativeDue, today } from "./today";

const now = new Date("2026-06-15T12:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);

function sample() {
  const ids: Record<string, ContactId> = {};
  const doc = A.change(A.init<RawDoc>(), (d) => {
    ids.ada = ops.createContact(d, { display: "Ada Lovelace", company: "Analytical Engines", cadenceDays: 30 }, daysAgo(100));
    ids.bob = ops.createContact(d, { display: "bob builder", cadenceDays: 7 }, daysAgo(100));
    ids.cy = ops.createContact(d, { display: "Cy Twombly" }, daysAgo(100));
    ids.gone = ops.createContact(d, { display: "Archived Ann" }, daysAgo(100));
    ops.addTag(d, ids.bob, "family");
    ops.addTag(d, ids.cy, "family");
    ops.addTag(d, ids.cy, "art");
    ops.addNote(d, ids.cy, "Paints on blackboards", now);
    ops.logInteraction(d, [ids.ada], "call", daysAgo(40), "");
    ops.logInteraction(d, [ids.bob], "meeting", daysAgo(6), "");
    ops.logInteraction(d, [ids.cy], "message", daysAgo(1), "");
    ops.setBirthday(d, ids.cy, { month: 6, day: 18, year: 1928 });
    ops.setArchived(d, ids.gone, true);
  });
  return { rows: buildRows(hydrate(doc), now), ids };
}

describe("people view", () => {
  it("hides archived contacts and derives status colours", () => {
    const { rows, ids } = sample();
    expect(rows.map((r) => r.name).sort((a, b) => a.localeCompare(b))).toEqual(["Ada Lovelace", "bob builder", "Cy Twombly"]);
    const by = (id: ContactId) => rows.find((r) => r.contact.id === id)!;
    expect(statusClass(by(ids.ada).status)).toBe("st-overdue");
    expect(statusClass(by(ids.bob).status)).toBe("st-soon");
    expect(statusClass(by(ids.cy).status)).toBe("st-none");
  });

  it("searches names, companies, tags and note text; all terms must match", () => {
    const { rows } = sample();
    const names = (q: string, tag: string | null = null) => search(rows, q, tag).map((r) => r.name).sort((a, b) => a.localeCompare(b));
    expect(names("ada")).toEqual(["Ada Lovelace"]);
    expect(names("ENGINES")).toEqual(["Ada Lovelace"]);
    expect(names("family")).toEqual(["bob builder", "Cy Twombly"]);
    expect(names("blackboard")).toEqual(["Cy Twombly"]);
    expect(names("family paints")).toEqual(["Cy Twombly"]);
    expect(names("", "art")).toEqual(["Cy Twombly"]);
    expect(names("zzz")).toEqual([]);
    expect(names("  ")).toHaveLength(3);
  });

  it("sorts by name, last contacted and due", () => {
    const { rows } = sample();
    expect(sortRows(rows, "name").map((r) => r.name)).toEqual(["Ada Lovelace", "bob builder", "Cy Twombly"]);
    expect(sortRows(rows, "last").map((r) => r.name)).toEqual(["Cy Twombly", "bob builder", "Ada Lovelace"]);
    expect(sortRows(rows, "due").map((r) => r.name)).toEqual(["Ada Lovelace", "bob builder", "Cy Twombly"]);
    expect(tagCounts(rows)).toEqual([{ tag: "family", count: 2 }, { tag: "art", count: 1 }]);
  });

  it("today lists overdue, due soon and birthdays this week", () => {
    const { rows } = sample();
    const t = today(rows, now, "UTC");
    expect(t.overdue.map((r) => r.name)).toEqual(["Ada Lovelace"]);
    expect(t.dueSoon.map((r) => r.name)).toEqual(["bob builder"]);
    expect(t.birthdays.map((b) => [b.row.name, b.inDays, b.age])).toEqual([["Cy Twombly", 3, 98]]);
    expect(relativeDue(daysAgo(10), now)).toBe("10 days overdue");
    expect(relativeDue(new Date(now.getTime() + 86_400_000), now)).toBe("due tomorrow");
  });
});

describe("archived people", () => {
  it("are listed only when asked for", () => {
    const now2 = new Date("2026-06-15T12:00:00Z");
    const doc = A.change(A.init<RawDoc>(), (d) => {
      ops.createContact(d, { display: "Active" }, now2);
      const gone = ops.createContact(d, { display: "Gone" }, now2);
      ops.setArchived(d, gone, true);
    });
    expect(buildRows(hydrate(doc), now2, true).map((r) => r.name)).toEqual(["Gone"]);
    expect(buildRows(hydrate(doc), now2).map((r) => r.name)).toEqual(["Active"]);
  });
});
