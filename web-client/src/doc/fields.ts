/** Plain constants and helpers shared by the page and the document worker (no Automerge). */

export const ADDRESS_FIELDS = ["label", "street", "city", "region", "postalCode", "country"] as const;
export type AddressField = (typeof ADDRESS_FIELDS)[number];

export function newId(): string {
  return crypto.randomUUID();
}

/** A month/day that some year holds (2000 is a leap year), as crdt-model validates. */
export function validMonthDay(month: number | null, day: number | null): boolean {
  if (month === null || day === null || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(2000, month, 0)).getUTCDate();
}

/** A URL a browser would run or embed when clicked is never stored as a link (crdt-model memory.rs refuses it too). */
export function isSafeUrl(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  const lower = value.replace(/[\s\u0000-\u001f]/g, "").slice(0, 16).toLowerCase();
  return value.trim() !== "" && !["javascript:", "vbscript:", "data:"].some((p) => lower.startsWith(p));
}
