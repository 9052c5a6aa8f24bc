/** The Today screen as a pure function: who is overdue, who is due soon, whose birthday is near. */
import { nextBirthday } from "../doc/math";
import type { PersonRow } from "./people";

export interface BirthdayRow {
  row: PersonRow;
  inDays: number;
  age: number | null;
}

export interface Today {
  overdue: PersonRow[];
  dueSoon: PersonRow[];
  birthdays: BirthdayRow[];
}

export function today(rows: PersonRow[], now: Date, tz: string, birthdayWindowDays = 7): Today {
  const byDue = (a: PersonRow, b: PersonRow) => (a.due?.getTime() ?? 0) - (b.due?.getTime() ?? 0);
  const overdue = rows.filter((r) => r.status === "overdue").sort(byDue);
  const dueSoon = rows.filter((r) => r.status === "due-soon").sort(byDue);
  const birthdays: BirthdayRow[] = [];
  for (const row of rows) {
    const b = row.contact.birthday;
    if (!b) continue;
    const next = nextBirthday(b, now, tz);
    if (next.inDays < birthdayWindowDays) birthdays.push({ row, ...next });
  }
  birthdays.sort((a, b) => a.inDays - b.inDays || a.row.name.localeCompare(b.row.name));
  return { overdue, dueSoon, birthdays };
}

/** "3 days overdue", "due in 2 days", "due today". */
export function relativeDue(due: Date | null, now: Date): string {
  if (!due) return "";
  const days = Math.round((due.getTime() - now.getTime()) / 86_400_000);
  if (days < 0) return days === -1 ? "1 day overdue" : `${-days} days overdue`;
  if (days === 0) return "due today";
  return days === 1 ? "due tomorrow" : `due in ${days} days`;
}
