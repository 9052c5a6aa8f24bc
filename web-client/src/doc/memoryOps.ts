/**
 * Writes for the schema-v2 relationship memory (DESIGN.md "The document"): important dates,
 * links, department and pronouns, follow-ups and relationships. Each mirrors an op in
 * crdt-model/src/ops (memory.rs, follow_up.rs, relationship.rs) and writes the same shapes:
 * short strings as `ImmutableString` scalars, follow-up notes as Automerge text, instants as
 * `Date`s, sets as `{ <id>: true }`. Re-exported from ops.ts, so the worker runs them by name.
 */
import { ImmutableString, updateText } from "@automerge/automerge/slim";
import { collectionCopies, copyHolding } from "./collections";
import { str } from "./hydrate";
import { isSafeUrl, newId } from "./fields";

export { isSafeUrl };
import { zonedInstant, wallClock } from "./zoned";
import {
  REPEAT_UNITS,
  RELATIONSHIP_KINDS,
  type ContactId,
  type FollowUpId,
  type RawDoc,
  type RelationshipId,
  type RelationshipKind,
  type Repeat,
} from "./schema";

type Rec = Record<string, unknown>;
const s = (v: string) => new ImmutableString(v);

/** Longest label and URL crdt-model accepts (limits.rs: MAX_FIELD_CHARS, MAX_URL_CHARS). */
export const MAX_FIELD_CHARS = 1000;
export const MAX_URL_CHARS = 2048;
/** crdt-model's MAX_FOLLOW_UP_CONTACTS. */
export const MAX_FOLLOW_UP_CONTACTS = 50;

function root(d: RawDoc, key: "followUps" | "relationships"): Record<string, Rec> {
  if (!d[key] || typeof d[key] !== "object") d[key] = {};
  return d[key] as Record<string, Rec>;
}

/** Record `id` of `key` in whichever copy of the collection holds it (see `collectionCopies`). */
function recordIn(d: RawDoc, key: "followUps" | "relationships", id: string): Rec | undefined {
  return copyHolding(d, key, id)?.[id];
}

/** Every record of `key` across its copies. */
function recordsIn(d: RawDoc, key: "followUps" | "relationships"): Array<[string, Rec, Record<string, Rec>]> {
  return collectionCopies(d, key).flatMap((m) => Object.entries(m).map(([k, r]) => [k, r, m] as [string, Rec, Record<string, Rec>]));
}

function contactRec(d: RawDoc, id: ContactId): Rec | undefined {
  return (d.contacts as Record<string, Rec> | undefined)?.[id];
}

function mapIn(parent: Rec, key: string): Rec {
  const v = parent[key];
  if (!v || typeof v !== "object" || v instanceof Date || Array.isArray(v)) parent[key] = {};
  return parent[key] as Rec;
}

// --- Important dates, links, department, pronouns (memory.rs) ---

export interface ImportantDateInput {
  label: string;
  month: number;
  day: number;
  year: number | null;
  remind: boolean;
}

export function addImportantDate(d: RawDoc, contact: ContactId, date: ImportantDateInput, key: string = newId()): string {
  const c = contactRec(d, contact);
  if (!c) return key;
  mapIn(c, "dates")[key] = { label: s(date.label.trim().slice(0, MAX_FIELD_CHARS)), month: date.month, day: date.day, year: date.year, remind: date.remind };
  return key;
}

/** Changes only the fields that differ, so a concurrent edit of another field survives. */
export function updateImportantDate(d: RawDoc, contact: ContactId, key: string, date: ImportantDateInput): void {
  const dates = contactRec(d, contact)?.dates as Record<string, Rec> | undefined;
  const e = dates?.[key];
  if (!e) return;
  const label = date.label.trim().slice(0, MAX_FIELD_CHARS);
  if (str(e.label) !== label) e.label = s(label);
  for (const f of ["month", "day", "year", "remind"] as const) if (e[f] !== date[f]) e[f] = date[f];
}

export function addUrl(d: RawDoc, contact: ContactId, label: string, value: string, key: string = newId()): string {
  const c = contactRec(d, contact);
  if (!c || !isSafeUrl(value) || value.length > MAX_URL_CHARS) return key;
  mapIn(c, "urls")[key] = { label: s(label.trim().slice(0, MAX_FIELD_CHARS)), value: s(value.trim()) };
  return key;
}

// --- Follow-ups (follow_up.rs) ---

export interface FollowUpInput {
  contactIds: ContactId[];
  dueAt: Date;
  allDay: boolean;
  note: string;
  repeat: Repeat | null;
}

function repeatValue(r: Repeat | null): Rec | null {
  if (!r || !(REPEAT_UNITS as readonly string[]).includes(r.unit)) return null;
  return { every: Math.max(1, Math.min(36_600, Math.round(r.every))), unit: s(r.unit) };
}

