/**
 * Turns successive hydrated documents into small view deltas for the page, and applies
 * them on the page side. Hydration reuses unchanged records (same object), so a change
 * to one contact sends one contact, not five thousand.
 */
import type { Contact, ContactId, FollowUp, FollowUpId, Interaction, InteractionId, KithView, Note, NoteId, Relationship, RelationshipId } from "../doc/schema";
import type { ViewDelta } from "./protocol";

export interface Indexed {
  contacts: Map<ContactId, Contact>;
  interactions: Map<InteractionId, Interaction>;
  notes: Map<NoteId, Note>;
  followUps: Map<FollowUpId, FollowUp>;
  relationships: Map<RelationshipId, Relationship>;
}

export function index(view: KithView): Indexed {
  return {
    contacts: view.contacts,
    interactions: new Map(view.interactions.map((i) => [i.id, i])),
    notes: new Map(view.notes.map((n) => [n.id, n])),
    followUps: new Map(view.followUps.map((f) => [f.id, f])),
    relationships: new Map(view.relationships.map((r) => [r.id, r])),
  };
}

function diffMap<K, V>(prev: Map<K, V> | null, next: Map<K, V>): { changed: V[]; removed: K[] } {
  const changed: V[] = [];
  const removed: K[] = [];
  for (const [k, v] of next) if (!prev || prev.get(k) !== v) changed.push(v);
  if (prev) for (const k of prev.keys()) if (!next.has(k)) removed.push(k);
  return { changed, removed };
}

export function diffViews(prev: Indexed | null, next: Indexed, view: KithView, ack: number, cached = false): ViewDelta {
  const c = diffMap(prev?.contacts ?? null, next.contacts);
  const i = diffMap(prev?.interactions ?? null, next.interactions);
  const n = diffMap(prev?.notes ?? null, next.notes);
  const f = diffMap(prev?.followUps ?? null, next.followUps);
  const r = diffMap(prev?.relationships ?? null, next.relationships);
  return {
    full: prev === null,
    cached,
    settings: view.settings,
    contacts: c.changed,
    interactions: i.changed,
    notes: n.changed,
    removedContacts: c.removed,
    removedInteractions: i.removed,
    removedNotes: n.removed,
    followUps: f.changed,
    relationships: r.changed,
    removedFollowUps: f.removed,
    removedRelationships: r.removed,
    ack,
  };
}

export function isEmptyDelta(d: ViewDelta): boolean {
  return (
    !d.full &&
    d.contacts.length + d.interactions.length + d.notes.length + d.removedContacts.length + d.removedInteractions.length + d.removedNotes.length +
        (d.followUps?.length ?? 0) + (d.relationships?.length ?? 0) + (d.removedFollowUps?.length ?? 0) + (d.removedRelationships?.length ?? 0) ===
        0
  );
}

/** Page side: the next view from the previous one and a delta (previous is never mutated). */
export function applyDelta(prev: Indexed | null, d: ViewDelta): { indexed: Indexed; view: KithView } {
  const base = d.full || !prev ? null : prev;
  const contacts = new Map(base?.contacts ?? []);
  const interactions = new Map(base?.interactions ?? []);
  const notes = new Map(base?.notes ?? []);
  const followUps = new Map(base?.followUps ?? []);
  const relationships = new Map(base?.relationships ?? []);
  // Snapshots written before schema v2 lack these lists.
  for (const id of d.removedFollowUps ?? []) followUps.delete(id);
  for (const id of d.removedRelationships ?? []) relationships.delete(id);
  for (const x of d.followUps ?? []) followUps.set(x.id, x);
  for (const x of d.relationships ?? []) relationships.set(x.id, x);
  for (const id of d.removedContacts) contacts.delete(id);
  for (const id of d.removedInteractions) interactions.delete(id);
  for (const id of d.removedNotes) notes.delete(id);
  for (const x of d.contacts) contacts.set(x.id, x);
  for (const x of d.interactions) interactions.set(x.id, x);
  for (const x of d.notes) notes.set(x.id, x);
  return {
    indexed: { contacts, interactions, notes, followUps, relationships },
    view: {
      settings: d.settings,
      contacts,
      interactions: [...interactions.values()],
      notes: [...notes.values()],
      followUps: [...followUps.values()],
      relationships: [...relationships.values()],
    },
  };
}
