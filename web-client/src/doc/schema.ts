/**
 * The Kith document, mirrored from crdt-model's schema (DESIGN.md "The document").
 *
 * Two layers: `RawDoc` is what Automerge hands us (short strings may arrive as
 * `ImmutableString` scalars, anything may be missing in an older or foreign document),
 * and the plain view types below, produced by tolerant hydration (hydrate.ts): a bad
 * record is skipped, never thrown on. Everything else in the app reads only the view
 * types. This module has no Automerge dependency, so the page bundle stays small.
 */

export type ContactId = string & { readonly __brand: "ContactId" };
export type InteractionId = string & { readonly __brand: "InteractionId" };
export type NoteId = string & { readonly __brand: "NoteId" };
export type FollowUpId = string & { readonly __brand: "FollowUpId" };
export type RelationshipId = string & { readonly __brand: "RelationshipId" };

export const INTERACTION_KINDS = ["call", "meeting", "message", "email", "other"] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];

export interface Settings {
  timezone: string;
  reminderHour: number;
  digest: boolean;
}

export interface Name {
  display: string;
  given: string;
  family: string;
}

export interface LabeledValue {
  key: string;
  label: string;
  value: string;
}

export interface Address {
  key: string;
  label: string;
  street: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

export interface Birthday {
  month: number;
  day: number;
  year: number | null;
}

/** `dates.<key>`: an anniversary or another yearly date (schema v2). */
export interface ImportantDate {
  key: string;
  label: string;
  month: number;
  day: number;
  year: number | null;
  remind: boolean;
}

/** `relatedNames.<key>`: an imported related person known only by name. */
export interface RelatedName {
  key: string;
  label: string;
  name: string;
}

export interface Contact {
  id: ContactId;
  createdAt: Date;
  name: Name;
  nickname: string;
  company: string;
  title: string;
  emails: LabeledValue[];
  phones: LabeledValue[];
  addresses: Address[];
  birthday: Birthday | null;
  tags: string[];
  howWeMet: string;
  photoUrl: string | null;
  cadenceDays: number | null;
  cadenceSetAt: Date | null;
  snoozedUntil: Date | null;
  archived: boolean;
  mergedInto: ContactId | null;
  // Schema v2 (relationship memory).
  department: string;
  pronouns: string;
  urls: LabeledValue[];
  dates: ImportantDate[];
  relatedNames: RelatedName[];
}

export interface Interaction {
  id: InteractionId;
  contactIds: ContactId[];
  kind: InteractionKind;
  at: Date;
  note: string;
}

export interface Note {
  id: NoteId;
  contactId: ContactId;
  createdAt: Date;
  body: string;
  pinned: boolean;
}

export const REPEAT_UNITS = ["day", "week", "month", "year"] as const;
export type RepeatUnit = (typeof REPEAT_UNITS)[number];

export interface Repeat {
  every: number;
  unit: RepeatUnit;
}

/** `followUps.<id>`: "remind me to call her after the surgery", once or repeating. */
export interface FollowUp {
  id: FollowUpId;
  contactIds: ContactId[];
  dueAt: Date;
  /** Due at the reminder hour on dueAt's local day (dueAt holds that day's local midnight). */
  allDay: boolean;
  note: string;
  /** null: one-off. A unit this version does not know hydrates as null (a one-off), as in Rust. */
  repeat: Repeat | null;
  doneAt: Date | null;
  createdAt: Date;
}

export const RELATIONSHIP_KINDS = ["partner", "parent", "child", "sibling", "friend", "colleague", "other"] as const;
export type RelationshipKind = (typeof RELATIONSHIP_KINDS)[number];

/** `relationships.<id>`: `from` is `to`'s `kind`; stored once, the other side is derived. */
export interface Relationship {
  id: RelationshipId;
  from: ContactId;
  to: ContactId;
  kind: RelationshipKind;
  label: string;
}

export interface KithView {
  settings: Settings;
  contacts: Map<ContactId, Contact>;
  interactions: Interaction[];
  notes: Note[];
  followUps: FollowUp[];
  relationships: Relationship[];
}

/** The document as stored; loose on purpose, hydration decides what is usable. */
export interface RawDoc {
  schema?: unknown;
  settings?: Record<string, unknown>;
  contacts?: Record<string, Record<string, unknown>>;
  interactions?: Record<string, Record<string, unknown>>;
  notes?: Record<string, Record<string, unknown>>;
  followUps?: Record<string, Record<string, unknown>>;
  relationships?: Record<string, Record<string, unknown>>;
}

export const DEFAULT_SETTINGS: Settings = { timezone: "UTC", reminderHour: 9, digest: true };

/**
 * Follows `mergedInto` to the surviving contact; stops at a missing contact. Two devices
 * merging a pair into each other at once make a cycle: then the smallest id on the cycle
 * survives, as in crdt-model's `resolve_merged`, so every device shows the same one and
 * nobody disappears.
 */
export function resolve(contacts: Map<ContactId, Contact>, id: ContactId): ContactId {
  const seen: ContactId[] = [];
  let cur = id;
  for (;;) {
    seen.push(cur);
    const next = contacts.get(cur)?.mergedInto;
    if (!next || !contacts.has(next)) return cur;
    const at = seen.indexOf(next);
    if (at >= 0) return seen.slice(at).reduce((a, b) => (b < a ? b : a));
    cur = next;
  }
}

/** Shown in lists and reminders: not archived and not merged away. */
export function isActive(contacts: Map<ContactId, Contact>, c: Contact): boolean {
  return !c.archived && (c.mergedInto === null || resolve(contacts, c.id) === c.id);
}

export function displayName(c: Contact): string {
  return c.name.display || [c.name.given, c.name.family].filter(Boolean).join(" ") || c.nickname || "(no name)";
}
