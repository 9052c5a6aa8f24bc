/**
 * Relationship memory as pure functions for the screens: a person's relationships seen from
 * their side, follow-ups due at `now`, important dates coming up.
 */
import { displayName, isActive, resolve, type Contact, type ContactId, type FollowUp, type KithView, type Relationship, type RelationshipKind } from "../doc/schema";
import { followUpState } from "../doc/followUps";
import { nextBirthday } from "../doc/math";

/** What `kind` means seen from the other end: parent ↔ child; the rest are symmetric (relationship.rs `reciprocal`). */
export function reciprocal(kind: RelationshipKind): RelationshipKind {
  return kind === "parent" ? "child" : kind === "child" ? "parent" : kind;
}

export const KIND_LABEL: Record<RelationshipKind, string> = {
  partner: "Partner",
  parent: "Parent",
  child: "Child",
  sibling: "Sibling",
  friend: "Friend",
  colleague: "Colleague",
  other: "Other",
};

export interface Relation {
  relationship: Relationship;
  other: Contact;
  /** What `other` is to the person whose page this is. */
  kind: RelationshipKind;
  label: string;
}

/** The people related to `me`, each with what they are to `me`; ends resolved through merges. */
export function relationsOf(view: KithView, me: ContactId): Relation[] {
  const out: Relation[] = [];
  for (const r of view.relationships) {
    const from = resolve(view.contacts, r.from);
    const to = resolve(view.contacts, r.to);
    if (from === to) continue;
    // `from` is `to`'s kind: seen from `to`, the other is its `kind`; seen from `from`, the reciprocal.
    const [otherId, kind] = to === me ? [from, r.kind] : from === me ? [to, reciprocal(r.kind)] : [null, r.kind];
    const other = otherId ? view.contacts.get(otherId) : undefined;
    if (other) out.push({ relationship: r, other, kind, label: r.label });
  }
  return out.sort((a, b) => displayName(a.other).localeCompare(displayName(b.other)));
}

/** "Partner", "Child", or the custom label of an `other`. */
export function relationLabel(r: { kind: RelationshipKind; label: string }): string {
  return r.kind === "other" ? r.label || "Other" : r.label ? `${KIND_LABEL[r.kind]} (${r.label})` : KIND_LABEL[r.kind];
}

/** The survivors a follow-up is about. */
export function followUpPeople(view: KithView, f: FollowUp): Contact[] {
  const ids = new Set(f.contactIds.map((id) => resolve(view.contacts, id)));
  return [...ids].map((id) => view.contacts.get(id)).filter((c): c is Contact => !!c);
}

export interface DueFollowUp {
  followUp: FollowUp;
  people: Contact[];
  due: Date;
}

/** Follow-ups to act on at `now` (about at least one active person), oldest first. */
export function dueFollowUps(view: KithView, now: Date): DueFollowUp[] {
  const out: DueFollowUp[] = [];
  for (const f of view.followUps) {
    const { due } = followUpState(f, view.settings, now);
    if (!due) continue;
    const people = followUpPeople(view, f).filter((c) => isActive(view.contacts, c));
    if (people.length > 0) out.push({ followUp: f, people, due });
  }
  return out.sort((a, b) => a.due.getTime() - b.due.getTime());
}

export interface UpcomingDate {
  contact: Contact;
  key: string;
  label: string;
  inDays: number;
  /** Years since the first one, when its year is known. */
  years: number | null;
}

/** Important dates of active people within `days` days (0 = today), soonest first; Feb 29 as for birthdays. */
export function upcomingDates(view: KithView, now: Date, days = 7): UpcomingDate[] {
  const out: UpcomingDate[] = [];
  for (const c of view.contacts.values()) {
    if (c.dates.length === 0 || !isActive(view.contacts, c)) continue;
    for (const d of c.dates) {
      const next = nextBirthday(d, now, view.settings.timezone);
      if (next.inDays < days) out.push({ contact: c, key: d.key, label: d.label || "Important date", inDays: next.inDays, years: next.age });
    }
  }
  return out.sort((a, b) => a.inDays - b.inDays || displayName(a.contact).localeCompare(displayName(b.contact)));
}

/** A URL as a link target: a bare "example.org/x" gets https://. */
export function linkHref(value: string): string {
  const v = value.trim();
  return /^[a-z][a-z0-9+.-]*:/i.test(v) ? v : `https://${v}`;
}

/** An address as one line, and as an OpenStreetMap search link. */
export function addressLine(a: { street: string; city: string; region: string; postalCode: string; country: string }): string {
  return [a.street, [a.postalCode, a.city].filter(Boolean).join(" "), a.region, a.country].filter((x) => x.trim()).join(", ");
}

export function mapHref(line: string): string {
  return `https://www.openstreetmap.org/search?query=${encodeURIComponent(line)}`;
}

/** A plausible email address: something@domain.tld, no spaces. */
export function isEmail(v: string): boolean {
  return /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim());
}
