/**
 * When a follow-up is due, mirroring crdt-model/src/math/follow_up.rs and the reminders
 * planner (plan_memory.rs `occurrences`): occurrence 0 is `dueAt` (with `allDay`, the
 * reminder hour on dueAt's local day); a repeating one's occurrence k is k × every units
 * later on the local calendar, each counted from the first, so a monthly one on the 31st
 * lands on the last day of shorter months.
 */
import { wallClock, zonedInstant } from "./zoned";
import type { FollowUp, Settings } from "./schema";

/** A repeating follow-up's past occurrence stays due this long unless acknowledged (plan_memory REPEAT_GRACE_DAYS). */
export const REPEAT_GRACE_DAYS = 8;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** The instant of occurrence `index` (0 = the first); null for index > 0 of a one-off. */
export function occurrence(fu: FollowUp, index: number, s: Settings): Date | null {
  if (!fu.allDay && index === 0) return fu.dueAt;
  if (!fu.repeat && index > 0) return null;
  const w = wallClock(fu.dueAt, s.timezone);
  const hour = fu.allDay ? s.reminderHour : w.hour;
  const minute = fu.allDay ? 0 : w.minute;
  let { year, month, day } = w;
  if (fu.repeat && index > 0) {
    const n = fu.repeat.every * index;
    switch (fu.repeat.unit) {
      case "day":
      case "week": {
        const days = fu.repeat.unit === "week" ? n * 7 : n;
        const d = new Date(Date.UTC(year, month - 1, day + days));
        [year, month, day] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
        break;
      }
      case "month":
      case "year": {
        const months = fu.repeat.unit === "year" ? n * 12 : n;
        const total = month - 1 + months;
        year += Math.floor(total / 12);
        month = (total % 12) + 1;
        day = Math.min(day, daysInMonth(year, month));
        break;
      }
    }
  }
  return zonedInstant(year, month, day, hour, minute, s.timezone);
}

/** The first occurrence at or after `from` (a one-off: its only one while not done, even if past). */
export function nextOccurrence(fu: FollowUp, s: Settings, from: Date): { index: number; at: Date } | null {
  if (!fu.repeat) {
    const at = occurrence(fu, 0, s);
    return fu.doneAt || !at ? null : { index: 0, at };
  }
  const first = occurrence(fu, 0, s);
  if (!first) return null;
  if (first >= from) return { index: 0, at: first };
  const stepDays = { day: 1, week: 7, month: 30.4, year: 365.2 }[fu.repeat.unit] * fu.repeat.every;
  let index = Math.max(0, Math.floor((from.getTime() - first.getTime()) / (stepDays * 86_400_000)) - 2);
  for (let guard = 0; guard < 1000; guard++, index++) {
    const at = occurrence(fu, index, s);
    if (!at) return null;
    if (at >= from) return { index, at };
  }
  return null;
}

export interface FollowUpState {
  /** The occurrence due now (at or before `now`, not done or acknowledged), if any. */
  due: Date | null;
  /** The next occurrence after `now`, if any. */
  next: Date | null;
}

/** What to remind of at `now`, as the reminders planner decides it. */
export function followUpState(fu: FollowUp, s: Settings, now: Date): FollowUpState {
  const next = nextOccurrence(fu, s, now);
  if (!next) return { due: null, next: null };
  if (!fu.repeat) return next.at <= now ? { due: next.at, next: null } : { due: null, next: next.at };
  if (next.index === 0) return { due: null, next: next.at };
  const past = occurrence(fu, next.index - 1, s);
  const recent = past && past.getTime() > now.getTime() - REPEAT_GRACE_DAYS * 86_400_000;
  const acknowledged = past && fu.doneAt && fu.doneAt >= past;
  return { due: past && recent && !acknowledged ? past : null, next: next.at };
}

/** The local midnight of `date` (yyyy-mm-dd) in the user's zone: what an all-day follow-up stores as dueAt. */
export function allDayDueAt(date: string, s: Settings): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  return zonedInstant(Number(m[1]), Number(m[2]), Number(m[3]), 0, 0, s.timezone);
}

/** A date and time typed in the user's zone (yyyy-mm-dd, hh:mm) as an instant. */
export function timedDueAt(date: string, time: string, s: Settings): Date | null {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return null;
  return zonedInstant(Number(d[1]), Number(d[2]), Number(d[3]), Number(t[1]), Number(t[2]), s.timezone);
}

/** The local date (yyyy-mm-dd) and time (hh:mm) of `at` in the user's zone, for the form's inputs. */
export function localParts(at: Date, tz: string): { date: string; time: string } {
  const w = wallClock(at, tz);
  const p = (n: number) => String(n).padStart(2, "0");
  return { date: `${w.year}-${p(w.month)}-${p(w.day)}`, time: `${p(w.hour)}:${p(w.minute)}` };
}
