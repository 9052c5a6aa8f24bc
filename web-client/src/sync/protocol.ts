/**
 * Messages between the page and the document worker. The worker owns Automerge, the
 * repo, IndexedDB and the sync socket, so loading and merging a large document never
 * freezes the page; the page gets plain view objects and sends named operations.
 */
import type { Contact, ContactId, FollowUp, FollowUpId, Interaction, InteractionId, Note, NoteId, Relationship, RelationshipId, Settings } from "../doc/schema";
import type * as ops from "../doc/ops";
import type { Session } from "../api/client";

export type SyncState = "loading" | "offline" | "syncing" | "synced" | "error";

/** Operations the page may ask for: the names of the functions in doc/ops.ts. */
export type OpName = Exclude<keyof typeof ops, "ensureShape" | "normalizeTag">;
type Tail<F> = F extends (d: never, ...args: infer A) => unknown ? A : never;
export type OpArgs<N extends OpName> = Tail<(typeof ops)[N]>;

/** A view update: everything (`full`) or only what changed since the last one. */
export interface ViewDelta {
  full: boolean;
  /** True while this came from the start-up cache, before the document itself is loaded. */
  cached: boolean;
  settings: Settings;
  contacts: Contact[];
  interactions: Interaction[];
  notes: Note[];
  removedContacts: ContactId[];
  removedInteractions: InteractionId[];
  removedNotes: NoteId[];
  /** Schema v2; absent in snapshots cached before it. */
  followUps?: FollowUp[];
  relationships?: Relationship[];
  removedFollowUps?: FollowUpId[];
  removedRelationships?: RelationshipId[];
  /** The sequence number of the last page operation applied before this view. */
  ack: number;
  /** Queued edits (pending.ts) this view now holds; the page stops overlaying them. */
  applied?: string[];
}

export type ToWorker =
  | { t: "open"; session: Session; online: boolean; timezone: string }
  | { t: "op"; seq: number; message: string; op: OpName; args: unknown[] }
  | { t: "online"; online: boolean }
  /** New entries in the edit queue (pending.ts): apply them if the document is loaded. */
  | { t: "queued" }
  | { t: "save"; req: number }
  | { t: "close"; req: number; forget: boolean };

export type FromWorker =
  | { t: "view"; view: ViewDelta }
  | { t: "state"; state: SyncState; detail: string; allSent: boolean }
  | { t: "failed"; message: string }
  /** The document refused a queued edit; it stays in the queue, marked failed. */
  | { t: "opFailed"; id: string; message: string }
  /** The queue could not be read or written; its entries stay for the next try. */
  | { t: "queueError"; message: string }
  /** The document is loaded and the queue applied: edits may go straight to the document. */
  | { t: "drained" }
  | { t: "saved"; req: number; bytes: Uint8Array }
  | { t: "closed"; req: number };
