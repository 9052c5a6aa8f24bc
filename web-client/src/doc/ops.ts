/**
 * Every write to the Kith document. Each function mutates the draft inside one
 * `handle.change(...)` and takes `now` explicitly, mirroring crdt-model's ops.
 *
 * Short fields are written as `ImmutableString` scalars (last writer wins, and what
 * crdt-model's `String` fields expect); note bodies are Automerge text, edited with
 * `updateText` so concurrent typing merges per character.
 */
import { ImmutableString, isImmutableString, updateText } from "@automerge/automerge/slim";
import { str } from "./hydrate";
import { mergeMemory } from "./memoryOps";
import { ADDRESS_FIELDS, newId, type AddressField } from "./fields";
import { type ContactId, type InteractionId, type InteractionKind, type NoteId, type RawDoc, type Birthday } from "./schema";

type Draft = RawDoc & {
  contacts: Record<string, Record<string, unknown>>;
  interactions: Record<string, Record<string, unknown>>;
  notes: Record<string, Record<string, unknown>>;
  settings: Record<string, unknown>;
};

export type ScalarField = "nickname" | "company" | "title" | "howWeMet" | "department" | "pronouns";
export type NamePart = "display" | "given" | "family";
export type EntryKind = "emails" | "phones" | "addresses" | "urls" | "dates" | "relatedNames";

export * from "./memoryOps";


const s = (v: string) => new ImmutableString(v);


/** Makes sure the top-level maps exist (a brand new or foreign document may lack them). */
export function ensureShape(d: RawDoc): Draft {
  if (d.schema === undefined) d.schema = 1;
  if (!d.settings) d.settings = { timezone: s("UTC"), reminderHour: 9, digest: true };
  if (!d.contacts) d.contacts = {};
  if (!d.interactions) d.interactions = {};
  if (!d.notes) d.notes = {};
  return d as Draft;
}

function contact(d: RawDoc, id: ContactId): Record<string, unknown> | undefined {
  return ensureShape(d).contacts[id];
}

export interface NewContact {
  display: string;
  given?: string;
  family?: string;
  company?: string;
  cadenceDays?: number | null;
}

export function createContact(d: RawDoc, input: NewContact, now: Date, id: ContactId = newId() as ContactId): ContactId {
  const draft = ensureShape(d);
  draft.contacts[id] = {
    id: s(id),
    createdAt: now,
    name: { display: s(input.display.trim()), given: s(input.given ?? ""), family: s(input.family ?? "") },
    nickname: s(""),
    company: s(input.company ?? ""),
    title: s(""),
    emails: {},
    phones: {},
    addresses: {},
    birthday: null,
    tags: {},
    howWeMet: s(""),
    cadenceDays: input.cadenceDays ?? null,
    cadenceSetAt: input.cadenceDays ? now : null,
    snoozedUntil: null,
    archived: false,
    mergedInto: null,
    sources: {},
  };
  return id;
}

export function setName(d: RawDoc, id: ContactId, part: NamePart, value: string): void {
  const c = contact(d, id);
  if (!c) return;
  if (!c.name || typeof c.name !== "object") c.name = {};
  (c.name as Record<string, unknown>)[part] = s(value);
}

export function setScalar(d: RawDoc, id: ContactId, field: ScalarField, value: string): void {
  const c = contact(d, id);
  if (c) c[field] = s(value);
}

export function addEntry(d: RawDoc, id: ContactId, kind: "emails" | "phones", label: string, value: string, key: string = newId()): string {
  const c = contact(d, id);
  if (!c) return key;
  if (!c[kind] || typeof c[kind] !== "object") c[kind] = {};
  (c[kind] as Record<string, unknown>)[key] = { label: s(label), value: s(value) };
  return key;
}

export function addAddress(d: RawDoc, id: ContactId, label: string, key: string = newId()): string {
  const c = contact(d, id);
  if (!c) return key;
  if (!c.addresses || typeof c.addresses !== "object") c.addresses = {};
  const rec: Record<string, unknown> = {};
  for (const f of ADDRESS_FIELDS) rec[f] = s(f === "label" ? label : "");
  (c.addresses as Record<string, unknown>)[key] = rec;
  return key;
}

export function updateEntry(d: RawDoc, id: ContactId, kind: EntryKind, key: string, field: "label" | "value" | AddressField, value: string): void {
  const entries = contact(d, id)?.[kind] as Record<string, Record<string, unknown>> | undefined;
  const e = entries?.[key];
  if (e) e[field] = s(value);
}

