/**
 * Tolerant hydration: raw Automerge values to the view types of schema.ts. Never throws;
 * a record that makes no sense is skipped, a field that makes no sense gets its default.
 */
import { isImmutableString } from "@automerge/automerge/slim";
import {
  DEFAULT_SETTINGS,
  INTERACTION_KINDS,
  type Address,
  type Birthday,
  type Contact,
  type ContactId,
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

function labeled(v: unknown): LabeledValue[] {
  const o = obj(v);
  if (!o) return [];
  const out: LabeledValue[] = [];
  for (const [key, raw] of Object.entries(o)) {
    const e = obj(raw);
    if (e) out.push({ key, label: str(e.label), value: str(e.value) });
  }
  return out;
}

function addresses(v: unknown): Address[] {
  const o = obj(v);
  if (!o) return [];
  const out: Address[] = [];
  for (const [key, raw] of Object.entries(o)) {
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
  if (month === null || day === null || month < 1 || month > 12 || day < 1) return null;
  if (day > new Date(Date.UTC(2000, month, 0)).getUTCDate()) return null;
  return { month, day, year: num(b.year) };
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

export function hydrateSettings(raw: unknown): Settings {
  const s = obj(raw) ?? {};
  const hour = num(s.reminderHour);
  return {
    timezone: str(s.timezone) || DEFAULT_SETTINGS.timezone,
    reminderHour: hour !== null && hour >= 0 && hour <= 23 ? Math.floor(hour) : DEFAULT_SETTINGS.reminderHour,
    digest: typeof s.digest === "boolean" ? s.digest : DEFAULT_SETTINGS.digest,
  };
}

/** The whole document as view types. Never throws on a malformed document. */
export function hydrate(raw: RawDoc | undefined): KithView {
  const contacts = new Map<ContactId, Contact>();
  for (const [k, v] of Object.entries(obj(raw?.contacts) ?? {})) {
    const c = hydrateContact(k, v);
    if (c) contacts.set(c.id, c);
  }
  const interactions: Interaction[] = [];
  for (const [k, v] of Object.entries(obj(raw?.interactions) ?? {})) {
    const i = hydrateInteraction(k, v);
    if (i) interactions.push(i);
  }
  const notes: Note[] = [];
  for (const [k, v] of Object.entries(obj(raw?.notes) ?? {})) {
    const n = hydrateNote(k, v);
    if (n) notes.push(n);
  }
  return { settings: hydrateSettings(raw?.settings), contacts, interactions, notes };
}