export function addFollowUp(d: RawDoc, input: FollowUpInput, now: Date, id: FollowUpId = newId() as FollowUpId): FollowUpId {
  const ids = [...new Set(input.contactIds)].filter((c) => contactRec(d, c));
  if (ids.length === 0 || ids.length > MAX_FOLLOW_UP_CONTACTS) return id;
  const set: Record<string, boolean> = {};
  for (const c of ids) set[c] = true;
  // A plain string assigned in a change becomes Automerge text (crdt-model's `Text`).
  root(d, "followUps")[id] = {
    id: s(id),
    contactIds: set,
    dueAt: input.dueAt,
    allDay: input.allDay,
    note: input.note,
    repeat: repeatValue(input.repeat),
    doneAt: null,
    createdAt: now,
  };
  return id;
}

export interface FollowUpPatch {
  dueAt?: Date;
  allDay?: boolean;
  note?: string;
  /** null makes it a one-off. */
  repeat?: Repeat | null;
  addContacts?: ContactId[];
  removeContacts?: ContactId[];
}

export function editFollowUp(d: RawDoc, id: FollowUpId, patch: FollowUpPatch): void {
  const f = recordIn(d, "followUps", id);
  if (!f) return;
  // A path from the root reaches only the copy a plain read sees.
  const reachable = (d.followUps as Record<string, Rec> | undefined)?.[id] !== undefined;
  if (patch.dueAt && !(f.dueAt instanceof Date && f.dueAt.getTime() === patch.dueAt.getTime())) f.dueAt = patch.dueAt;
  if (patch.allDay !== undefined && f.allDay !== patch.allDay) f.allDay = patch.allDay;
  if (patch.note !== undefined) {
    if (typeof f.note === "string" && reachable) updateText(d, ["followUps", id, "note"], patch.note);
    else f.note = patch.note;
  }
  if (patch.repeat !== undefined) {
    const next = repeatValue(patch.repeat);
    const cur = f.repeat as Rec | null | undefined;
    const same = next && cur && typeof cur === "object" ? cur.every === next.every && str(cur.unit) === str(next.unit) : !next && !cur;
    if (!same) f.repeat = next;
  }
  if (patch.addContacts?.length || patch.removeContacts?.length) {
    const ids = mapIn(f, "contactIds");
    const after = new Set(Object.keys(ids).filter((k) => ids[k] === true));
    for (const c of patch.addContacts ?? []) if (contactRec(d, c)) after.add(c);
    for (const c of patch.removeContacts ?? []) after.delete(c);
    // A follow-up is about at least one person, as crdt-model insists.
    if (after.size === 0 || after.size > MAX_FOLLOW_UP_CONTACTS) return;
    for (const c of patch.addContacts ?? []) if (after.has(c) && ids[c] !== true) ids[c] = true;
    for (const c of patch.removeContacts ?? []) if (c in ids) delete ids[c];
  }
}

/**
 * Done (`done`): `doneAt = now`. An already done one-off keeps its `doneAt` (a second device
 * pressing Done changes nothing); a repeating one acknowledges the occurrence due now, as the
 * server's Done action does. Not done: `doneAt = null`.
 */
export function completeFollowUp(d: RawDoc, id: FollowUpId, done: boolean, now: Date): void {
  const f = recordIn(d, "followUps", id);
  if (!f) return;
  const doneAt = f.doneAt instanceof Date ? f.doneAt : null;
  const repeating = !!f.repeat && typeof f.repeat === "object";
  if (!done) {
    if (doneAt) f.doneAt = null;
  } else if (!doneAt || (repeating && doneAt < now)) {
    f.doneAt = now;
  }
}

/** Due again `days` from now; an all-day one on that local day (the reminder hour applies), as the server's Snooze does. */
export function snoozeFollowUp(d: RawDoc, id: FollowUpId, days: number, now: Date, tz: string): void {
  const f = recordIn(d, "followUps", id);
  if (!f) return;
  const later = new Date(now.getTime() + Math.max(1, Math.round(days)) * 86_400_000);
  if (f.allDay === true) {
    const w = wallClock(later, tz);
    f.dueAt = zonedInstant(w.year, w.month, w.day, 0, 0, tz);
  } else {
    f.dueAt = later;
  }
}

export function deleteFollowUp(d: RawDoc, id: FollowUpId): void {
  const all = copyHolding(d, "followUps", id);
  if (all) delete all[id];
}

// --- Relationships (relationship.rs) ---

function resolveIn(d: RawDoc, id: ContactId): ContactId {
  const seen = new Set<string>();
  let cur: string = id;
  for (;;) {
    seen.add(cur);
    const next = str(contactRec(d, cur as ContactId)?.mergedInto);
    if (!next || !contactRec(d, next as ContactId)) return cur as ContactId;
    if (seen.has(next)) return [...seen].reduce((a, b) => (b < a ? b : a)) as ContactId;
    cur = next;
  }
}

