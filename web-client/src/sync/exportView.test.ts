import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { hydrate, ops, type RawDoc } from "../doc";
import { rawFromExport } from "./exportView";

const t0 = new Date("2026-03-01T10:00:00Z");

/** What crdt-model's `export_json` writes for a document like the one below. */
function exportOf(ids: { ada: string; bob: string; call: string; note: string }) {
  return {
    format: "kith-export",
    version: 1,
    exportedAt: "2026-03-02T00:00:00.000Z",
    schema: 1,
    settings: { timezone: "Europe/Berlin", reminderHour: 8, digest: false },
    contacts: {
      [ids.ada]: {
        id: ids.ada,
        createdAt: t0.toISOString(),
        name: { display: "Ada Lovelace", given: "Ada", family: "Lovelace" },
        nickname: "",
        company: "Engines",
        title: "",
        emails: { e1: { label: "work", value: "ada@example.org" } },
        phones: {},
        addresses: { a1: { label: "home", street: "1 St", city: "London", region: "", postalCode: "N1", country: "UK" } },
        birthday: { month: 12, day: 10, year: null },
        tags: ["friends", "math"],
        howWeMet: "salon",
        photo: { mime: "image/png", bytes: "iVBORw0KGgo=", url: null },
        cadenceDays: 14,
        cadenceSetAt: t0.toISOString(),
        snoozedUntil: null,
        archived: false,
        mergedInto: null,
        sources: {},
      },
      [ids.bob]: { id: ids.bob, createdAt: t0.toISOString(), name: { display: "Bob", given: "", family: "" }, tags: [], archived: true },
    },
    interactions: { [ids.call]: { id: ids.call, contactIds: [ids.ada, ids.bob], kind: "call", at: t0.toISOString(), note: "hi" } },
    notes: { [ids.note]: { id: ids.note, contactId: ids.ada, createdAt: t0.toISOString(), body: "likes tea", pinned: true } },
    followUps: {
      f1: {
        id: "f1",
        contactIds: [ids.ada],
        dueAt: t0.toISOString(),
        allDay: true,
        note: "call back",
        repeat: { every: 1, unit: "month" },
        doneAt: null,
        createdAt: t0.toISOString(),
      },
    },
    relationships: { r1: { id: "r1", from: ids.ada, to: ids.bob, kind: "partner", label: "" } },
    skipped: [],
  };
}

describe("first-visit view from export.json", () => {
  it("hydrates to the same view as the document itself", () => {
    const ids = { ada: "", bob: "", call: "", note: "" };
    const doc = A.change(A.init<RawDoc>(), (d) => {
      ops.ensureShape(d);
      ops.setSettings(d, { timezone: "Europe/Berlin", reminderHour: 8, digest: false });
      ids.ada = ops.createContact(d, { display: "Ada Lovelace", given: "Ada", family: "Lovelace" }, t0);
      ids.bob = ops.createContact(d, { display: "Bob" }, t0);
      ops.setScalar(d, ids.ada as never, "company", "Engines");
      ids.call = ops.logInteraction(d, [ids.ada as never, ids.bob as never], "call", t0, "hi");
      ids.note = ops.addNote(d, ids.ada as never, "likes tea", t0);
    });
    const fromDoc = hydrate(doc);
    const fromExport = hydrate(rawFromExport(exportOf(ids)) ?? undefined);

    expect(fromExport.settings).toEqual(fromDoc.settings);
    const ada = fromExport.contacts.get(ids.ada as never)!;
    expect(ada.name).toEqual(fromDoc.contacts.get(ids.ada as never)!.name);
    expect(ada.company).toBe("Engines");
    expect(ada.createdAt.toISOString()).toBe(t0.toISOString());
    expect(ada.tags).toEqual(["friends", "math"]);
    expect(ada.emails).toEqual([{ key: "e1", label: "work", value: "ada@example.org" }]);
    expect(ada.birthday).toEqual({ month: 12, day: 10, year: null });
    expect(ada.cadenceDays).toBe(14);
    expect(ada.photoUrl).toBe("data:image/png;base64,iVBORw0KGgo=");
    expect(fromExport.contacts.get(ids.bob as never)!.archived).toBe(true);
    expect(fromExport.interactions).toHaveLength(1);
    expect([...fromExport.interactions[0].contactIds].sort()).toEqual([ids.ada, ids.bob].sort());
    expect(fromExport.interactions[0].at.getTime()).toBe(t0.getTime());
    expect(fromExport.notes.map((n) => [n.body, n.pinned])).toEqual([["likes tea", true]]);
    expect(fromExport.followUps).toEqual([
      { id: "f1", contactIds: [ids.ada], dueAt: t0, allDay: true, note: "call back", repeat: { every: 1, unit: "month" }, doneAt: null, createdAt: t0 },
    ]);
    expect(fromExport.relationships).toEqual([{ id: "r1", from: ids.ada, to: ids.bob, kind: "partner", label: "" }]);
  });

  it("refuses anything that is not a version-1 Kith export", () => {
    expect(rawFromExport(null)).toBeNull();
    expect(rawFromExport({ error: { code: "unauthorized" } })).toBeNull();
    expect(rawFromExport({ format: "kith-export", version: 2 })).toBeNull();
  });
});
