import { describe, expect, it } from "vitest";
import { dueAt, lastContactedIndex, nextBirthday, status, DAY_MS } from "./math";
import type { Contact, ContactId, InteractionId } from "./schema";

const now = new Date("2026-06-15T12:00:00Z");

function contact(p: Partial<Contact>): Contact {
  return {
    id: "c" as ContactId, createdAt: new Date("2026-01-01T00:00:00Z"), name: { display: "C", given: "", family: "" },
    nickname: "", company: "", title: "", emails: [], phones: [], addresses: [], birthday: null, tags: [], howWeMet: "",
    photoUrl: null, cadenceDays: null, cadenceSetAt: null, snoozedUntil: null, archived: false, mergedInto: null,
    department: "", pronouns: "", urls: [], dates: [], relatedNames: [], ...p,
  };
}
const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);

describe("relationship math", () => {
  it("due is last interaction + cadence, else cadence-set moment, else creation", () => {
    const c = contact({ cadenceDays: 10, cadenceSetAt: new Date("2026-06-01T00:00:00Z") });
    expect(dueAt(c, new Date("2026-06-10T00:00:00Z"))?.toISOString()).toBe("2026-06-20T00:00:00.000Z");
    expect(dueAt(c, undefined)?.toISOString()).toBe("2026-06-11T00:00:00.000Z");
    expect(dueAt(contact({ cadenceDays: 1 }), undefined)?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(dueAt(contact({}), ago(1))).toBeNull();
  });

  it("status: overdue past due, due soon within 20% of the cadence (at least a day)", () => {
    const c = contact({ cadenceDays: 30 });
    expect(status(c, ago(31), now)).toBe("overdue");
    expect(status(c, ago(30), now)).toBe("overdue");
    expect(status(c, ago(25), now)).toBe("due-soon"); // 5 days left, window 6
    expect(status(c, ago(23), now)).toBe("ok"); // 7 days left
    const weekly = contact({ cadenceDays: 2 });
    expect(status(weekly, ago(1.1), now)).toBe("due-soon"); // window is a full day, not 0.4
    expect(status(weekly, ago(0.5), now)).toBe("ok");
    expect(status(contact({}), ago(400), now)).toBe("none");
  });

  it("snooze pushes the due date out", () => {
    const c = contact({ cadenceDays: 7, snoozedUntil: new Date(now.getTime() + 3 * DAY_MS) });
    expect(status(c, ago(20), now)).toBe("ok");
    expect(dueAt(c, ago(20))?.getTime()).toBe(now.getTime() + 3 * DAY_MS);
  });

  it("planned interactions don't count as contact yet", () => {
    const c = contact({ id: "p" as ContactId, cadenceDays: 7 });
    const idx = lastContactedIndex(new Map([[c.id, c]]), [{ id: "i" as InteractionId, contactIds: [c.id], kind: "meeting", at: new Date(now.getTime() + DAY_MS), note: "" }], now);
    expect(idx.size).toBe(0);
  });

  it("next birthday in the user's zone, leap days and age", () => {
    expect(nextBirthday({ month: 6, day: 15, year: 1990 }, now, "UTC")).toEqual({ inDays: 0, age: 36 });
    expect(nextBirthday({ month: 6, day: 20, year: null }, now, "UTC")).toEqual({ inDays: 5, age: null });
    expect(nextBirthday({ month: 6, day: 14, year: null }, now, "UTC").inDays).toBe(364);
    // 23:30 UTC on the 15th is already the 16th in Tokyo.
    expect(nextBirthday({ month: 6, day: 16, year: null }, new Date("2026-06-15T23:30:00Z"), "Asia/Tokyo").inDays).toBe(0);
    expect(nextBirthday({ month: 2, day: 29, year: 2000 }, new Date("2027-02-27T12:00:00Z"), "UTC")).toEqual({ inDays: 1, age: 27 });
    expect(nextBirthday({ month: 1, day: 1, year: null }, now, "Not/AZone").inDays).toBe(200);
  });
});
