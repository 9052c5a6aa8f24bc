import { useState } from "preact/hooks";
import { displayName, RELATIONSHIP_KINDS, type Contact, type ContactId, type RelationshipId, type RelationshipKind } from "../../doc/schema";
import { newId } from "../../doc/fields";
import { KIND_LABEL, relationLabel, relationsOf } from "../../view/memory";
import { unrelate } from "../../view/undoable";
import { useApp } from "../context";
import { useUndoable } from "../undo";
import { href } from "../router";
import { PeoplePicker } from "./PeoplePicker";

/** Who this person is related to, each a link to their page; the reciprocal is derived, never stored. */
export function Relationships({ c }: { c: Contact }) {
  const { view, op } = useApp();
  const act = useUndoable();
  const [adding, setAdding] = useState(false);
  const relations = relationsOf(view, c.id);
  const name = displayName(c);
  return (
    <section class="panel memory" aria-labelledby="rel-h" data-section="relationships">
      <div class="panel-head">
        <h2 id="rel-h">Relationships</h2>
        {!adding && (
          <button class="secondary" onClick={() => setAdding(true)}>
            + Add relationship
          </button>
        )}
      </div>
      {adding && <RelateForm c={c} onDone={() => setAdding(false)} />}
      {relations.length === 0 && c.relatedNames.length === 0 && !adding && <p class="muted">No relationships recorded.</p>}
      <ul class="memory-list" aria-label={`${name}'s relationships`}>
        {relations.map((r) => (
          <li data-relation={r.other.id}>
            <div class="t-main">
              <a href={href({ name: "person", id: r.other.id })} class="row-name">
                {displayName(r.other)}
              </a>{" "}
              <span class="muted small">{relationLabel(r)}</span>
            </div>
            <button
              class="icon-btn"
              aria-label={`Remove relationship with ${displayName(r.other)}`}
              onClick={() => act(unrelate(r.relationship, r.other))}
            >
              ✕
            </button>
          </li>
        ))}
        {c.relatedNames.map((r) => (
          <li data-related-name={r.key}>
            <div class="t-main">
              <span>{r.name}</span> <span class="muted small">{r.label || "Related"} · not in your people</span>
            </div>
            <button class="icon-btn" aria-label={`Remove ${r.name}`} onClick={() => op("remove related name", "removeEntry", c.id, "relatedNames", r.key)}>
              ✕
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

function RelateForm({ c, onDone }: { c: Contact; onDone: () => void }) {
  const { op } = useApp();
  const [other, setOther] = useState<ContactId[]>([]);
  const [kind, setKind] = useState<RelationshipKind>("friend");
  const [label, setLabel] = useState("");
  const [error, setError] = useState("");
  const name = displayName(c);
  return (
    <form
      class="memory-form"
      aria-label="New relationship"
      onSubmit={(e) => {
        e.preventDefault();
        if (other.length !== 1) return setError("Choose who the relationship is with.");
        if (kind === "other" && !label.trim()) return setError("Say what they are to each other (e.g. godmother).");
        // Stored as "other is c's kind": relate(from = other, to = c).
        op("relate", "relate", other[0], c.id, kind, label.trim(), newId() as RelationshipId);
        onDone();
      }}
    >
      <PeoplePicker label="Who" selected={other} onChange={setOther} exclude={[c.id]} single />
      <div class="row-fields">
        <label class="field">
          <span>is {name}'s</span>
          <select name="rel-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as RelationshipKind)}>
            {RELATIONSHIP_KINDS.map((k) => (
              <option value={k}>{KIND_LABEL[k].toLowerCase()}</option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Label{kind === "other" ? "" : " (optional)"}</span>
          <input name="rel-label" value={label} maxLength={200} placeholder={kind === "other" ? "godmother" : ""} onInput={(e) => setLabel(e.currentTarget.value)} />
        </label>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div class="form-actions">
        <button type="submit">Add relationship</button>
        <button type="button" class="secondary" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
