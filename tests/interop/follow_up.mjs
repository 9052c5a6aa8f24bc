// A device running the official automerge-repo client writes a person and a follow-up due in
// the past into its Kith document, in DESIGN.md's shapes (what the web client writes: short
// strings as ImmutableString scalars, the note as text, instants as Dates), then stays
// connected and reports when the follow-up is marked done by someone else.
// Driven by tests/tests/follow_ups_js_e2e.rs, which reads the lines this prints:
//   WRITTEN               the server has stored the edit
//   DONE <epoch ms>       this client saw `doneAt` set (printed on arrival)
import { Repo } from "@automerge/automerge-repo"
import { WebSocketClientAdapter } from "@automerge/automerge-repo-network-websocket"
import { ImmutableString } from "@automerge/automerge"

const need = name => {
  const v = process.env[name]
  if (!v) throw new Error(`${name} must be set (tests/tests/follow_ups_js_e2e.rs sets it)`)
  return v
}
const base = need("KITH_URL")
const token = need("KITH_TOKEN")
const docId = need("KITH_DOC_ID")
const contactId = need("KITH_CONTACT_ID")
const followUpId = need("KITH_FOLLOW_UP_ID")
const name = need("KITH_CONTACT_NAME")
const note = need("KITH_NOTE")
const dueAt = new Date(need("KITH_DUE_AT"))
const createdAt = new Date(need("KITH_CREATED_AT"))
const s = v => new ImmutableString(v)

const sameHeads = (a, b) => a.length === b.length && [...a].sort().join() === [...b].sort().join()

async function until(what, predicate, ms) {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 2))
  }
}

const repo = new Repo({
  network: [new WebSocketClientAdapter(`${base.replace(/^http/, "ws")}/sync?token=${encodeURIComponent(token)}`)],
})
try {
  const handle = await repo.find(`automerge:${docId}`)
  handle.change(d => {
    d.contacts[contactId] = {
      id: s(contactId),
      createdAt,
      name: { display: s(name), given: s(""), family: s("") },
      nickname: s(""),
      company: s(""),
      title: s(""),
      emails: {},
      phones: {},
      addresses: {},
      birthday: null,
      tags: {},
      howWeMet: s(""),
      cadenceDays: null,
      cadenceSetAt: null,
      snoozedUntil: null,
      archived: false,
      mergedInto: null,
      sources: {},
    }
    if (!d.followUps) d.followUps = {}
    d.followUps[followUpId] = {
      id: s(followUpId),
      contactIds: { [contactId]: true },
      dueAt,
      allDay: false,
      note,
      repeat: null,
      doneAt: null,
      createdAt,
    }
  }, { message: "Add follow-up" })

  await until(
    "the server to store the follow-up",
    () => {
      const server = Object.values(repo.peerMetadataByPeerId)[0]
      const info = server?.storageId && handle.getSyncInfo(server.storageId)
      return Boolean(info) && sameHeads(info.lastHeads, handle.heads())
    },
    20_000,
  )
  console.log("WRITTEN")
  // Report the moment the Done action's change arrives (on the change event, not by polling).
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timed out waiting for the follow-up to be marked done")), 60_000)
    const check = () => {
      const done = handle.doc()?.followUps?.[followUpId]?.doneAt
      if (done instanceof Date) {
        clearTimeout(timer)
        console.log(`DONE ${Date.now()} ${done.toISOString()}`)
        resolve()
      }
    }
    handle.on("change", check)
    check()
  })
} finally {
  await repo.shutdown()
}
