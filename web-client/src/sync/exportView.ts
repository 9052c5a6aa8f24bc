/**
 * First visit on a new device: the server's `export.json` as a start-up view.
 *
 * Building a 5,000-person document from scratch in the browser takes seconds (Automerge
 * replays every change). The export is the same data as plain JSON, so the worker shows it
 * at once — exactly like the snapshot a returning visit reads from IndexedDB — while the
 * real document syncs. Edits made meanwhile wait for the document, as with the snapshot.
 *
 * The export's shape is the document's own (crdt-model `export::json`), with three
 * differences from what Automerge hands us, undone here so the one tolerant `hydrate`
 * reads both: timestamps are RFC 3339 strings, sets (tags, an interaction's contacts) are
 * arrays, and photo bytes are base64.
 */
import type { RawDoc } from "../doc/schema";

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => v !== null && typeof v === "object" && !Array.isArray(v);

function toDate(v: unknown): Date | undefined {
  if (typeof v !== "string") return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function toSet(v: unknown): Record<string, true> {
  const out: Record<string, true> = {};
  if (Array.isArray(v)) for (const x of v) if (typeof x === "string") out[x] = true;
  return out;
}

function photo(v: unknown): Json | undefined {
  if (!isObj(v)) return undefined;
  if (typeof v.url === "string" && v.url) return { url: v.url };
  if (typeof v.bytes === "string" && v.bytes) {
    const mime = typeof v.mime === "string" && v.mime ? v.mime : "image/jpeg";
    return { url: `data:${mime};base64,${v.bytes}` };
  }
  return undefined;
}

function records(v: unknown, convert: (r: Json) => Json): Record<string, Json> {
  const out: Record<string, Json> = {};
  if (isObj(v)) for (const [k, r] of Object.entries(v)) if (isObj(r)) out[k] = convert(r);
  return out;
}

/** `null` when `json` is not a Kith export this version understands. */
export function rawFromExport(json: unknown): RawDoc | null {
  if (!isObj(json) || json.format !== "kith-export" || json.version !== 1) return null;
  return {
    schema: json.schema,
    settings: isObj(json.settings) ? json.settings : {},
    contacts: records(json.contacts, (c) => ({
      ...c,
      createdAt: toDate(c.createdAt),
      cadenceSetAt: toDate(c.cadenceSetAt),
      snoozedUntil: toDate(c.snoozedUntil),
      tags: toSet(c.tags),
      photo: photo(c.photo),
    })),
    interactions: records(json.interactions, (i) => ({ ...i, at: toDate(i.at), contactIds: toSet(i.contactIds) })),
    notes: records(json.notes, (n) => ({ ...n, createdAt: toDate(n.createdAt) })),
    followUps: records(json.followUps, (f) => ({
      ...f,
      dueAt: toDate(f.dueAt),
      doneAt: toDate(f.doneAt) ?? null,
      createdAt: toDate(f.createdAt),
      contactIds: toSet(f.contactIds),
    })),
    relationships: records(json.relationships, (r) => r),
  };
}
