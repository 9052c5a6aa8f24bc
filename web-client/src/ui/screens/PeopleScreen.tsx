import { useMemo, useState } from "preact/hooks";
import { useApp } from "../context";
import { buildRows, search, sortRows, statusClass, statusLabel, tagCounts, type SortKey } from "../../view/people";
import { relativeDue } from "../../view/today";
import { newId } from "../../doc/fields";
import type { ContactId } from "../../doc/schema";
import { href, navigate } from "../router";
import { VirtualList } from "../parts/VirtualList";
import { Avatar } from "../parts/Avatar";

const ROW = 64;
const ARCHIVED = "\u0000archived";

function remembered<T extends string>(key: string, fallback: T): T {
  try {
    return (sessionStorage.getItem(key) as T) || fallback;
  } catch {
    return fallback;
  }
}

function remember(key: string, value: string) {
  try {
    sessionStorage.setItem(key, value);
  } catch {
    /* private mode: fine */
  }
}

export function PeopleScreen() {
  const { view, now, op } = useApp();
  const [query, setQuery] = useState<string>(() => remembered("kith.q", ""));
  const [sort, setSort] = useState<SortKey>(() => remembered<SortKey>("kith.sort", "name"));
  const [tag, setTag] = useState<string>(() => remembered("kith.tag", ""));
  const [adding, setAdding] = useState(false);
  const [newName, setNewName] = useState("");

  // "Archived" sits in the tag filter: archived people are hidden everywhere else.
  const archived = tag === ARCHIVED;
  const rows = useMemo(() => buildRows(view, now, archived), [view, now, archived]);
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  const tags = useMemo(() => tagCounts(archived ? buildRows(view, now) : rows), [rows, archived, view, now]);
  const shown = useMemo(() => search(sorted, query, archived ? null : tag || null), [sorted, query, tag, archived]);

  function add(e: Event) {
    e.preventDefault();
    const name = newName.trim();
    if (!name) return;
    const id = newId() as ContactId;
    op("add person", "createContact", { display: name }, new Date(), id);
    setNewName("");
    setAdding(false);
    navigate({ name: "person", id });
  }

  return (
    <section class="people" aria-labelledby="people-h">
      <div class="people-head">
        <h1 id="people-h">People</h1>
        <button onClick={() => setAdding(!adding)} aria-expanded={adding}>
          + Add person
        </button>
      </div>
      {adding && (
        <form class="add-form" onSubmit={add}>
          <label>
            Name
            <input autoFocus name="new-name" value={newName} onInput={(e) => setNewName(e.currentTarget.value)} required />
          </label>
          <button type="submit">Add</button>
        </form>
      )}
      <div class="filters">
        <label class="grow">
          <span class="sr-only">Search people</span>
          <input
            type="search"
            placeholder="Search names, companies, tags, notes…"
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              remember("kith.q", e.currentTarget.value);
            }}
          />
        </label>
        <label>
          <span class="sr-only">Sort by</span>
          <select
            value={sort}
            onChange={(e) => {
              setSort(e.currentTarget.value as SortKey);
              remember("kith.sort", e.currentTarget.value);
            }}
          >
            <option value="name">Name</option>
            <option value="last">Last contacted</option>
            <option value="due">Due</option>
          </select>
        </label>
        <label>
          <span class="sr-only">Filter by tag</span>
          <select
            value={tag}
            onChange={(e) => {
              setTag(e.currentTarget.value);
              remember("kith.tag", e.currentTarget.value);
            }}
          >
            <option value="">All tags</option>
            {tags.map((t) => (
              <option value={t.tag}>
                #{t.tag} ({t.count})
              </option>
            ))}
            <option value={ARCHIVED}>Archived people</option>
          </select>
        </label>
      </div>
      <p class="muted count" aria-live="polite" data-count={shown.length}>
        {shown.length} of {rows.length} people
      </p>
      {rows.length === 0 && archived ? (
        <p class="muted">Nobody is archived.</p>
      ) : rows.length === 0 ? (
        <div class="empty">
          <p>No people yet.</p>
          <p class="muted">
            Add someone above, or <a href="#/import">import your phone's contacts</a>.
          </p>
        </div>
      ) : (
        <VirtualList
          items={shown}
          rowHeight={ROW}
          label="People"
          render={(r) => (
            <a class={`prow ${statusClass(r.status)}`} href={href({ name: "person", id: r.contact.id })} data-contact={r.contact.id}>
              <Avatar contact={r.contact} />
              <span class="prow-main">
                <span class="row-name">{r.name}</span>
                <span class="muted small">
                  {[r.contact.company, r.contact.tags.map((t) => "#" + t).join(" ")].filter(Boolean).join(" · ") ||
                    (r.last ? `Last contact ${r.last.toLocaleDateString()}` : "Never contacted")}
                </span>
              </span>
              {r.status !== "none" && (
                <span class={`pill ${statusClass(r.status)}`} title={statusLabel(r.status)}>
                  {r.status === "ok" ? relativeDue(r.due, now) : statusLabel(r.status)}
                </span>
              )}
            </a>
          )}
        />
      )}
    </section>
  );
}
