/**
 * Relationship math with an injected `now`, mirroring crdt-model's math:
 * last contacted (derived from interactions), due date, status, next birthday.
 */
import { resolve, type Birthday, type Contact, type ContactId, type Interaction } from "./schema";

export const DAY_MS = 86_400_000;

export type Status = "none" | "ok" | "due-soon" | "overdue";

/** Latest interaction per (surviving) contact. Planned ones (after `now`) don't count yet. */
export function lastContactedIndex(contacts: Map<ContactId, Contact>, interactions: Interaction[], now: Date): Map<ContactId, Date> {
  const last = new Map<ContactId, Date>();
  for (const i of interactions) {
    if (i.at > now) continue;
    for (const raw of i.contactIds) {
      const id = resolve(contacts, raw);
      const prev = last.get(id);
      if (!prev || prev < i.at) last.set(id, i.at);
    }
  }
  return last;
}

/** Due = (last interaction, else when the cadence was set, else creation) + cadence; a snooze pushes it out. */
export function dueAt(c: Contact, lastContacted: Date | undefined): Date | null {
  if (c.cadenceDays === null) return null;
  const anchor = lastContacted ?? c.cadenceSetAt ?? c.createdAt;
  const due = new Date(anchor.getTime() + c.cadenceDays * DAY_MS);
  if (c.snoozedUntil && c.snoozedUntil > due) return c.snoozedUntil;
  return due;
}

/** "Due soon" is the last 20 % of the cadence, but never less than a day. */
export function dueSoonWindowMs(cadenceDays: number): number {
  return Math.max(DAY_MS, cadenceDays * DAY_MS * 0.2);
}

export function status(c: Contact, lastContacted: Date | undefined, now: Date): Status {
  const due = dueAt(c, lastContacted);
  if (!due || c.cadenceDays === null) return "none";
  if (due <= now) return "overdue";
  if (due.getTime() - now.getTime() <= dueSoonWindowMs(c.cadenceDays)) return "due-soon";
  return "ok";
}

/** The calendar date (y, m, d) of `now` in the IANA zone `tz` (falls back to UTC). */
export function localDate(now: Date, tz: string): { year: number; month: number; day: number } {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, year: "numeric", month: "numeric", day: "numeric" }).formatToParts(now);
  } catch {
    parts = new Intl.DateTimeFormat("en-US", { timeZone: "UTC", year: "numeric", month: "numeric", day: "numeric" }).formatToParts(now);
  }
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return { year: get("year"), month: get("month"), day: get("day") };
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

/**
 * Days from today (in `tz`) until the next birthday (0 = today) and the age turned then
 * when the year is known. 29 February is celebrated on 28 February in other years.
 */
export function nextBirthday(b: Birthday, now: Date, tz: string): { inDays: number; age: number | null } {
  const today = localDate(now, tz);
  const todayUtc = Date.UTC(today.year, today.month - 1, today.day);
  for (const year of [today.year, today.year + 1]) {
    const day = b.month === 2 && b.day === 29 && !isLeap(year) ? 28 : b.day;
    const at = Date.UTC(year, b.month - 1, day);
    if (at >= todayUtc) {
      return { inDays: Math.round((at - todayUtc) / DAY_MS), age: b.year !== null ? year - b.year : null };
    }
  }
  return { inDays: 365, age: null };
}