export function removeEntry(d: RawDoc, id: ContactId, kind: EntryKind, key: string): void {
  const entries = contact(d, id)?.[kind] as Record<string, unknown> | undefined;
  if (entries && key in entries) delete entries[key];
}

export function setBirthday(d: RawDoc, id: ContactId, b: Birthday | null): void {
  const c = contact(d, id);
  if (c) c.birthday = b ? { month: b.month, day: b.day, year: b.year } : null;
}

/**
 * A hand-typed tag cleaned as the importer cleans groups (crdt-model import `clean_line`:
 * line breaks and tabs become spaces, control characters go, ends are trimmed), without
 * the `#` people type in front of it.
 */
export function normalizeTag(tag: string): string {
  return (
    tag
      .replace(/\r?\n|\t/g, " ")
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f]/g, "")
      .trim()
      .replace(/^#+\s*/, "")
      .trim()
  );
}

const tagKey = (t: string) => t.toLocaleLowerCase().replace(/\s+/g, " ");

/** Adds a tag; one already used in the document that differs only in case or spacing is reused, so "book club" joins the imported "Book Club". */
export function addTag(d: RawDoc, id: ContactId, tag: string): void {
  const draft = ensureShape(d);
  const c = draft.contacts[id];
  let t = normalizeTag(tag);
  if (!c || !t) return;
  const key = tagKey(t);
  search: for (const other of Object.values(draft.contacts)) {
    const tags = other?.tags as Record<string, unknown> | undefined;
    if (!tags || typeof tags !== "object") continue;
    for (const existing of Object.keys(tags)) {
      if (tags[existing] === true && tagKey(existing) === key) {
        t = existing;
        break search;
      }
    }
  }
  if (!c.tags || typeof c.tags !== "object") c.tags = {};
  const set = c.tags as Record<string, unknown>;
  if (set[t] !== true) set[t] = true;
}

export function removeTag(d: RawDoc, id: ContactId, tag: string): void {
  const tags = contact(d, id)?.tags as Record<string, unknown> | undefined;
  if (tags && tag in tags) delete tags[tag];
}

/** Setting a cadence restarts the clock when nobody has been contacted yet. */
export function setCadence(d: RawDoc, id: ContactId, days: number | null, now: Date): void {
  const c = contact(d, id);
  if (!c) return;
  c.cadenceDays = days !== null && days > 0 ? Math.round(days) : null;
  c.cadenceSetAt = now;
}

export function snooze(d: RawDoc, id: ContactId, until: Date | null): void {
  const c = contact(d, id);
  if (c) c.snoozedUntil = until;
}

export function setArchived(d: RawDoc, id: ContactId, archived: boolean): void {
  const c = contact(d, id);
  if (c) c.archived = archived;
}

export function logInteraction(
  d: RawDoc,
  contactIds: ContactId[],
  kind: InteractionKind,
  at: Date,
  note: string,
  id: InteractionId = newId() as InteractionId,
): InteractionId {
  const draft = ensureShape(d);
  const set: Record<string, boolean> = {};
  for (const c of contactIds) set[c] = true;
  draft.interactions[id] = { id: s(id), contactIds: set, kind: s(kind), at, note: s(note) };
  // A fresh interaction ends any snooze: the relationship clock restarts from it.
  for (const c of contactIds) {
    const rec = draft.contacts[c];
    if (rec && rec.snoozedUntil instanceof Date && rec.snoozedUntil <= at) rec.snoozedUntil = null;
  }
  return id;
}

export interface InteractionPatch {
  kind?: InteractionKind;
  at?: Date;
  note?: string;
  /** The whole new set of people (at least one). */
  contactIds?: ContactId[];
}

/** Changes only what differs, so another device's concurrent edit of another field survives. */
export function editInteraction(d: RawDoc, id: InteractionId, patch: InteractionPatch): void {
  const i = ensureShape(d).interactions[id];
  if (!i) return;
  if (patch.kind !== undefined && str(i.kind) !== patch.kind) i.kind = s(patch.kind);
  if (patch.at && !(i.at instanceof Date && i.at.getTime() === patch.at.getTime())) i.at = patch.at;
  if (patch.note !== undefined && str(i.note) !== patch.note) i.note = s(patch.note);
  if (patch.contactIds && patch.contactIds.length > 0) {
    if (!i.contactIds || typeof i.contactIds !== "object") i.contactIds = {};
    const set = i.contactIds as Record<string, unknown>;
    const want = new Set<string>(patch.contactIds);
    for (const k of Object.keys(set)) if (!want.has(k)) delete set[k];
    for (const k of want) if (set[k] !== true) set[k] = true;
  }
}

