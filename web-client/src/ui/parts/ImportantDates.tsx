import { useState } from "preact/hooks";
import type { Contact } from "../../doc/schema";
import { nextBirthday } from "../../doc/math";
import { newId } from "../../doc/fields";
import { removeImportantDate } from "../../view/undoable";
import { useApp } from "../context";
import { useUndoable } from "../undo";
import { checkDay, DayInput, emptyDay, formatDay } from "./DayInput";

/** Anniversaries and other yearly dates, each with a reminder on or off. */
export function ImportantDates({ c }: { c: Contact }) {
  const { view, now, op } = useApp();
  const act = useUndoable();
  const [adding, setAdding] = useState(false);
  const dates = [...c.dates].sort((a, b) => nextBirthday(a, now, view.settings.timezone).inDays - nextBirthday(b, now, view.settings.timezone).inDays);
  return (
    <section class="panel memory" aria-labelledby="dates-h" data-section="dates">
      <div class="panel-head">
        <h2 id="dates-h">Important dates</h2>
        {!adding && (
          <button class="secondary" onClick={() => setAdding(true)}>
            + Add date
          </button>
        )}
      </div>
      {adding && <DateForm c={c} onDone={() => setAdding(false)} />}
      {dates.length === 0 && !adding && <p class="muted">No anniversaries or other dates yet.</p>}
      <ul class="memory-list" aria-label="Important dates">
        {dates.map((d) => {
          const next = nextBirthday(d, now, view.settings.timezone);
          return (
            <li data-date={d.key}>
              <div class="t-main">
                <strong>{d.label || "Important date"}</strong> <span>{formatDay(d)}</span>
                <span class="muted small">
                  {" "}
                  · {next.inDays === 0 ? "today" : `in ${next.inDays} days`}
                  {next.age !== null && next.age > 0 ? ` (${next.age} years)` : ""}
                </span>
              </div>
              <label class="check small">
                <input
                  type="checkbox"
                  checked={d.remind}
                  onChange={(e) => op("edit important date", "updateImportantDate", c.id, d.key, { ...d, remind: e.currentTarget.checked })}
                />
                Remind me
              </label>
              <button class="icon-btn" aria-label={`Remove ${d.label || "date"}`} onClick={() => act(removeImportantDate(c, d.key))}>
                ✕
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function DateForm({ c, onDone }: { c: Contact; onDone: () => void }) {
  const { now, op } = useApp();
  const [label, setLabel] = useState("");
  const [day, setDay] = useState(emptyDay);
  const [remind, setRemind] = useState(true);
  const [error, setError] = useState("");
  return (
    <form
      class="memory-form"
      aria-label="New important date"
      onSubmit={(e) => {
        e.preventDefault();
        const checked = checkDay(day, now);
        if ("error" in checked) return setError(checked.error);
        op("add important date", "addImportantDate", c.id, { label: label.trim() || "Anniversary", ...checked.ok, remind }, newId());
        onDone();
      }}
    >
      <label class="field">
        <span>What</span>
        <input name="date-label" value={label} maxLength={200} placeholder="Wedding anniversary" onInput={(e) => setLabel(e.currentTarget.value)} />
      </label>
      <DayInput prefix="Date" value={day} onChange={setDay} />
      <label class="check">
        <input type="checkbox" checked={remind} onChange={(e) => setRemind(e.currentTarget.checked)} />
        Remind me every year
      </label>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="form-actions">
        <button type="submit">Add date</button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
