import { useMemo, useState } from "preact/hooks";
import { displayName, isActive, type Contact, type ContactId } from "../../doc/schema";
import { useApp } from "../context";

const MAX_MATCHES = 8;

/**
 * Choose people by typing part of a name: matches appear as buttons, the chosen ones as
 * removable chips. `single` keeps at most one (choosing another replaces it).
 */
export function PeoplePicker({
  label,
  selected,
  onChange,
  exclude = [],
  single = false,
  locked = [],
}: {
  label: string;
  selected: ContactId[];
  onChange: (ids: ContactId[]) => void;
  exclude?: ContactId[];
  single?: boolean;
  /** Chosen and not removable (the person whose page this is). */
  locked?: ContactId[];
}) {
  const { view } = useApp();
  const [q, setQ] = useState("");
  const active = useMemo(() => [...view.contacts.values()].filter((c) => isActive(view.contacts, c)), [view]);
  const query = q.trim().toLocaleLowerCase();
  const matches = query
    ? active
        .filter((c) => !selected.includes(c.id) && !exclude.includes(c.id) && displayName(c).toLocaleLowerCase().includes(query))
        .sort((a, b) => displayName(a).localeCompare(displayName(b)))
        .slice(0, MAX_MATCHES)
    : [];
  const chosen = selected.map((id) => view.contacts.get(id)).filter((c): c is Contact => !!c);
  return (
    <div class="picker" role="group" aria-label={label}>
      <label class="field">
        <span>{label}</span>
        <input
          type="search"
          autocomplete="off"
          placeholder="Type a name…"
          value={q}
          onInput={(e) => setQ(e.currentTarget.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") {
              e.preventDefault();
              if (matches[0]) {
                onChange(single ? [matches[0].id] : [...selected, matches[0].id]);
                setQ("");
              }
            }
          }}
        />
      </label>
      {chosen.length > 0 && (
        <ul class="picker-chosen" aria-label={`${label}: chosen`}>
          {chosen.map((c) => (
            <li class="tag" data-picked={c.id}>
              {displayName(c)}
              {!locked.includes(c.id) && (
                <button type="button" class="icon-btn" aria-label={`Remove ${displayName(c)}`} onClick={() => onChange(selected.filter((x) => x !== c.id))}>
                  ✕
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {matches.length > 0 && (
        <ul class="picker-matches" aria-label={`People matching ${q}`}>
          {matches.map((c) => (
            <li>
              <button
                type="button"
                class="chip"
                onClick={() => {
                  onChange(single ? [c.id] : [...selected, c.id]);
                  setQ("");
                }}
              >
                {displayName(c)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {query && matches.length === 0 && <p class="muted small">Nobody else matches “{q.trim()}”.</p>}
    </div>
  );
}
