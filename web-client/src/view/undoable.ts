/**
 * One-tap changes paired with the change that takes them back. Undo writes that compensating
 * change into the document like any other edit (it is not a rewind of history), so it works
 * offline, syncs, and merges with what other devices did meanwhile.
 *
 * Each builder reads what it needs from the view *before* the change (the snooze that was
 * set, the email that is being removed) and returns both directions as named operations
 * from doc/ops.ts, the only thing the document worker runs.
 */
import type { OpArgs, OpName } from "../sync/protocol";
import { displayName, type Contact, type FollowUp, type Interaction, type InteractionKind, type Note, type Relationship } from "../doc/schema";
import { ADDRESS_FIELDS, newId } from "../doc/fields";
import { DAY_MS } from "../doc/math";
import { formatDate } from "./dates";

/** One named operation with its commit message. */
export interface Step {
  message: string;
  op: OpName;
  args: unknown[];
}

export function step<N extends OpName>(message: string, op: N, ...args: OpArgs<N>): Step {
  return { message, op, args };
}

/** A change as the user sees it ("Logged a call with Anna") and its compensating change. */
export interface Undoable {
  label: string;
  forward: Step[];
  inverse: Step[];
}

const PAST: Record<InteractionKind, string> = {
  call: "Logged a call with",
  message: "Logged a message to",
  meeting: "Logged a meeting with",
  email: "Logged an email to",
  other: "Logged contact with",
};

/** "Called / Messaged / Met": a new interaction now. Undo deletes it and puts back a snooze it ended. */
export function reachedOut(c: Contact, kind: InteractionKind, at: Date, id: string = newId()): Undoable {
  const inverse = [step(`undo: log ${kind}`, "deleteInteraction", id as Interaction["id"])];
  // logInteraction ends a snooze that is over by then; undo brings it back.
  if (c.snoozedUntil && c.snoozedUntil <= at) inverse.push(step("undo: restore snooze", "snooze", c.id, c.snoozedUntil));
  return {
    label: `${PAST[kind]} ${displayName(c)}`,
    forward: [step(`log ${kind}`, "logInteraction", [c.id], kind, at, "", id as Interaction["id"])],
    inverse,
  };
}

export function snoozeFor(c: Contact, days: number, now: Date): Undoable {
  const until = new Date(now.getTime() + days * DAY_MS);
  return {
    label: `Snoozed ${displayName(c)} until ${formatDate(until)}`,
    forward: [step(`snooze ${days} days`, "snooze", c.id, until)],
    inverse: [step("undo: snooze", "snooze", c.id, c.snoozedUntil)],
  };
}

export function archive(c: Contact): Undoable {
  return {
    label: `Archived ${displayName(c)}`,
    forward: [step("archive", "setArchived", c.id, true)],
    inverse: [step("undo: archive", "setArchived", c.id, c.archived)],
  };
}

/** Removing an email, phone or address; undo re-adds it under the same key, so at the same place. */
export function removeEntry(c: Contact, kind: "emails" | "phones" | "addresses", key: string): Undoable {
  const forward = [step(`remove ${kind}`, "removeEntry", c.id, kind, key)];
  if (kind === "addresses") {
    const a = c.addresses.find((x) => x.key === key);
    const inverse = a
      ? [
          step("undo: remove address", "addAddress", c.id, a.label, key),
          ...ADDRESS_FIELDS.filter((f) => f !== "label" && a[f]).map((f) => step("undo: remove address", "updateEntry", c.id, "addresses", key, f, a[f])),
        ]
      : [];
    return { label: `Removed an address of ${displayName(c)}`, forward, inverse };
  }
  const e = c[kind].find((x) => x.key === key);
  const what = kind === "emails" ? "email" : "phone number";
  return {
    label: `Removed ${what} ${e?.value ?? ""}`.trim(),
    forward,
    inverse: e ? [step(`undo: remove ${kind}`, "addEntry", c.id, kind, e.label, e.value, key)] : [],
  };
}

/** Undo re-creates the interaction with its id, people, kind, time and note. */
export function deleteInteraction(i: Interaction): Undoable {
  return {
    label: `Deleted the ${i.kind} of ${formatDate(i.at)}`,
    forward: [step("delete interaction", "deleteInteraction", i.id)],
    inverse: [step("undo: delete interaction", "logInteraction", i.contactIds, i.kind, i.at, i.note, i.id)],
  };
}

/** Undo re-creates the note with its id, person, date, text and pin. */
export function deleteNote(n: Note): Undoable {
  const inverse = [step("undo: delete note", "addNote", n.contactId, n.body, n.createdAt, n.id)];
  if (n.pinned) inverse.push(step("undo: delete note", "setNotePinned", n.id, true));
  return { label: "Deleted a note", forward: [step("delete note", "deleteNote", n.id)], inverse };
}

/** Undo re-creates the follow-up with its id, people, due time, note, repeat, creation and done time. */
export function deleteFollowUp(f: FollowUp): Undoable {
  const input = { contactIds: f.contactIds, dueAt: f.dueAt, allDay: f.allDay, note: f.note, repeat: f.repeat };
  const inverse = [step("undo: delete follow-up", "addFollowUp", input, f.createdAt, f.id)];
  if (f.doneAt) inverse.push(step("undo: delete follow-up", "completeFollowUp", f.id, true, f.doneAt));
  return { label: `Deleted the follow-up “${f.note || "follow-up"}”`, forward: [step("delete follow-up", "deleteFollowUp", f.id)], inverse };
}

/** Undo puts the date back under its key with its label, day and reminder. */
export function removeImportantDate(c: Contact, key: string): Undoable {
  const d = c.dates.find((x) => x.key === key);
  const input = d && { label: d.label, month: d.month, day: d.day, year: d.year, remind: d.remind };
  return {
    label: `Removed ${d?.label || "a date"} of ${displayName(c)}`,
    forward: [step("remove important date", "removeEntry", c.id, "dates", key)],
    inverse: input ? [step("undo: remove important date", "addImportantDate", c.id, input, key)] : [],
  };
}

/** Undo puts the link back under its key. */
export function removeLink(c: Contact, key: string): Undoable {
  const u = c.urls.find((x) => x.key === key);
  return {
    label: `Removed link ${u?.value ?? ""}`.trim(),
    forward: [step("remove link", "removeEntry", c.id, "urls", key)],
    inverse: u ? [step("undo: remove link", "addUrl", c.id, u.label, u.value, key)] : [],
  };
}

/** Undo relates the two again under the same id. */
export function unrelate(r: Relationship, other: Contact): Undoable {
  return {
    label: `Removed the relationship with ${displayName(other)}`,
    forward: [step("unrelate", "unrelate", r.id)],
    inverse: [step("undo: unrelate", "relate", r.from, r.to, r.kind, r.label, r.id)],
  };
}
