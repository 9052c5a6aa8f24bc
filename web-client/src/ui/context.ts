/** What every screen needs: the session, the document view, operations on it, the clock. */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { Session } from "../api/client";
import type { KithView } from "../doc/schema";
import type { DocClient } from "../sync/client";
import type { SyncState } from "../sync/protocol";

export interface AppContext {
  session: Session;
  view: KithView;
  /** Applies a doc/ops.ts operation as one change with a commit message. */
  op: DocClient["op"];
  /** Operations sent to the document but not yet reflected in `view`. */
  pending: () => boolean;
  now: Date;
  sync: SyncState;
  syncDetail: string;
  /** The document as bytes (a local backup). */
  save: () => Promise<Uint8Array>;
  logOut: () => Promise<void>;
}

export const Ctx = createContext<AppContext | null>(null);

export function useApp(): AppContext {
  const c = useContext(Ctx);
  if (!c) throw new Error("useApp outside the signed-in app");
  return c;
}
