import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { hydrate, ops, type ContactId, type RawDoc } from "../doc/index";
import { dueFollowUps, isEmail, linkHref, mapHref, relationLabel, relationsOf, upcomingDates } from "./memory";
import { checkDay } from "../ui/parts/DayInput";

const t0 = new Date("2026-06-10T10:00:00Z");

function build(f: (d: RawDoc, ids: Record<string, ContactId>) => void) {
  const ids: Record<string, ContactId> = {};
  const doc = A.change(A.init<RawDoc>(), (d) => {
    ops.ensureShape(d);
    ops.setSettings(d, { timezone: "Europe/Berlin" });
    for (const n of ["anna", "leo", "bob"]) ids[n] = ops.createContact(d, { display: n }, t0);
    f(d, ids);
  });
  return { view: hydrate(doc), ids };
}

describe("relationship memory for the screens", () => {
  it("derives the reciprocal: stored once as 'Anna is Leo's parent', Leo reads Anna as parent and Anna reads Leo as child", () => {
    const { view, ids } = build((d, ids) => {
      ops.relate(d, ids.anna, ids.leo, "parent", "");
      ops.relate(d, ids.bob, ids.anna, "other", "godfather");
    });
    expect(view.relationships).toHaveLength(2);
    const leo = relationsOf(view, ids.leo);
    expect(leo.map((r) => [r.other.id, r.kind])).toEqual([[ids.anna, "parent"]]);
    const anna = relationsOf(view, ids.anna).map((r) => [r.other.id, relationLabel(r)]);
    expect(anna).toEqual([
      [ids.bob, "godfather"],
      [ids.leo, "Child"],
    ]);
  });

  it("lists due follow-ups (not future or done ones) and important dates within the week", () => {
    const { view, ids } = build((d, ids) => {
      const due = { contactIds: [ids.anna, ids.bob], dueAt: new Date(t0.getTime() - 3_600_000), allDay: false, note: "call back", repeat: null };
      ops.addFollowUp(d, due, t0);
      ops.addFollowUp(d, { ...due, dueAt: new Date(t0.getTime() + 86_400_000), note: "later" }, t0);
      const done = ops.addFollowUp(d, { ...due, note: "done" }, t0);
      ops.completeFollowUp(d, done, true, t0);
      ops.addImportantDate(d, ids.leo, { label: "Wedding", month: 6, day: 12, year: 2016, remind: true });
      ops.addImportantDate(d, ids.leo, { label: "Far", month: 9, day: 1, year: null, remind: true });
    });
    const due = dueFollowUps(view, t0);
    expect(due.map((x) => [x.followUp.note, x.people.map((p) => p.id).sort()])).toEqual([["call back", [ids.anna, ids.bob].sort()]]);
    expect(upcomingDates(view, t0).map((x) => [x.label, x.inDays, x.years])).toEqual([["Wedding", 2, 10]]);
  });

  it("checks a typed date whole: nothing half-written, Feb 29 only in leap years, clear messages", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(checkDay({ month: "3", day: "7", year: "1990" }, now)).toEqual({ ok: { month: 3, day: 7, year: 1990 } });
    expect(checkDay({ month: "3", day: "7", year: "" }, now)).toEqual({ ok: { month: 3, day: 7, year: null } });
    expect(checkDay({ month: "3", day: "", year: "1990" }, now)).toEqual({ error: "Choose both a month and a day." });
    expect(checkDay({ month: "4", day: "31", year: "" }, now)).toEqual({ error: "April has no day 31." });
    expect(checkDay({ month: "2", day: "29", year: "" }, now)).toEqual({ ok: { month: 2, day: 29, year: null } });
    expect("error" in checkDay({ month: "2", day: "29", year: "1990" }, now)).toBe(true);
    expect("error" in checkDay({ month: "2", day: "3", year: "90" }, now)).toBe(true);
  });

  it("builds safe link targets and validates emails", () => {
    expect(linkHref("example.org/anna")).toBe("https://example.org/anna");
    expect(linkHref("https://x.example")).toBe("https://x.example");
    expect(mapHref("Unter den Linden 1, Berlin")).toBe("https://www.openstreetmap.org/search?query=Unter%20den%20Linden%201%2C%20Berlin");
    expect(ops.isSafeUrl(" javascript:alert(1)")).toBe(false);
    expect(ops.isSafeUrl("https://ok.example")).toBe(true);
    expect(isEmail("rita@example.org")).toBe(true);
    expect(isEmail("rita at example")).toBe(false);
  });
});
