/**
 * Wall-clock times in an IANA zone without a time-zone library: the zone's offset is read
 * from Intl, and a local time maps to an instant by the same rules as crdt-model's
 * `local_datetime_instant` (in a DST gap: shifted forward by the gap; in a fold: the earlier).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      f = formatter("UTC");
    }
    formatters.set(tz, f);
  }
  return f;
}

const DAY = 86_400_000;
/** Per zone and UTC day: the offset when it is the same at the day's start and end (no DST change that day). */
const dayOffsets = new Map<string, number | null>();
const MAX_CACHED_DAYS = 20_000;

/**
 * The zone's offset from UTC at `ms`, in ms (positive east of Greenwich). Intl is slow
 * (Today reads thousands of follow-up dates), so a day whose offset is the same at both ends
 * is read once; only a day with a DST change asks Intl about the exact instant.
 */
export function offsetAt(ms: number, tz: string): number {
  const day = Math.floor(ms / DAY);
  const key = `${tz}|${day}`;
  let cached = dayOffsets.get(key);
  if (cached === undefined) {
    if (dayOffsets.size >= MAX_CACHED_DAYS) dayOffsets.clear();
    const start = exactOffsetAt(day * DAY, tz);
    cached = start === exactOffsetAt(day * DAY + DAY - 1000, tz) ? start : null;
    dayOffsets.set(key, cached);
  }
  return cached ?? exactOffsetAt(ms, tz);
}

function exactOffsetAt(ms: number, tz: string): number {
  const parts = formatter(tz).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const asUtc = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour") % 24, get("minute"), get("second"));
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The local wall-clock fields of `at` in `tz`. */
export function wallClock(at: Date, tz: string): { year: number; month: number; day: number; hour: number; minute: number } {
  const local = new Date(at.getTime() + offsetAt(at.getTime(), tz));
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
  };
}

/** The instant of local `year-month-day hour:minute` in `tz` (month 1-12; days past the month's end roll over). */
export function zonedInstant(year: number, month: number, day: number, hour: number, minute: number, tz: string): Date {
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  // Candidates from the offsets a day either side; keep those that read back as `naive`.
  const offsets = new Set([offsetAt(naive - 86_400_000, tz), offsetAt(naive, tz), offsetAt(naive + 86_400_000, tz)]);
  const hits = [...offsets].map((o) => naive - o).filter((ms) => ms + offsetAt(ms, tz) === naive);
  if (hits.length > 0) return new Date(Math.min(...hits));
  // A gap: read the time with the offset in force before it, which lands after the gap.
  return new Date(naive - offsetAt(naive - 86_400_000, tz));
}