export function deleteInteraction(d: RawDoc, id: InteractionId): void {
  const draft = ensureShape(d);
  if (id in draft.interactions) delete draft.interactions[id];
}

export function addNote(d: RawDoc, contactId: ContactId, body: string, now: Date, id: NoteId = newId() as NoteId): NoteId {
  const draft = ensureShape(d);
  // A plain string assigned in a change becomes Automerge text (collaborative).
  draft.notes[id] = { id: s(id), contactId: s(contactId), createdAt: now, body, pinned: false };
  return id;
}

/** Applies the edit as a minimal character diff, so another device's concurrent typing survives. */
export function editNote(d: RawDoc, id: NoteId, body: string): void {
  const note = ensureShape(d).notes[id];
  if (!note) return;
  if (typeof note.body === "string") updateText(d, ["notes", id, "body"], body);
  else note.body = body;
}

export function setNotePinned(d: RawDoc, id: NoteId, pinned: boolean): void {
  const note = ensureShape(d).notes[id];
  if (note) note.pinned = pinned;
}

export function deleteNote(d: RawDoc, id: NoteId): void {
  const draft = ensureShape(d);
  if (id in draft.notes) delete draft.notes[id];
}

export function setSettings(d: RawDoc, patch: Partial<{ timezone: string; reminderHour: number; digest: boolean }>): void {
  const st = ensureShape(d).settings;
  if (patch.timezone !== undefined) st.timezone = s(patch.timezone);
  if (patch.reminderHour !== undefined) st.reminderHour = Math.min(23, Math.max(0, Math.round(patch.reminderHour)));
  if (patch.digest !== undefined) st.digest = patch.digest;
}

/**
 * Merges `loser` into `winner`: the loser is marked `mergedInto` (never deleted), its
 * interactions and notes are re-pointed, and its details fill the winner's gaps.
 */
export function mergeContacts(d: RawDoc, winner: ContactId, loser: ContactId): void {
  const draft = ensureShape(d);
  const w = draft.contacts[winner];
  const l = draft.contacts[loser];
  if (!w || !l || winner === loser) return;
  for (const field of ["nickname", "company", "title", "howWeMet"] as const) {
    if (!stringOf(w[field]) && stringOf(l[field])) w[field] = s(stringOf(l[field]));
  }
  const wn = (w.name ?? (w.name = {})) as Record<string, unknown>;
  const ln = (l.name ?? {}) as Record<string, unknown>;
  for (const part of ["display", "given", "family"] as const) {
    if (!stringOf(wn[part]) && stringOf(ln[part])) wn[part] = s(stringOf(ln[part]));
  }
  for (const kind of ["emails", "phones", "addresses", "tags", "sources"] as const) {
    const from = l[kind] as Record<string, unknown> | undefined;
    if (!from || typeof from !== "object") continue;
    if (!w[kind] || typeof w[kind] !== "object") w[kind] = {};
    const to = w[kind] as Record<string, unknown>;
    const have = new Set(Object.values(to).map((v) => valueOf(v)));
    for (const [k, v] of Object.entries(from)) {
      if (k in to || (kind !== "tags" && have.has(valueOf(v)))) continue;
      to[k] = copy(v);
    }
  }
  if (!w.birthday && l.birthday) w.birthday = copy(l.birthday);
  if (typeof l.cadenceDays === "number" && (typeof w.cadenceDays !== "number" || l.cadenceDays < w.cadenceDays)) {
    w.cadenceDays = l.cadenceDays;
    w.cadenceSetAt = l.cadenceSetAt instanceof Date ? l.cadenceSetAt : null;
  }
  for (const i of Object.values(draft.interactions)) {
    const ids = i.contactIds as Record<string, unknown> | undefined;
    if (ids && loser in ids) {
      ids[winner] = true;
      delete ids[loser];
    }
  }
  for (const n of Object.values(draft.notes)) {
    if (stringOf(n.contactId) === loser) n.contactId = s(winner);
  }
  mergeMemory(d, winner, loser, copy);
  l.mergedInto = s(winner);
}

const stringOf = str;

function valueOf(v: unknown): string {
  if (v && typeof v === "object" && "value" in v) return stringOf((v as { value: unknown }).value).trim().toLowerCase();
  return JSON.stringify(v);
}

/** Deep copy of a value read from the document so it can be written elsewhere. */
function copy(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (v instanceof Date) return new Date(v.getTime());
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (isImmutableString(v)) return s(v.toString());
  if (Array.isArray(v)) return v.map(copy);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[k] = copy(x);
  return out;
}
