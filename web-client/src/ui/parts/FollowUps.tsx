import { useState } from "preact/hooks";
import { displayName, resolve, REPEAT_UNITS, type Contact, type ContactId, type FollowUp, type RepeatUnit } from "../../doc/schema";
import { allDayDueAt, followUpState, localParts, timedDueAt } from "../../doc/followUps";
import { newId } from "../../doc/fields";
import { followUpPeople } from "../../view/memory";
import { deleteFollowUp } from "../../view/undoable";
import { useUndoable } from "../undo";
import { useApp } from "../context";
import { href } from "../router";
import { PeoplePicker } from "./PeoplePicker";

const UNIT_LABEL: Record<RepeatUnit, string> = { day: "day", week: "week", month: "month", year: "year" };

export function repeatText(f: FollowUp): string {
  if (!f.repeat) return "";
  const u = UNIT_LABEL[f.repeat.unit];
  return f.repeat.every === 1 ? `every ${u}` : `every ${f.repeat.every} ${u}s`;
}

export function dueText(at: Date, allDay: boolean): string {
  return allDay ? at.toLocaleDateString(undefined, { dateStyle: "medium" }) : at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** "Remind me… on date, time, repeat": the person's follow-ups, added, edited, done and deleted here. */
export function FollowUps({ c }: { c: Contact }) {
  const act = useUndoable();
  const { view, now, op } = useApp();
  const [editing, setEditing] = useState<string | null>(null);
  const mine = view.followUps.filter((f) => f.contactIds.some((id) => resolve(view.contacts, id) === c.id));
  const withState = mine.map((f) => ({ f, st: followUpState(f, view.settings, now) }));
  const open = withState.filter((x) => x.f.repeat || !x.f.doneAt).sort((a, b) => (a.st.due ?? a.st.next ?? a.f.dueAt).getTime() - (b.st.due ?? b.st.next ?? b.f.dueAt).getTime());
  const done = withState.filter((x) => !x.f.repeat && x.f.doneAt);
  return (
    <section class="panel memory" aria-labelledby="fu-h" data-section="follow-ups">
      <div class="panel-head">
        <h2 id="fu-h">Follow-ups</h2>
        {editing !== "new" && (
          <button class="secondary" onClick={() => setEditing("new")}>
            + Remind me…
          </button>
        )}
      </div>
      {editing === "new" && <FollowUpForm c={c} onDone={() => setEditing(null)} />}
      {open.length === 0 && editing !== "new" && <p class="muted">Nothing to follow up on.</p>}
      <ul class="memory-list" aria-label="Open follow-ups">
        {open.map(({ f, st }) =>
          editing === f.id ? (
            <li>
              <FollowUpForm c={c} existing={f} onDone={() => setEditing(null)} />
            </li>
          ) : (
            <li class={st.due ? "fu-due" : ""} data-follow-up={f.id}>
              <div class="t-main">
                <strong>{f.note || "Follow up"}</strong>
                <span class="muted small">
                  {" "}
                  {st.due ? `Due ${dueText(st.due, f.allDay)}` : st.next ? `On ${dueText(st.next, f.allDay)}` : ""}
                  {f.repeat ? ` · ${repeatText(f)}` : ""}
                </span>
                <Others f={f} me={c.id} />
              </div>
              <div class="memory-actions">
                {(st.due || !f.repeat) && (
                  <button class="chip" aria-label={`Done: ${f.note || "follow-up"}`} onClick={() => op("complete follow-up", "completeFollowUp", f.id, true, new Date())}>
                    Done
                  </button>
                )}
                <button class="link-btn" aria-label={`Edit follow-up ${f.note}`} onClick={() => setEditing(f.id)}>
                  Edit
                </button>
                <button
                  class="link-btn danger"
                  aria-label={`Delete follow-up ${f.note}`}
                  onClick={() => act(deleteFollowUp(f))}
                >
                  Delete
                </button>
              </div>
            </li>
          ),
        )}
      </ul>
      {done.length > 0 && (
        <details class="memory-done">
          <summary>Done ({done.length})</summary>
          <ul class="memory-list">
            {done.map(({ f }) => (
              <li data-follow-up={f.id}>
                <div class="t-main">
                  <s>{f.note || "Follow up"}</s> <span class="muted small">done {f.doneAt!.toLocaleDateString()}</span>
                </div>
                <button class="link-btn" onClick={() => op("reopen follow-up", "completeFollowUp", f.id, false, new Date())}>
                  Reopen
                </button>
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

function Others({ f, me }: { f: FollowUp; me: ContactId }) {
  const { view } = useApp();
  const others = followUpPeople(view, f).filter((p) => p.id !== me);
  if (others.length === 0) return null;
  return (
    <span class="muted small">
      {" "}
      · with{" "}
      {others.map((p, i) => (
        <>
          {i > 0 && ", "}
          <a href={href({ name: "person", id: p.id })}>{displayName(p)}</a>
        </>
      ))}
    </span>
  );
}

function FollowUpForm({ c, existing, onDone }: { c: Contact; existing?: FollowUp; onDone: () => void }) {
  const { view, now, op } = useApp();
  const s = view.settings;
  const start = localParts(existing?.dueAt ?? now, s.timezone);
  const [note, setNote] = useState(existing?.note ?? "");
  const [date, setDate] = useState(start.date);
  const [time, setTime] = useState(existing && !existing.allDay ? start.time : "");
  const [unit, setUnit] = useState<RepeatUnit | "">(existing?.repeat?.unit ?? "");
  const [every, setEvery] = useState(String(existing?.repeat?.every ?? 1));
  const [people, setPeople] = useState<ContactId[]>(existing ? followUpPeople(view, existing).map((p) => p.id) : [c.id]);
  const [error, setError] = useState("");

  function submit(e: Event) {
    e.preventDefault();
    const dueAt = time ? timedDueAt(date, time, s) : allDayDueAt(date, s);
    if (!dueAt) return setError("Choose a date (and a time, or leave the time empty for the whole day).");
    const n = Number(every);
    if (unit && (!Number.isInteger(n) || n < 1 || n > 999)) return setError("Repeat every 1 to 999.");
    if (people.length === 0) return setError("Choose at least one person.");
    const repeat = unit ? { every: n, unit } : null;
    if (existing) {
      const before = followUpPeople(view, existing).map((p) => p.id);
      op("edit follow-up", "editFollowUp", existing.id, {
        dueAt,
        allDay: !time,
        note: note.trim(),
        repeat,
        addContacts: people.filter((p) => !before.includes(p)),
        removeContacts: existing.contactIds.filter((p) => !people.includes(resolve(view.contacts, p))),
      });
    } else {
      op("add follow-up", "addFollowUp", { contactIds: people, dueAt, allDay: !time, note: note.trim(), repeat }, new Date(), newId() as FollowUp["id"]);
    }
    onDone();
  }

  return (
    <form class="memory-form" onSubmit={submit} aria-label={existing ? "Edit follow-up" : "New follow-up"}>
      <label class="field grow">
        <span>Remind me to…</span>
        <input name="fu-note" value={note} maxLength={2000} placeholder="call after the surgery" onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <div class="row-fields">
        <label class="field">
          <span>On</span>
          <input type="date" name="fu-date" required value={date} onInput={(e) => setDate(e.currentTarget.value)} />
        </label>
        <label class="field narrow">
          <span>Time (optional)</span>
          <input type="time" name="fu-time" value={time} onInput={(e) => setTime(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Repeat</span>
          <select name="fu-repeat" value={unit} onChange={(e) => setUnit(e.currentTarget.value as RepeatUnit | "")}>
            <option value="">Once</option>
            {REPEAT_UNITS.map((u) => (
              <option value={u}>Every {UNIT_LABEL[u]}</option>
            ))}
          </select>
        </label>
        {unit && (
          <label class="field narrow">
            <span>Every how many</span>
            <input type="number" name="fu-every" min={1} max={999} value={every} onInput={(e) => setEvery(e.currentTarget.value)} />
          </label>
        )}
      </div>
      <PeoplePicker label="About" selected={people} onChange={setPeople} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="form-actions">
        <button type="submit">{existing ? "Save follow-up" : "Add follow-up"}</button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
      <p class="muted small">{time ? "" : `Without a time you're reminded at ${s.reminderHour}:00 that day.`}</p>
    </form>
  );
}
