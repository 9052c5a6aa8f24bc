/**
 * Shows queued edits (pending.ts) on the page before the document has loaded, by running
 * the same named operation from doc/ops.ts on the view the page already has.
 *
 * The operations are written against the raw document, so the records they touch are
 * turned back into raw shape on demand (a lazy table: reading `contacts[id]` builds that
 * one record), the operation runs on them, and only those records are hydrated again.
 * Turning a view record back into raw shape is generic, so fields added to the schema
 * later come along: strings become ImmutableString (so no operation takes the Automerge
 * text path here), arrays of strings become sets, arrays of `{key, …}` become maps.
 *
 * It runs on the page, not in the document worker, because the worker is busy loading
 * the document (seconds of work that never yields) exactly when this is needed.
 */
import { ImmutableString } from "@automerge/automerge/slim";
import * as ops from "../doc/ops";
import { hydrateContact, hydrateFollowUp, hydrateInteraction, hydrateNote, hydrateRelationship, hydrateSettings } from "../doc/hydrate";
import type { Contact, RawDoc, Settings } from "../doc/schema";
import type { Indexed } from "./viewDiff";

/** A view the page can show: the indexed records and the settings. */
export interface Overlayable extends Indexed {
  settings: Settings;
}

type Raw = Record<string, unknown>;

function toRaw(v: unknown): unknown {
  if (typeof v === "string") return new ImmutableString(v);
  if (v === null || typeof v !== "object" || v instanceof Date) return v;
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === "string")) return Object.fromEntries(v.map((x: string) => [x, true]));
    if (v.every((x) => x !== null && typeof x === "object" && typeof (x as Raw).key === "string")) {
      return Object.fromEntries(
        v.map((x: Raw) => {
          const { key, ...rest } = x;
          return [key as string, toRaw(rest)];
        }),
      );
    }
    return v.map(toRaw);
  }
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toRaw(x)]));
}

function contactToRaw(c: Contact): Raw {
  const { photoUrl, ...rest } = c;
  const raw = toRaw(rest) as Raw;
  raw.photo = photoUrl ? { url: new ImmutableString(photoUrl) } : null;
  return raw;
}

/** A map of view records seen as a raw table; `touched` holds what the operation read or wrote. */
function lazyTable<V>(base: Map<string, V>, convert: (v: V) => Raw) {
  const touched = new Map<string, Raw | undefined>();
  const has = (k: string) => (touched.has(k) ? touched.get(k) !== undefined : base.has(k));
  const get = (k: string): Raw | undefined => {
    if (touched.has(k)) return touched.get(k);
    const v = base.get(k);
    if (v === undefined) return undefined;
    const raw = convert(v);
    touched.set(k, raw);
    return raw;
  };
  const table = new Proxy({} as Record<string, Raw>, {
    get: (_t, k) => (typeof k === "string" ? get(k) : undefined),
    set: (_t, k, v) => {
      if (typeof k === "string") touched.set(k, v as Raw);
      return true;
    },
    has: (_t, k) => typeof k === "string" && has(k),
    deleteProperty: (_t, k) => {
      if (typeof k === "string") touched.set(k, undefined);
      return true;
    },
    ownKeys: () => {
      const keys = new Set(base.keys());
      for (const [k, v] of touched) {
        if (v === undefined) keys.delete(k);
        else keys.add(k);
      }
      return [...keys];
    },
    getOwnPropertyDescriptor: (_t, k) =>
      typeof k === "string" && has(k) ? { value: get(k), writable: true, enumerable: true, configurable: true } : undefined,
  });
  return { table, touched };
}

type AnyOp = (d: RawDoc, ...args: unknown[]) => unknown;

/** Operations that create something return its id and take it as an optional last argument. */
export function opFunction(name: string): AnyOp | null {
  const fn = (ops as unknown as Record<string, AnyOp | undefined>)[name];
  return typeof fn === "function" && name !== "ensureShape" && name !== "normalizeTag" ? fn : null;
}

/**
 * Applies one operation to `view` in place (its maps are replaced record by record) and
 * returns what the operation returned. Throws what the operation throws; `view` is then
 * unchanged.
 */
export function applyToView(view: Overlayable, name: string, args: unknown[]): unknown {
  const fn = opFunction(name);
  if (!fn) throw new Error(`unknown operation ${name}`);
  const contacts = lazyTable(view.contacts as Map<string, Contact>, contactToRaw);
  const interactions = lazyTable(view.interactions as Map<string, unknown>, (v) => toRaw(v) as Raw);
  const notes = lazyTable(view.notes as Map<string, unknown>, (v) => toRaw(v) as Raw);
  const followUps = lazyTable(view.followUps as Map<string, unknown>, (v) => toRaw(v) as Raw);
  const relationships = lazyTable(view.relationships as Map<string, unknown>, (v) => toRaw(v) as Raw);
  const doc: RawDoc = {
    schema: 1,
    settings: toRaw(view.settings) as Raw,
    contacts: contacts.table,
    interactions: interactions.table,
    notes: notes.table,
    followUps: followUps.table,
    relationships: relationships.table,
  };
  const out = fn(doc, ...args);
  view.settings = hydrateSettings(doc.settings);
  write(view.contacts as Map<string, unknown>, contacts.touched, hydrateContact);
  write(view.interactions as Map<string, unknown>, interactions.touched, hydrateInteraction);
  write(view.notes as Map<string, unknown>, notes.touched, hydrateNote);
  write(view.followUps as Map<string, unknown>, followUps.touched, hydrateFollowUp);
  write(view.relationships as Map<string, unknown>, relationships.touched, hydrateRelationship);
  return out;
}

function write<V>(target: Map<string, V>, touched: Map<string, Raw | undefined>, hydrateOne: (k: string, raw: unknown) => V | null) {
  for (const [k, raw] of touched) {
    const v = raw === undefined ? null : hydrateOne(k, raw);
    if (v === null) target.delete(k);
    else target.set(k, v);
  }
}

/**
 * Freezes the ids an operation would otherwise make up when it runs: an operation that
 * creates something returns the new id and accepts it as its last, optional argument, so
 * when the caller left it out, the id this run produced is appended. The document then
 * gets the same record the page already shows, however often the edit is replayed.
 */
export function withFixedIds(name: string, args: unknown[], returned: unknown): unknown[] {
  const fn = opFunction(name);
  if (fn && typeof returned === "string" && args.length === fn.length - 1) return [...args, returned];
  return args;
}

/** A copy of `view` whose maps can be changed without touching `view`. */
export function copyView(view: Overlayable): Overlayable {
  return {
    settings: view.settings,
    contacts: new Map(view.contacts),
    interactions: new Map(view.interactions),
    notes: new Map(view.notes),
    followUps: new Map(view.followUps),
    relationships: new Map(view.relationships),
  };
}
