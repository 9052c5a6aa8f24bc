// A reconnect storm with the official client: every device of every user (tokens and document
// ids in the JSON file named by KITH_STORM_USERS) opens its own document, all of them within
// KITH_STORM_SPREAD_MS. The official WebSocket adapter gives up on the server's `peer` reply
// after 1 s and `find` then says "unavailable", so a slow handshake shows up here as a failure.
// Run by tests/tests/sync_storm_js.rs, or by hand (docs/benchmarks.md, "Reconnect storm");
// prints one `RESULT {json}` line.
import { readFileSync } from "node:fs"
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

const base = process.env.KITH_URL
const users = JSON.parse(readFileSync(process.env.KITH_STORM_USERS, "utf8"))
const devicesPerUser = Number(process.env.KITH_STORM_DEVICES ?? 2)
const spreadMs = Number(process.env.KITH_STORM_SPREAD_MS ?? 2000)
const syncUrl = token => `${base.replace(/^http/, "ws")}/sync?token=${encodeURIComponent(token)}`

const devices = users.flatMap(u => Array.from({ length: devicesPerUser }, () => u))
const repos = []
const failures = []
const openMs = []
const peerMs = []

async function device(user, delay) {
  await new Promise(resolve => setTimeout(resolve, delay))
  const started = performance.now()
  const adapter = new WebSocketClientAdapter(syncUrl(user.token))
  adapter.once("peer-candidate", () => peerMs.push(performance.now() - started))
  const repo = new Repo({ network: [adapter] })
  repos.push(repo)
  try {
    const handle = await repo.find(`automerge:${user.doc_id}`)
    if (handle.doc()?.schema !== 1) throw new Error("document opened without its contents")
    openMs.push(performance.now() - started)
  } catch (e) {
    failures.push(String(e?.message ?? e).slice(0, 120))
  }
}

// Arrivals spread evenly over the window, in a shuffled order.
const delays = devices.map((_, i) => (i * spreadMs) / devices.length).sort(() => Math.random() - 0.5)
await Promise.all(devices.map((u, i) => device(u, delays[i])))
await Promise.all(repos.map(r => r.shutdown().catch(() => {})))

const pct = (v, p) => {
  v.sort((a, b) => a - b)
  return v.length ? Math.round(v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)]) : 0
}
const summary = v => ({ p50_ms: pct(v, 50), p99_ms: pct(v, 99), max_ms: pct(v, 100) })
console.log(
  "RESULT " +
    JSON.stringify({
      devices: devices.length,
      opened: openMs.length,
      failed: failures.length,
      first_failures: failures.slice(0, 3),
      socket_to_peer: summary(peerMs),
      socket_to_open: summary(openMs),
    }),
)
process.exit(0)
