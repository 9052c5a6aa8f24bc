import { useState } from "preact/hooks";
import { INTERACTION_KINDS, resolve, type Contact, type InteractionKind } from "../../doc/schema";
import { useApp } from "../context";

const ICON: Record<InteractionKind, string> = { call: "Call", meeting: "Met", message: "Msg", email: "@", other: "•" };

function localInputValue(d: Date): string {
  const off = d.getTimezoneOffset() * 60_000;
  return new Date(d.getTime() - off).toISOString().slice(0, 16);
}

/** The interaction log for a person, newest first, with a form to log one. */
export function Timeline({ c }: { c: Contact }) {
  const { view, op, now } = useApp();
  const [kind, setKind] = useState<InteractionKind>("call");
  const [at, setAt] = useState(() => localInputValue(now));
  const [note, setNote] = useState("");
  const items = view.interactions
    .filter((i) => i.contactIds.some((id) => resolve(view.contacts, id) === c.id))
    .sort((a, b) => b.at.getTime() - a.at.getTime());

  function submit(e: Event) {
    e.preventDefault();
    const when = at ? new Date(at) : new Date();
    op(`log ${kind}`, "logInteraction", [c.id], kind, Number.isNaN(when.getTime()) ? new Date() : when, note.trim());
    setNote("");
    setAt(localInputValue(new Date()));
  }

  return (
    <section aria-labelledby="timeline-h" class="panel">
      <h2 id="timeline-h">Timeline</h2>
      <form class="log-form" onSubmit={submit}>
        <label class="field narrow">
          <span>Kind</span>
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as InteractionKind)}>
            {INTERACTION_KINDS.map((k) => (
              <option value={k}>{k[0].toUpperCase() + k.slice(1)}</option>
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
        <button type="submit">Log</button>
      </form>
      {items.length === 0 ? (
        <p class="muted">No interactions logged yet.</p>
      ) : (
        <ol class="timeline" aria-label="Interactions">
          {items.map((i) => (
            <li>
              <span class="t-icon" aria-hidden="true">
                {ICON[i.kind]}
              </span>
              <div class="t-main">
                <strong>{i.kind[0].toUpperCase() + i.kind.slice(1)}</strong>{" "}
                <time dateTime={i.at.toISOString()} class="muted">
                  {i.at.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" })}
                </time>
                {i.note && <p>{i.note}</p>}
              </div>
              <button class="icon-btn" aria-label={`Delete ${i.kind} on ${i.at.toLocaleDateString()}`} onClick={() => op("delete interaction", "deleteInteraction", i.id)}>
                ✕
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
