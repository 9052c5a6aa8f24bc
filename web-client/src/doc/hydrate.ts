/**
 * Tolerant hydration: raw Automerge values to the view types of schema.ts. Never throws;
 * a record that makes no sense is skipped, a field that makes no sense gets its default.
 */
import { isImmutableString } from "@automerge/automerge/slim";
import { collectionCopies } from "./collections";
import { validMonthDay } from "./fields";
import {
  DEFAULT_SETTINGS,
  INTERACTION_KINDS,
  type Address,
  type Birthday,
  type Contact,
  type ContactId,
  type FollowUp,
  type FollowUpId,
  type ImportantDate,
  type RelatedName,
  type Relationship,
  type RelationshipId,
  RELATIONSHIP_KINDS,
  REPEAT_UNITS,
  type RelationshipKind,
  type RepeatUnit,
  type Interaction,
  type InteractionId,
  type InteractionKind,
  type KithView,
  type LabeledValue,
  type Note,
  type NoteId,
  type RawDoc,
  type Settings,
} from "./schema";

export function str(v: unknown): string {
  if (typeof v === "string") return v;
  if (isImmutableString(v)) return v.toString();
  return "";
}

export function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

export function date(v: unknown): Date | null {
  return v instanceof Date && !Number.isNaN(v.getTime()) ? v : null;
}

function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date) && !isImmutableString(v)
    ? (v as Record<string, unknown>)
    : null;
}

function trueKeys(v: unknown): string[] {
  const o = obj(v);
  return o ? Object.keys(o).filter((k) => o[k] === true) : [];
}

/** A map's entries by key: Automerge lists a loaded map's keys sorted but a live one's in
 * insertion order, so sorting shows one order on every device and after every reload, and a
 * value removed and restored by Undo (same key) comes back in its place. */
