// Kith speaks automerge-repo's network protocol v1 well enough for the official client,
// unchanged. Run by tests/tests/sync_interop.rs against a real kith (KITH_URL); that test
// then checks with a Rust device that it sees what this script wrote.
import { test } from "node:test"
import assert from "node:assert/strict"
import { Repo, generateAutomergeUrl } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"

const base = process.env.KITH_URL
if (!base) throw new Error("KITH_URL must point at a running kith (tests/tests/sync_interop.rs sets it)")
const email = process.env.KITH_EMAIL ?? `interop-${crypto.randomUUID()}@example.test`
const password = process.env.KITH_PASSWORD ?? "correct horse battery staple"
const contactId = process.env.KITH_CONTACT_ID ?? crypto.randomUUID()
const displayName = process.env.KITH_CONTACT_NAME ?? "Ada Lovelace"

async function post(path, body) {
  const response = await fetch(base + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  })
  const json = await response.json()
  assert.ok(response.ok, `${path} answered ${response.status}: ${JSON.stringify(json)}`)
  return json
}

// Browsers can't set headers on a WebSocket, so the official adapter authenticates by query.
const syncUrl = token => `${base.replace(/^http/, "ws")}/sync?token=${encodeURIComponent(token)}`

// Polls a condition every few ms up to a deadline (no fixed sleeps).
async function until(what, predicate, ms = 15000) {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 5))
  }
}

const sameHeads = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join()

test("the official automerge-repo client syncs through kith", async t => {
  const { token, doc_id } = await post("/api/v1/accounts", { email, password })
  const url = `automerge:${doc_id}`

  const phone = new Repo({ network: [new WebSocketClientAdapter(syncUrl(token))] })
  t.after(() => phone.shutdown())
  const phoneHandle = await phone.find(url)
  const created = phoneHandle.doc()
  assert.equal(created.schema, 1, "the server created the document at signup")
  assert.equal(typeof created.contacts, "object")

  phoneHandle.change(d => {
    d.contacts[contactId] = {
      id: contactId,
      createdAt: new Date(),
      name: { display: displayName, given: "Ada", family: "Lovelace" },
      nickname: "",
      company: "Analytical Engines",
      title: "",
      emails: { [crypto.randomUUID()]: { label: "home", value: "ada@example.test" } },
      phones: {},
      addresses: {},
      birthday: { month: 12, day: 10, year: 1815 },
      tags: { math: true },
      howWeMet: "",
      cadenceDays: 14,
      snoozedUntil: null,
      archived: false,
      mergedInto: null,
      sources: {},
    }
  })

  // "Saved on the server": the server advertised a persistent storageId, and its heads
  // for this document catch up with ours.
  await until("the server to acknowledge the edit", () => {
    const server = Object.values(phone.peerMetadataByPeerId)[0]
    if (!server?.storageId) return false
    assert.equal(server.isEphemeral, false)
    const info = phoneHandle.getSyncInfo(server.storageId)
    return info !== undefined && sameHeads(info.lastHeads, phoneHandle.heads())
  })

  // A second device logs in and gets everything from the server.
  const session = await post("/api/v1/sessions", { email, password, device_name: "interop laptop" })
  const laptop = new Repo({ network: [new WebSocketClientAdapter(syncUrl(session.token))] })
  t.after(() => laptop.shutdown())
  const laptopHandle = await laptop.find(url)
  await until("the laptop to see the contact", () => laptopHandle.doc()?.contacts?.[contactId]?.name?.display === displayName)

  // Live: an edit on the laptop reaches the phone without reconnecting.
  laptopHandle.change(d => {
    d.contacts[contactId].nickname = "Countess"
  })
  await until("the phone to get the laptop's edit", () => phoneHandle.doc().contacts[contactId].nickname === "Countess")
  await until("the server to store the laptop's edit", () => {
    const server = Object.values(laptop.peerMetadataByPeerId)[0]
    const info = server?.storageId && laptopHandle.getSyncInfo(server.storageId)
    return Boolean(info) && sameHeads(info.lastHeads, laptopHandle.heads())
  })

  // Someone else's (here: nobody's) document is unavailable, not an error or a hang.
  await assert.rejects(phone.find(generateAutomergeUrl()), /unavailable/i)
})
