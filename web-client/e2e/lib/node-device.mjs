// Another "device" of a user, in Node: the official automerge-repo client over the real
// /sync WebSocket. Used to put data in a user's document quickly (screenshots, perf).
import { Repo } from "@automerge/automerge-repo";
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket";
import { until } from "./browser.mjs";

export async function api(url, path, { method = "GET", token, json } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  if (json !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(url + path, { method, headers, body: json === undefined ? undefined : JSON.stringify(json) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Opens the user's document from Node, applies `fn` as one change, waits until the server has it. */
export async function changeAsDevice(url, session, message, fn) {
  const adapter = new WebSocketClientAdapter(`${url.replace(/^http/, "ws")}/sync?token=${encodeURIComponent(session.token)}`, 1000);
  const repo = new Repo({ network: [adapter], sharePolicy: async () => true });
  try {
    const handle = await repo.find(session.doc_id);
    handle.change(fn, { message });
    const heads = handle.heads();
    await until(
      () =>
        repo.peers.some((p) => {
          const sid = repo.peerMetadataByPeerId[p]?.storageId;
          const remote = sid && handle.getSyncInfo(sid)?.lastHeads;
          return remote && heads.every((h) => remote.includes(h));
        }),
      { timeout: 60_000, what: "the server to hold the seeded change" },
    );
  } finally {
    await repo.shutdown().catch(() => undefined);
  }
}
