import { useState } from "preact/hooks";
import { displayName, INTERACTION_KINDS, resolve, type Contact, type ContactId, type Interaction, type InteractionKind } from "../../doc/schema";
import { newId } from "../../doc/fields";
import { useApp } from "../context";
import { useUndoable } from "../undo";
import { deleteInteraction } from "../../view/undoable";
import { href } from "../router";
import { PeoplePicker } from "./PeoplePicker";

const ICON: Record<InteractionKind, string> = { call: "Call", meeting: "Met", message: "Msg", email: "@", other: "•" };
const kindLabel = (k: InteractionKind) => k[0].toUpperCase() + k.slice(1);

function localInputValue(d: Date): string {
  const off = d.getTimezoneOffset() * 60_000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}

/** The interaction log for a person, newest first, with a form to log one (with several people at once). */
export function Timeline({ c }: { c: Contact }) {
  const { view } = useApp();
  const [editing, setEditing] = useState<string | null>(null);
  const items = view.interactions
    .filter((i) => i.contactIds.some((id) => resolve(view.contacts, id) === c.id))
    .sort((a, b) => b.at.getTime() - a.at.getTime());

  return (
    <section aria-labelledby="timeline-h" class="panel">
      <h2 id="timeline-h">Timeline</h2>
      <InteractionForm c={c} />
      {items.length === 0 ? (
        <p class="muted">No interactions logged yet.</p>
      ) : (
        <ol class="timeline" aria-label="Interactions">
          {items.map((i) =>
            editing === i.id ? (
              <li data-interaction={i.id}>
                <InteractionForm c={c} existing={i} onDone={() => setEditing(null)} />
              </li>
            ) : (
              <Item i={i} c={c} onEdit={() => setEditing(i.id)} />
            ),
          )}
        </ol>
      )}
    </section>
  );
}

function Item({ i, c, onEdit }: { i: Interaction; c: Contact; onEdit: () => void }) {
  const { view } = useApp();
  const act = useUndoable();
  const others = [...new Set(i.contactIds.map((id) => resolve(view.contacts, id)))]
    .filter((id) => id !== c.id)
    .map((id) => view.contacts.get(id))
    .filter((o): o is Contact => !!o);
  return (
    <li data-interaction={i.id}>
      <span class="t-icon" aria-hidden="true">
        {ICON[i.kind]}
      </span>
      <div class="t-main">
        <strong>{kindLabel(i.kind)}</strong>{" "}
        <time dateTime={i.at.toISOString()} class="muted">
          {i.at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}
        </time>
        {others.length > 0 && (
          <span class="muted small with">
            {" "}
            with{" "}
            {others.map((o, n) => (
              <>
                {n > 0 && ", "}
                <a href={href({ name: "person", id: o.id })}>{displayName(o)}</a>
              </>
            ))}
          </span>
        )}
        {i.note && <p>{i.note}</p>}
      </div>
      <button class="link-btn" aria-label={`Edit ${i.kind} on ${i.at.toLocaleDateString()}`} onClick={onEdit}>
        Edit
      </button>
      <button class="icon-btn" aria-label={`Delete ${i.kind} on ${i.at.toLocaleDateString()}`} onClick={() => act(deleteInteraction(i))}>
        ✕
      </button>
    </li>
  );
}

/** Logs a new interaction, or edits `existing` (kind, when, note, people). */
function InteractionForm({ c, existing, onDone }: { c: Contact; existing?: Interaction; onDone?: () => void }) {
  const { view, op, now } = useApp();
  const [kind, setKind] = useState<InteractionKind>(existing?.kind ?? "call");
  const [at, setAt] = useState(() => localInputValue(existing?.at ?? now));
  const [note, setNote] = useState(existing?.note ?? "");
  const initial = existing ? [...new Set(existing.contactIds.map((id) => resolve(view.contacts, id)))] : [c.id];
  const [people, setPeople] = useState<ContactId[]>(initial);
  const [error, setError] = useState("");

  function submit(e: Event) {
    e.preventDefault();
    const when = at ? new Date(at) : new Date();
    const date = Number.isNaN(when.getTime()) ? new Date() : when;
    if (people.length === 0) return setError("Choose at least one person.");
    if (existing) {
      op("edit interaction", "editInteraction", existing.id, { kind, at: date, note: note.trim(), contactIds: people });
      onDone?.();
      return;
    }
    op(`log ${kind}`, "logInteraction", people, kind, date, note.trim(), newId() as Interaction["id"]);
    setNote("");
    setAt(localInputValue(new Date()));
    setPeople([c.id]);
    setError("");
  }

  return (
    <form class="log-form" onSubmit={submit} aria-label={existing ? "Edit interaction" : "Log an interaction"}>
      <label class="field narrow">
        <span>Kind</span>
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as InteractionKind)}>
          {INTERACTION_KINDS.map((k) => (
            <option value={k}>{kindLabel(k)}</option>
          ))}
        </select>
      </label>
      <label class="field">
        <span>When</span>
        <input type="datetime-local" name="at" value={at} onInput={(e) => setAt(e.currentTarget.value)} />
      </label>
      <label class="field grow">
        <span>Note</span>
        <input name="interaction-note" value={note} placeholder="What did you talk about?" onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <div class="log-people">
        <PeoplePicker label={existing ? "People" : "With"} selected={people} onChange={setPeople} locked={existing ? [] : [c.id]} />
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">{existing ? "Save" : "Log"}</button>
      {existing && (
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      )}
    </form>
  );
}
