/**
 * Opens the user's document (inside the document worker): automerge-repo with IndexedDB
 * storage (works offline, survives reloads) and the WebSocket adapter to the server's
 * /sync (`?token=` auth, since browsers can't set headers on a WebSocket).
 * No hand-written sync or persistence.
 */
import { Repo, type DocHandle, type PeerId, type StorageId } from "@automerge/automerge-repo/slim";
import { IndexedDBStorageAdapter } from "@automerge/automerge-repo-storage-indexeddb";
import { BrowserWebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import type { RawDoc } from "../doc/schema";
import type { Session } from "../api/client";
import { me, ApiError } from "../api/client";
import type { SyncState } from "./protocol";

export interface Connection {
  handle: DocHandle<RawDoc>;
  state(): SyncState;
  /** Whether the server is known to hold every change this device has (works offline too:
   * the server's last acknowledged heads are remembered). */
  allSent(): boolean;
  detail(): string;
  onState(fn: () => void): () => void;
  /** The page reports the browser's online/offline events (workers may not get them). */
  setOnline(online: boolean): void;
  /** Resolves once every change so far is in IndexedDB. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function databaseName(docId: string): string {
  return `kith-doc-${docId}`;
}

export function syncUrl(token: string, loc: { protocol: string; host: string } = self.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/sync?token=${encodeURIComponent(token)}`;
}

export async function connect(session: Session, online: boolean): Promise<Connection> {
  const adapter = new BrowserWebSocketClientAdapter(syncUrl(session.token), 2000);
  const repo = new Repo({
    storage: new IndexedDBStorageAdapter(databaseName(session.docId)),
    network: [adapter],
    // We only ever talk to our own server, and only about our own document.
    sharePolicy: async () => true,
  });
  const handle = await repo.find<RawDoc>(session.docId as never);

  const listeners = new Set<() => void>();
  const notify = () => listeners.forEach((fn) => fn());
  let server: { peerId: PeerId; storageId?: StorageId } | null = null;
  // The server's storage id outlives its connection, so "all sent" can be answered offline.
  let serverStorage: StorageId | undefined;
  let error = "";
  let onlineFlag = online;

  repo.networkSubsystem.on("peer", ({ peerId, peerMetadata }) => {
    server = { peerId, storageId: peerMetadata?.storageId };
    serverStorage = peerMetadata?.storageId ?? serverStorage;
    error = "";
    notify();
  });
  repo.networkSubsystem.on("peer-disconnected", () => {
    server = null;
    notify();
    void checkAuth();
  });
  // The socket may have connected while `find` was loading the document.
  for (const peerId of repo.peers) {
    server = { peerId, storageId: repo.peerMetadataByPeerId[peerId]?.storageId };
    serverStorage = server.storageId ?? serverStorage;
  }
  handle.on("remote-heads", notify);
  handle.on("heads-changed", notify);
  repo.on("unavailable-document", ({ documentId }) => {
    if (documentId !== handle.documentId) return;
    error = "The server doesn't have this document.";
    notify();
  });

  /** A socket that keeps failing may mean the session was revoked: ask the API. */
  async function checkAuth() {
    if (!onlineFlag) return;
    try {
      await me(session.token);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) {
        error = "Your session has ended. Log out and sign in again.";
        notify();
      }
    }
  }

  // Browsers report losing the network long before a dead socket times out, so follow
  // the online/offline events: drop the socket when offline and reconnect at once when back.
  const storageId = await repo.storageId();
  const goOffline = () => {
    if (!onlineFlag) return;
    onlineFlag = false;
    try {
      adapter.disconnect();
    } catch {
      /* never connected */
    }
    server = null;
    notify();
  };
  const goOnline = () => {
    if (onlineFlag) return;
    onlineFlag = true;
    adapter.connect(repo.peerId, { storageId, isEphemeral: false });
    notify();
  };
  if (!online) {
    onlineFlag = true;
    goOffline();
  }

  function state(): SyncState {
    if (error) return "error";
    if (!onlineFlag || !server) return "offline";
    const remote = server.storageId ? handle.getSyncInfo(server.storageId)?.lastHeads : undefined;
    const local = handle.heads();
    if (remote && local && sameHeads(remote, local)) return "synced";
    return "syncing";
  }

  function allSent(): boolean {
    const remote = serverStorage ? handle.getSyncInfo(serverStorage)?.lastHeads : undefined;
    const local = handle.heads();
    return !!(remote && local && sameHeads(remote, local));
  }

  return {
    handle,
    state,
    allSent,
    detail: () => error,
    setOnline: (on) => (on ? goOnline() : goOffline()),
    flush: () => repo.flush([handle.documentId]),
    onState(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      await repo.flush().catch(() => undefined);
      try {
        // `shutdown` disconnects synchronously, and the WebSocket adapter asserts when its
        // socket is already gone (after going offline and back): that throw is not a rejection.
        await repo.shutdown();
      } catch {
        /* nothing left to shut down; everything was flushed above */
      }
    },
  };
}

function sameHeads(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((h) => s.has(h));
}

/** Deletes this device's copy of the document (on log out). */
export function forgetLocalCopy(docId: string): Promise<void> {
  return new Promise((resolve) => {
    const req = indexedDB.deleteDatabase(databaseName(docId));
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}