const byKey = (o: Record<string, unknown>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function labeled(v: unknown): LabeledValue[] {
  const o = obj(v);
  if (!o) return [];
  const out: LabeledValue[] = [];
  for (const [key, raw] of byKey(o)) {
    const e = obj(raw);
    if (e) out.push({ key, label: str(e.label), value: str(e.value) });
  }
  return out;
}

function addresses(v: unknown): Address[] {
  const o = obj(v);
  if (!o) return [];
  const out: Address[] = [];
  for (const [key, raw] of byKey(o)) {
    const a = obj(raw);
    if (a) {
      out.push({
        key,
        label: str(a.label),
        street: str(a.street),
        city: str(a.city),
        region: str(a.region),
        postalCode: str(a.postalCode),
        country: str(a.country),
      });
    }
  }
  return out;
}

function birthday(v: unknown): Birthday | null {
  const b = obj(v);
  if (!b) return null;
  const month = num(b.month);
  const day = num(b.day);
  // Reject what no year could hold (30 February, month 13); 2000 is a leap year.
  if (!validMonthDay(month, day)) return null;
  return { month: month!, day: day!, year: num(b.year) };
}

function importantDates(v: unknown): ImportantDate[] {
  const o = obj(v);
  if (!o) return [];
  const out: ImportantDate[] = [];
  // By key, so every device and every reload shows one order (a live map lists keys in insertion order).
  for (const [key, raw] of Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const d = obj(raw);
    if (!d) continue;
    const month = num(d.month);
    const day = num(d.day);
    if (!validMonthDay(month, day)) continue;
    out.push({ key, label: str(d.label), month: month!, day: day!, year: num(d.year), remind: d.remind === true });
  }
  return out;
}

function relatedNames(v: unknown): RelatedName[] {
  const o = obj(v);
  if (!o) return [];
  const out: RelatedName[] = [];
  for (const [key, raw] of Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const r = obj(raw);
    if (r) out.push({ key, label: str(r.label), name: str(r.name) });
  }
  return out;
}

function photoUrl(v: unknown): string | null {
  const p = obj(v);
  if (!p) return null;
  const url = str(p.url);
  if (url) return url;
  const bytes = p.bytes;
  if (bytes instanceof Uint8Array && bytes.length > 0) {
    const mime = str(p.mime) || "image/jpeg";
    let bin = "";
    for (let i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return `data:${mime};base64,${btoa(bin)}`;
  }
  return null;
}

/** Hydrated records keyed by the raw object; Automerge keeps unchanged sub-objects
 * identical across versions, so re-hydrating after a change only touches what changed. */
const contactCache = new WeakMap<object, Contact>();
const interactionCache = new WeakMap<object, Interaction>();
const noteCache = new WeakMap<object, Note>();

export function hydrateContact(key: string, raw: unknown): Contact | null {
  const c = obj(raw);
  if (!c) return null;
  const hit = contactCache.get(c);
  if (hit && hit.id === key) return hit;
  const name = obj(c.name) ?? {};
  const cadence = num(c.cadenceDays);
  const contact: Contact = {
    id: key as ContactId,
    createdAt: date(c.createdAt) ?? new Date(0),
    name: { display: str(name.display), given: str(name.given), family: str(name.family) },
    nickname: str(c.nickname),
    company: str(c.company),
    title: str(c.title),
    emails: labeled(c.emails),
    phones: labeled(c.phones),
    addresses: addresses(c.addresses),
    birthday: birthday(c.birthday),
    tags: trueKeys(c.tags).sort(),
    howWeMet: str(c.howWeMet),
    photoUrl: photoUrl(c.photo),
    cadenceDays: cadence !== null && cadence > 0 ? cadence : null,
    cadenceSetAt: date(c.cadenceSetAt),
    snoozedUntil: date(c.snoozedUntil),
    archived: c.archived === true,
    mergedInto: (str(c.mergedInto) || null) as ContactId | null,
    department: str(c.department),
    pronouns: str(c.pronouns),
    urls: labeled(c.urls),
    dates: importantDates(c.dates),
    relatedNames: relatedNames(c.relatedNames),
  };
  contactCache.set(c, contact);
  return contact;
}

export function hydrateInteraction(key: string, raw: unknown): Interaction | null {
  const i = obj(raw);
  if (!i) return null;
  const hit = interactionCache.get(i);
  if (hit && hit.id === key) return hit;
  const at = date(i.at);
  if (!at) return null;
  const kind = str(i.kind);
  const interaction: Interaction = {
    id: key as InteractionId,
    contactIds: trueKeys(i.contactIds) as ContactId[],
    kind: (INTERACTION_KINDS as readonly string[]).includes(kind) ? (kind as InteractionKind) : "other",
    at,
    note: str(i.note),
  };
  interactionCache.set(i, interaction);
  return interaction;
}

export function hydrateNote(key: string, raw: unknown): Note | null {
  const n = obj(raw);
  if (!n) return null;
  const hit = noteCache.get(n);
  if (hit && hit.id === key) return hit;
  const contactId = str(n.contactId);
  if (!contactId) return null;
  const note: Note = {
    id: key as NoteId,
    contactId: contactId as ContactId,
    createdAt: date(n.createdAt) ?? new Date(0),
    body: str(n.body),
    pinned: n.pinned === true,
  };
  noteCache.set(n, note);
  return note;
}

const followUpCache = new WeakMap<object, FollowUp>();
const relationshipCache = new WeakMap<object, Relationship>();

export function hydrateFollowUp(key: string, raw: unknown): FollowUp | null {
  const f = obj(raw);
  if (!f) return null;
  const hit = followUpCache.get(f);
  if (hit && hit.id === key) return hit;
  const dueAt = date(f.dueAt);
  if (!dueAt) return null;
  const r = obj(f.repeat);
  const unit = r ? str(r.unit) : "";
  const every = r ? num(r.every) : null;
  const repeat =
    r && (REPEAT_UNITS as readonly string[]).includes(unit) ? { every: every !== null && every >= 1 ? Math.floor(every) : 1, unit: unit as RepeatUnit } : null;
  const followUp: FollowUp = {
    id: key as FollowUpId,
    contactIds: trueKeys(f.contactIds) as ContactId[],
    dueAt,
    allDay: f.allDay === true,
    note: str(f.note),
    repeat,
    doneAt: date(f.doneAt),
    createdAt: date(f.createdAt) ?? new Date(0),
  };
  followUpCache.set(f, followUp);
  return followUp;
}

export function hydrateRelationship(key: string, raw: unknown): Relationship | null {
  const r = obj(raw);
  if (!r) return null;
  const hit = relationshipCache.get(r);
  if (hit && hit.id === key) return hit;
  const from = str(r.from);
  const to = str(r.to);
  if (!from || !to || from === to) return null;
  const kind = str(r.kind);
  const known = (RELATIONSHIP_KINDS as readonly string[]).includes(kind);
  const relationship: Relationship = {
    id: key as RelationshipId,
    from: from as ContactId,
    to: to as ContactId,
    // A kind from a newer client shows as "other" with its name as the label.
    kind: known ? (kind as RelationshipKind) : "other",
    label: str(r.label) || (known ? "" : kind),
  };
  relationshipCache.set(r, relationship);
  return relationship;
}

export function hydrateSettings(raw: unknown): Settings {
  const s = obj(raw) ?? {};
  const hour = num(s.reminderHour);
  return {
    timezone: str(s.timezone) || DEFAULT_SETTINGS.timezone,
    reminderHour: hour !== null && hour >= 0 && hour <= 23 ? Math.floor(hour) : DEFAULT_SETTINGS.reminderHour,
    digest: typeof s.digest === "boolean" ? s.digest : DEFAULT_SETTINGS.digest,
  };
}

/** The records of a root collection, across every copy of it (see `collectionCopies`). */
function entriesOf(raw: RawDoc | undefined, key: string): Array<[string, unknown]> {
  return collectionCopies(raw, key).flatMap((m) => Object.entries(m));
}

/** The whole document as view types. Never throws on a malformed document. */
export function hydrate(raw: RawDoc | undefined): KithView {
  const contacts = new Map<ContactId, Contact>();
  for (const [k, v] of entriesOf(raw, "contacts")) {
    const c = hydrateContact(k, v);
    if (c) contacts.set(c.id, c);
  }
  const interactions: Interaction[] = [];
  for (const [k, v] of entriesOf(raw, "interactions")) {
    const i = hydrateInteraction(k, v);
    if (i) interactions.push(i);
  }
  const notes: Note[] = [];
  for (const [k, v] of entriesOf(raw, "notes")) {
    const n = hydrateNote(k, v);
    if (n) notes.push(n);
  }
  const followUps: FollowUp[] = [];
  for (const [k, v] of entriesOf(raw, "followUps")) {
    const f = hydrateFollowUp(k, v);
    if (f) followUps.push(f);
  }
  const relationships: Relationship[] = [];
  for (const [k, v] of entriesOf(raw, "relationships")) {
    const r = hydrateRelationship(k, v);
    if (r) relationships.push(r);
  }
  return { settings: hydrateSettings(raw?.settings), contacts, interactions, notes, followUps, relationships };
}


/**
 * A contact from a start-up snapshot written by an earlier version (before schema v2) lacks
 * the v2 fields; fill their defaults so the screens can read them until the document loads.
 */
export function withV2Defaults(c: Contact): Contact {
  if (Array.isArray(c.urls) && Array.isArray(c.dates) && Array.isArray(c.relatedNames)) return c;
  return {
    ...c,
    department: c.department ?? "",
    pronouns: c.pronouns ?? "",
    urls: c.urls ?? [],
    dates: c.dates ?? [],
    relatedNames: c.relatedNames ?? [],
  };
}
