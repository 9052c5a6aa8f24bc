/**
 * The one way dates are written on screen: the reader's locale, through Intl.DateTimeFormat
 * (formatters are built once; building one per row costs more than formatting).
 */
let dateFmt: Intl.DateTimeFormat | null = null;
let dateTimeFmt: Intl.DateTimeFormat | null = null;

/** "7 Dec 2026" / "Dec 7, 2026", as the browser's locale writes a date. */
export function formatDate(d: Date): string {
  dateFmt ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
  return dateFmt.format(d);
}

/** The date with the time of day. */
export function formatDateTime(d: Date): string {
  dateTimeFmt ??= new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  return dateTimeFmt.format(d);
}

/** "today", "yesterday", "3 days ago", "5 weeks ago", else the date: how long since a contact. */
export function ago(d: Date, now: Date): string {
  const days = Math.floor((now.getTime() - d.getTime()) / 86_400_000);
  if (days <= 0) return "today";
  if (days === 1) return "yesterday";
  if (days < 14) return `${days} days ago`;
  if (days < 60) return `${Math.round(days / 7)} weeks ago`;
  return formatDate(d);
}

/** A cadence in words: "every week", "every 2 weeks", "every 3 months". */
export function cadenceText(days: number): string {
  if (days === 1) return "every day";
  if (days % 365 === 0) return days === 365 ? "every year" : `every ${days / 365} years`;
  if (days % 30 === 0) return days === 30 ? "every month" : `every ${days / 30} months`;
  if (days % 7 === 0) return days === 7 ? "every week" : `every ${days / 7} weeks`;
  return `every ${days} days`;
}

/** A birthday as the locale writes it, with or without the year ("10 December 1815"). */
export function formatBirthday(b: { month: number; day: number; year: number | null }): string {
  const d = new Date(Date.UTC(b.year ?? 2000, b.month - 1, b.day));
  const opts: Intl.DateTimeFormatOptions = { month: "long", day: "numeric", timeZone: "UTC" };
  if (b.year !== null) opts.year = "numeric";
  return new Intl.DateTimeFormat(undefined, opts).format(d);
}
