/**
 * The People list as pure functions: one row per active contact with its derived
 * relationship state and a lower-cased search haystack, then filter and sort.
 */
import { displayName, isActive, resolve, type Contact, type ContactId, type KithView } from "../doc/schema";
import { dueAt, lastContactedIndex, status, type Status } from "../doc/math";

export interface PersonRow {
  contact: Contact;
  name: string;
  last: Date | undefined;
  due: Date | null;
  status: Status;
  haystack: string;
}

export type SortKey = "name" | "last" | "due";

/** Builds rows for every active contact (or, with `archived`, every archived one). Note text is searchable too. */
export function buildRows(view: KithView, now: Date, archived = false): PersonRow[] {
  const last = lastContactedIndex(view.contacts, view.interactions, now);
  const noteText = new Map<ContactId, string[]>();
  for (const n of view.notes) {
    const id = resolve(view.contacts, n.contactId);
    const list = noteText.get(id);
    if (list) list.push(n.body);
    else noteText.set(id, [n.body]);
  }
  const rows: PersonRow[] = [];
  for (const c of view.contacts.values()) {
    if (archived ? !(c.archived && c.mergedInto === null) : !isActive(view.contacts, c)) continue;
    const l = last.get(c.id);
    const name = displayName(c);
    const haystack = [
      name,
      c.name.given,
      c.name.family,
      c.nickname,
      c.company,
      c.title,
      c.tags.join(" "),
      c.emails.map((e) => e.value).join(" "),
      c.howWeMet,
      (noteText.get(c.id) ?? []).join(" "),
    ]
      .join("\n")
      .toLowerCase();
    rows.push({ contact: c, name, last: l, due: dueAt(c, l), status: status(c, l, now), haystack });
  }
  return rows;
}

/** Every whitespace-separated term must occur somewhere (names, company, tags, notes...). */
export function search(rows: PersonRow[], query: string, tag: string | null = null): PersonRow[] {
  const terms = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0 && !tag) return rows;
  return rows.filter((r) => (!tag || r.contact.tags.includes(tag)) && terms.every((t) => r.haystack.includes(t)));
}

const collator = new Intl.Collator(undefined, { sensitivity: "base", numeric: true });

/** name: A→Z; last: most recently contacted first, never-contacted last; due: soonest first, no cadence last. */
export function sortRows(rows: PersonRow[], key: SortKey): PersonRow[] {
  const out = rows.slice();
  const byName = (a: PersonRow, b: PersonRow) => collator.compare(a.name, b.name) || (a.contact.id < b.contact.id ? -1 : 1);
  if (key === "name") out.sort(byName);
  else if (key === "last") out.sort((a, b) => (b.last?.getTime() ?? -Infinity) - (a.last?.getTime() ?? -Infinity) || byName(a, b));
  else out.sort((a, b) => (a.due?.getTime() ?? Infinity) - (b.due?.getTime() ?? Infinity) || byName(a, b));
  return out;
}

/** All tags in use by active contacts, with counts, most used first. */
export function tagCounts(rows: PersonRow[]): Array<{ tag: string; count: number }> {
  const counts = new Map<string, number>();
  for (const r of rows) for (const t of r.contact.tags) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag));
}

/** CSS class for a status colour: overdue is red, due soon orange. */
export function statusClass(s: Status): string {
  return s === "overdue" ? "st-overdue" : s === "due-soon" ? "st-soon" : s === "ok" ? "st-ok" : "st-none";
}

export function statusLabel(s: Status): string {
  return s === "overdue" ? "Overdue" : s === "due-soon" ? "Due soon" : s === "ok" ? "On track" : "No reminder";
}
