/**
 * The People list as pure functions: one row per active contact with its derived
 * relationship state and a folded search text (view/search.ts), then filter and sort.
 */
import { displayName, isActive, resolve, type Contact, type ContactId, type KithView } from "../doc/schema";
import { dueAt, lastContactedIndex, status, type Status } from "../doc/math";
import { matches, parseQuery, searchText } from "./search";

export interface PersonRow {
  contact: Contact;
  name: string;
  last: Date | undefined;
  due: Date | null;
  status: Status;
  haystack: string;
}

export type SortKey = "name" | "last" | "due";

/**
 * Fields of the relationship memory (issue 14) that search reads once the view carries them
 * (DESIGN.md names: `followUps` with `contactIds` and `note`, contacts' `relatedNames`
 * with `name`). Optional here, so this file does not depend on when they are hydrated.
 */
type MemoryView = KithView & { followUps?: Array<{ contactIds: ContactId[]; note: string }> };
type MemoryContact = Contact & { relatedNames?: Array<{ name: string; label?: string }>; department?: string };

function pushTo(map: Map<ContactId, string[]>, id: ContactId, text: string) {
  if (!text) return;
  const list = map.get(id);
  if (list) list.push(text);
  else map.set(id, [text]);
}

/**
 * Builds rows for every active contact (or, with `archived`, every archived one). Their
 * search text covers names, company, title, emails, phones, addresses, tags, how we met,
 * notes, interaction notes, follow-up notes and related names (view/search.ts).
 */
export function buildRows(view: KithView, now: Date, archived = false): PersonRow[] {
  const last = lastContactedIndex(view.contacts, view.interactions, now);
  // Text kept elsewhere in the document, by the (surviving) person it is about.
  const extra = new Map<ContactId, string[]>();
  for (const n of view.notes) pushTo(extra, resolve(view.contacts, n.contactId), n.body);
  for (const i of view.interactions) if (i.note) for (const id of i.contactIds) pushTo(extra, resolve(view.contacts, id), i.note);
  for (const f of (view as MemoryView).followUps ?? []) if (f.note) for (const id of f.contactIds) pushTo(extra, resolve(view.contacts, id), f.note);
  const rows: PersonRow[] = [];
  for (const c of view.contacts.values()) {
    if (archived ? !(c.archived && c.mergedInto === null) : !isActive(view.contacts, c)) continue;
    const l = last.get(c.id);
    const name = displayName(c);
    const more = extra.get(c.id);
    let text: string | undefined;
    rows.push({
      contact: c,
      name,
      last: l,
      due: dueAt(c, l),
      status: status(c, l, now),
      // Folded on the first search, not when the list first shows (a returning visit with
      // 5,000 people shows them before anyone has typed).
      get haystack() {
        return (text ??= haystackOf(c, name, more));
      },
    });
  }
  return rows;
}

/** The contact's own fields are folded once per contact object (unchanged contacts keep theirs). */
const ownText = new WeakMap<Contact, string>();

function haystackOf(c: Contact, name: string, extra: string[] | undefined): string {
  let own = ownText.get(c);
  if (own === undefined) {
    const m = c as MemoryContact;
    own = searchText({
      texts: [
        name,
        c.name.given,
        c.name.family,
        c.nickname,
        c.company,
        c.title,
        m.department,
        c.howWeMet,
        ...c.emails.map((e) => e.value),
        ...c.addresses.map((a) => [a.street, a.city, a.region, a.postalCode, a.country].filter(Boolean).join(" ")),
        ...(m.relatedNames ?? []).map((r) => r.name),
      ],
      phones: c.phones.map((p) => p.value),
      tags: c.tags,
    });
    ownText.set(c, own);
  }
  return extra ? own + searchText({ texts: extra, phones: [], tags: [] }) : own;
}

/** Every term must occur somewhere (see view/search.ts); `tag` narrows to one tag first. */
export function search(rows: PersonRow[], query: string, tag: string | null = null): PersonRow[] {
  const q = parseQuery(query);
  if (q.empty && !tag) return rows;
  return rows.filter((r) => (!tag || r.contact.tags.includes(tag)) && matches(r.haystack, q));
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

/**
 * Folds every row's search text in idle time, a slice at a time, so the first keystroke
 * finds it ready without the list's first paint waiting for it. Returns a cancel function.
 */
export function warmSearch(rows: PersonRow[]): () => void {
  let i = 0;
  let handle: number;
  const idle = (cb: (d?: IdleDeadline) => void): number =>
    typeof requestIdleCallback === "function" ? requestIdleCallback(cb) : (setTimeout(cb, 0) as unknown as number);
  const work = (deadline?: IdleDeadline) => {
    const stop = performance.now() + 8;
    while (i < rows.length && (deadline ? deadline.timeRemaining() > 1 : performance.now() < stop)) {
      const end = Math.min(rows.length, i + 100);
      for (; i < end; i++) void rows[i].haystack;
    }
    if (i < rows.length) handle = idle(work);
  };
  handle = idle(work);
  return () => (typeof cancelIdleCallback === "function" ? cancelIdleCallback(handle) : clearTimeout(handle));
}
