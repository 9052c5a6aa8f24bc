// The reference for Kith's load generator: automerge-repo's own sync server, set up as the
// official automerge-repo-sync-server does (a Repo with the WebSocket server adapter, NodeFS
// storage, and a share policy that never announces documents to peers), on the exact
// versions pinned in package-lock.json.
//
//   node server.mjs <port|0> <data-dir>
// prints `listening <port>` on stdout once the socket is bound.
import { Repo } from "@automerge/automerge-repo"
import { NodeWSServerAdapter } from "@automerge/automerge-repo-network-websocket"
import { NodeFSStorageAdapter } from "@automerge/automerge-repo-storage-nodefs"
import { WebSocketServer } from "ws"

const port = Number(process.argv[2] ?? 0)
const dir = process.argv[3]
if (!Number.isInteger(port) || !dir) {
  console.error("usage: node server.mjs <port|0> <data-dir>")
  process.exit(2)
}

const wss = new WebSocketServer({ host: "127.0.0.1", port })
const repo = new Repo({
  network: [new NodeWSServerAdapter(wss)],
  storage: new NodeFSStorageAdapter(dir),
  peerId: `reference-sync-server-${process.pid}`,
  // Like the official sync server: accept any document a peer syncs, announce none.
  sharePolicy: async () => false,
})

wss.on("listening", () => {
  console.log(`listening ${wss.address().port}`)
})

const stop = async () => {
  await repo.shutdown?.()
  wss.close()
  process.exit(0)
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