/** (one end, other end, kind, label) with the direction fixed, as `Relationship::same_as` compares. */
function canonical(from: string, to: string, kind: string, label: string): string {
  if (kind === "child") return JSON.stringify([to, from, "parent", label]);
  if (kind === "parent" || !(RELATIONSHIP_KINDS as readonly string[]).includes(kind)) return JSON.stringify([from, to, kind, label]);
  return JSON.stringify(from <= to ? [from, to, kind, label] : [to, from, kind, label]);
}

/**
 * Records that `from` is `to`'s `kind`; both ends resolved through merges. Relating someone
 * to themselves does nothing; the same relationship stored either way round is returned, not repeated.
 */
export function relate(
  d: RawDoc,
  from: ContactId,
  to: ContactId,
  kind: RelationshipKind,
  label: string,
  id: RelationshipId = newId() as RelationshipId,
): RelationshipId {
  if (!contactRec(d, from) || !contactRec(d, to) || !(RELATIONSHIP_KINDS as readonly string[]).includes(kind)) return id;
  const [a, b] = [resolveIn(d, from), resolveIn(d, to)];
  if (a === b) return id;
  const clean = label.trim().slice(0, MAX_FIELD_CHARS);
  const wanted = canonical(a, b, kind, clean);
  for (const [key, r] of recordsIn(d, "relationships")) {
    if (r && typeof r === "object" && canonical(str(r.from), str(r.to), str(r.kind), str(r.label)) === wanted) return key as RelationshipId;
  }
  root(d, "relationships")[id] = { id: s(id), from: s(a), to: s(b), kind: s(kind), label: s(clean) };
  return id;
}

export function unrelate(d: RawDoc, id: RelationshipId): void {
  const all = copyHolding(d, "relationships", id);
  if (all) delete all[id];
}

// --- Merging duplicates (merge_memory.rs) ---

const norm = (v: unknown) => str(v).trim().replace(/\/+$/, "").toLowerCase();

/** The loser's dates, links, related names, department and pronouns fill the winner's gaps; follow-ups and relationships are re-pointed. */
export function mergeMemory(d: RawDoc, winner: ContactId, loser: ContactId, copy: (v: unknown) => unknown): void {
  const w = contactRec(d, winner);
  const l = contactRec(d, loser);
  if (!w || !l) return;
  const union = (field: string, same: (a: Rec, b: Rec) => boolean) => {
    const from = l[field] as Record<string, Rec> | undefined;
    if (!from || typeof from !== "object") return;
    const to = (w[field] ?? {}) as Record<string, Rec>;
    const add = Object.entries(from).filter(([k, v]) => !(k in to) && !Object.values(to).some((x) => same(x, v)));
    if (add.length === 0) return;
    const target = mapIn(w, field);
    for (const [k, v] of add) target[k] = copy(v);
  };
  union("urls", (a, b) => norm(a.value) === norm(b.value));
  union("dates", (a, b) => a.month === b.month && a.day === b.day && norm(a.label) === norm(b.label));
  union("relatedNames", (a, b) => norm(a.name) === norm(b.name));
  union("unmodeled", () => false);
  for (const f of ["department", "pronouns"] as const) if (!str(w[f]) && str(l[f])) w[f] = s(str(l[f]));

  for (const [, f] of recordsIn(d, "followUps")) {
    const ids = f?.contactIds as Rec | undefined;
    if (ids && typeof ids === "object" && loser in ids) {
      if (ids[winner] !== true) ids[winner] = true;
      delete ids[loser];
    }
  }
  const kept: string[] = [];
  const touched: Array<[string, Rec, Record<string, Rec>]> = [];
  for (const [key, r, rels] of recordsIn(d, "relationships")) {
    if (!r || typeof r !== "object") continue;
    if (str(r.from) === loser || str(r.to) === loser) touched.push([key, r, rels]);
    else kept.push(canonical(str(r.from), str(r.to), str(r.kind), str(r.label)));
  }
  for (const [key, r, rels] of touched) {
    const from = str(r.from) === loser ? winner : str(r.from);
    const to = str(r.to) === loser ? winner : str(r.to);
    const c = canonical(from, to, str(r.kind), str(r.label));
    // Between the two duplicates it would be a self-relationship; one the winner has already is a repeat.
    if (from === to || kept.includes(c)) {
      delete rels[key];
      continue;
    }
    if (from === winner && str(r.from) !== winner) r.from = s(winner);
    if (to === winner && str(r.to) !== winner) r.to = s(winner);
    kept.push(c);
  }
}
