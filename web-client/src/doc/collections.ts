import { getConflicts } from "@automerge/automerge/slim";
import type { RawDoc } from "./schema";

type Rec = Record<string, unknown>;

function isMap(v: unknown): v is Record<string, Rec> {
  return !!v && typeof v === "object" && !Array.isArray(v) && !(v instanceof Date);
}

/**
 * Every map stored at the root's `key`. Normally one; two when devices that both lacked the
 * collection (documents made before follow-ups and relationships existed) each created it
 * offline: Automerge keeps both as a conflict and a plain read sees only one. crdt-model's
 * `load` reads both, so the web client does too, or a device's records would vanish from view.
 * Inside a change callback the copies are writable proxies.
 */
export function collectionCopies(d: RawDoc | undefined, key: string): Array<Record<string, Rec>> {
  if (!d) return [];
  let conflicts: Record<string, unknown> | undefined;
  try {
    conflicts = getConflicts(d as never, key as never) as Record<string, unknown> | undefined;
  } catch {
    // Not an Automerge document (a plain object in a test): it has no conflicts.
    conflicts = undefined;
  }
  const values = conflicts && Object.keys(conflicts).length > 1 ? Object.values(conflicts) : [(d as Rec)[key]];
  return values.filter(isMap);
}

/** The copy of `key` that holds record `id` (the last one, as crdt-model lets the last win). */
export function copyHolding(d: RawDoc, key: string, id: string): Record<string, Rec> | undefined {
  return collectionCopies(d, key).reverse().find((m) => isMap(m[id]));
}
