import { validMonthDay } from "../../doc/fields";

export const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** What the three inputs hold, as typed (strings), so nothing is lost before it is checked. */
export interface DayDraft {
  month: string;
  day: string;
  year: string;
}

export const emptyDay: DayDraft = { month: "", day: "", year: "" };

export function dayDraftOf(d: { month: number; day: number; year: number | null } | null): DayDraft {
  return d ? { month: String(d.month), day: String(d.day), year: d.year === null ? "" : String(d.year) } : emptyDay;
}

/**
 * The date the inputs describe, or a message saying what is wrong. Never drops a part
 * silently: a month without a day, a day the month lacks or a year that is not a year is an
 * error to show, not something to write half of.
 */
export function checkDay(d: DayDraft, now: Date): { ok: { month: number; day: number; year: number | null } } | { error: string } {
  const month = Number(d.month);
  const day = Number(d.day);
  if (!d.month || !d.day) return { error: "Choose both a month and a day." };
  let year: number | null = null;
  if (d.year.trim()) {
    year = Number(d.year.trim());
    if (!/^\d{4}$/.test(d.year.trim()) || year < 1800 || year > now.getFullYear() + 1) {
      return { error: `The year must be four digits between 1800 and ${now.getFullYear() + 1}, or empty if you don't know it.` };
    }
  }
  if (!validMonthDay(month, day)) return { error: `${MONTHS[month - 1] ?? "That month"} has no day ${day}.` };
  if (year !== null && month === 2 && day === 29 && !((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) {
    return { error: `${year} was not a leap year: there was no 29 February.` };
  }
  return { ok: { month, day, year } };
}

/** Month and day selects and an optional year, labelled with `prefix` ("Birthday month"...). */
export function DayInput({ prefix, value, onChange }: { prefix: string; value: DayDraft; onChange: (d: DayDraft) => void }) {
  return (
    <div class="row-fields">
      <label class="field">
        <span>{prefix} month</span>
        <select value={value.month} onChange={(e) => onChange({ ...value, month: e.currentTarget.value })}>
          <option value="">—</option>
          {MONTHS.map((m, i) => (
            <option value={String(i + 1)}>{m}</option>
          ))}
        </select>
      </label>
      <label class="field narrow">
        <span>{prefix} day</span>
        <select value={value.day} onChange={(e) => onChange({ ...value, day: e.currentTarget.value })}>
          <option value="">—</option>
          {Array.from({ length: 31 }, (_, i) => (
            <option value={String(i + 1)}>{i + 1}</option>
          ))}
        </select>
      </label>
      <label class="field narrow">
        <span>{prefix} year (optional)</span>
        <input inputMode="numeric" maxLength={4} value={value.year} onInput={(e) => onChange({ ...value, year: e.currentTarget.value })} />
      </label>
    </div>
  );
}

export function formatDay(d: { month: number; day: number; year: number | null }): string {
  const date = new Date(Date.UTC(d.year ?? 2000, d.month - 1, d.day));
  return date.toLocaleDateString(undefined, d.year === null ? { month: "long", day: "numeric", timeZone: "UTC" } : { dateStyle: "long", timeZone: "UTC" });
}
