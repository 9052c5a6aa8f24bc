import { useMemo, useState } from "preact/hooks";
import { displayName, isActive, type Contact } from "../../doc/schema";
import { useApp } from "../context";

/** Others that look like the same person: same name, or a shared email or phone number. */
export function duplicateCandidates(c: Contact, all: Iterable<Contact>): Contact[] {
  const norm = (s: string) => s.trim().toLowerCase();
  const digits = (s: string) => s.replace(/\D/g, "").slice(-9);
  const name = norm(displayName(c));
  const emails = new Set(c.emails.map((e) => norm(e.value)).filter(Boolean));
  const phones = new Set(c.phones.map((p) => digits(p.value)).filter((p) => p.length >= 6));
  const out: Contact[] = [];
  for (const o of all) {
    if (o.id === c.id) continue;
    if (
      norm(displayName(o)) === name ||
      o.emails.some((e) => emails.has(norm(e.value))) ||
      o.phones.some((p) => phones.has(digits(p.value)))
    )
      out.push(o);
  }
  return out;
}

/** Merge another contact into this one: it is hidden and its history moves here. */
export function MergePanel({ c }: { c: Contact }) {
  const { view, op } = useApp();
  const [q, setQ] = useState("");
  const active = useMemo(() => [...view.contacts.values()].filter((o) => isActive(view.contacts, o)), [view]);
  const suggested = useMemo(() => duplicateCandidates(c, active), [c, active]);
  const terms = q.trim().toLowerCase();
  const found = terms ? active.filter((o) => o.id !== c.id && displayName(o).toLowerCase().includes(terms)).slice(0, 8) : [];
  const candidates = terms ? found : suggested;

  return (
    <details class="panel merge">
      <summary>Merge a duplicate into {displayName(c)}</summary>
      <label class="field">
        <span>Find the duplicate</span>
        <input type="search" name="merge-search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder="Name" />
      </label>
      {!terms && suggested.length > 0 && <p class="muted small">Possible duplicates:</p>}
      <ul class="merge-list">
        {candidates.map((o) => (
          <li>
            <span>
              {displayName(o)}
              <span class="muted small"> {[o.company, o.emails[0]?.value].filter(Boolean).join(" · ")}</span>
            </span>
            <button
              class="secondary"
              onClick={() => {
                if (confirm(`Merge ${displayName(o)} into ${displayName(c)}? Its details, interactions and notes move here.`))
                  op("merge duplicates", "mergeContacts", c.id, o.id);
              }}
            >
              Merge into this person
            </button>
          </li>
        ))}
      </ul>
      {candidates.length === 0 && <p class="muted small">{terms ? "Nobody matches." : "No likely duplicates found."}</p>}
    </details>
  );
}
