/**
 * The golden vectors (crdt-model/tests/golden/vectors.json) read by the TypeScript side.
 *
 * Each case holds a document built by the Rust ops (Automerge bytes) and what the Rust
 * hydration and math read from it at fixed instants. Here the same bytes go through
 * @automerge/automerge, the TS hydrate and the TS math, and must give the same records,
 * statuses, due dates and birthdays. A field or a rule changed on one side only fails
 * either this test or `cargo test -p crdt-model --test golden`.
 * Regenerate after an intended change: `KITH_BLESS=1 cargo test -p crdt-model --test golden`.
 */
import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { hydrate } from "./hydrate";
import { dueAt, lastContactedIndex, localDate, nextBirthday, status, DAY_MS } from "./math";
// `?raw` (a Vite string import) keeps this test free of Node typings; the file lives with
// the Rust generator that writes it.
import vectorsText from "../../../crdt-model/tests/golden/vectors.json?raw";
import { nextOccurrence } from "./followUps";
import { isActive, resolve, type Contact, type ContactId, type FollowUp, type Interaction, type KithView, type Note, type RawDoc } from "./schema";

type Json = Record<string, unknown>;
interface Case {
  name: string;
  about: string;
  doc: string;
  expected: {
    settings: Json;
    contacts: Json[];
    interactions: Json[];
    notes: Json[];
    followUps: Json[];
    relationships: Json[];
    at: Array<Json & { now: string }>;
  };
}

const vectors = JSON.parse(vectorsText) as { cases: Case[] };

function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
}

/**
 * Rust fields the web client deliberately does not read. Anything else the Rust side
 * hydrates must appear in the TS view with the same value (and the TS view may hold
 * nothing the Rust side does not), so a one-sided schema change fails here.
 */
// Import bookkeeping, the vCard lines written back unchanged on export, and the CardDAV href a phone
// chose: the server's business.
const RUST_ONLY = ["sources", "unmodeled", "davHref"] as const;

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
const byKey = <T extends { key: string }>(xs: T[]) => [...xs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
const byId = <T extends { id: unknown }>(xs: T[]) => [...xs].sort((a, b) => (String(a.id) < String(b.id) ? -1 : 1));

/** The TS contact in the vectors' spelling: instants as ISO strings, entries sorted by key. */
function contactJson(c: Contact): Json {
  const { createdAt, cadenceSetAt, snoozedUntil, emails, phones, addresses, urls, dates, relatedNames, ...rest } = c;
  return {
    ...rest,
    createdAt: iso(createdAt),
    cadenceSetAt: iso(cadenceSetAt),
    snoozedUntil: iso(snoozedUntil),
    emails: byKey(emails),
    phones: byKey(phones),
    addresses: byKey(addresses),
    urls: byKey(urls),
    dates: byKey(dates),
    relatedNames: byKey(relatedNames),
  };
}

/** The Rust record as the TS view spells it: the photo becomes the URL the UI shows. */
function expectedContact(rust: Json): Json {
  const out: Json = { ...rust };
  for (const k of RUST_ONLY) delete out[k];
  const photo = out.photo as { mime: string; bytes: string | null; url: string | null } | null;
  delete out.photo;
  out.photoUrl = photo ? (photo.url ?? (photo.bytes ? `data:${photo.mime || "image/jpeg"};base64,${photo.bytes}` : null)) : null;
  return out;
}

const interactionJson = (i: Interaction): Json => ({ ...i, at: iso(i.at), contactIds: [...i.contactIds].sort() });
const noteJson = (n: Note): Json => ({ ...n, createdAt: iso(n.createdAt) });
const followUpJson = (f: FollowUp): Json => ({
  ...f,
  contactIds: [...f.contactIds].sort(),
  dueAt: iso(f.dueAt),
  doneAt: iso(f.doneAt),
  createdAt: iso(f.createdAt),
});

/** The relationship math at `now`, spelled as the vectors' `at` entries. */
function mathAt(view: KithView, now: Date): Json {
  const active = [...view.contacts.values()].filter((c) => isActive(view.contacts, c)).sort((a, b) => (a.id < b.id ? -1 : 1));
  const last = lastContactedIndex(view.contacts, view.interactions, now);
  const tz = view.settings.timezone;
  const lastContacted: Json = {};
  const statuses: Json = {};
  const birthdays: Json = {};
  for (const c of active) {
    const l = last.get(c.id);
    if (l) lastContacted[c.id] = iso(l);
    const s = status(c, l, now);
    if (s !== "none") statuses[c.id] = { dueAt: iso(dueAt(c, l)), status: s };
    if (c.birthday) {
      const next = nextBirthday(c.birthday, now, tz);
      const today = localDate(now, tz);
      const date = new Date(Date.UTC(today.year, today.month - 1, today.day) + next.inDays * DAY_MS).toISOString().slice(0, 10);
      birthdays[c.id] = { date, inDays: next.inDays, age: next.age };
    }
  }
  const resolved: Json = {};
  for (const id of [...view.contacts.keys()].sort()) resolved[id] = resolve(view.contacts, id as ContactId);
  const nextFollowUps = [...view.followUps]
    .sort((a, b) => (a.note < b.note ? -1 : a.note > b.note ? 1 : 0))
    .map((f) => {
      const next = nextOccurrence(f, view.settings, now);
      return { note: f.note, next: next ? { index: next.index, at: next.at.toISOString() } : null };
    });
  return { now: now.toISOString(), nextFollowUps, active: active.map((c) => c.id), resolved, lastContacted, statuses, birthdays };
}

describe("golden vectors shared with crdt-model", () => {
  it("has cases", () => {
    expect(vectors.cases.length).toBeGreaterThanOrEqual(8);
  });

  describe.each(vectors.cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const view = hydrate(A.load<RawDoc>(fromBase64(c.doc)));

    it("hydrates the same records", () => {
      expect(view.settings).toEqual(c.expected.settings);
      expect(byId([...view.contacts.values()]).map(contactJson)).toEqual(c.expected.contacts.map(expectedContact));
      expect(byId(view.interactions).map(interactionJson)).toEqual(c.expected.interactions);
      expect(byId(view.notes).map(noteJson)).toEqual(c.expected.notes);
      expect(byId(view.followUps).map(followUpJson)).toEqual(c.expected.followUps);
      expect(byId(view.relationships)).toEqual(c.expected.relationships);
    });

    it.each(c.expected.at.map((a) => [a.now, a] as const))("computes the same math at %s", (now, expected) => {
      expect(mathAt(view, new Date(now))).toEqual(expected);
    });
  });
});
