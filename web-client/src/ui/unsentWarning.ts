import type { SyncState } from "../sync/protocol";

export interface UnsentState {
  /** The server is known to hold every change this device has. */
  allSent: boolean;
  /** Edits queued before the document loaded. */
  queued: number;
  /** Edits handed to the document worker and not yet applied. */
  applying: boolean;
  state: SyncState;
}

/**
 * What to ask before logging out, which deletes this device's copy: `null` when the server
 * has everything, else a question saying what would be lost. Logging out must never drop
 * an edit silently.
 */
export function unsentWarning(s: UnsentState): string | null {
  const after = " Logging out deletes them from this device. Log out anyway?";
  if (s.queued > 0) {
    const n = s.queued === 1 ? "1 change" : `${s.queued} changes`;
    return `${n} made while your data was loading ${s.queued === 1 ? "hasn't" : "haven't"} been saved to your account yet.${after}`;
  }
  if (s.allSent && !s.applying) return null;
  if (s.state === "offline") return `You're offline, so changes made on this device may not have reached the server yet.${after}`;
  return `Your latest changes are still being sent to the server (wait for “Synced” to be safe).${after}`;
}
