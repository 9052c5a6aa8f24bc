import { useEffect, useMemo, useState } from "preact/hooks";
import { useApp } from "../context";
import { buildRows, search, sortRows, warmSearch, statusClass, statusLabel, tagCounts, type SortKey } from "../../view/people";
import { relativeDue } from "../../view/today";
import { newId } from "../../doc/fields";
import type { ContactId } from "../../doc/schema";
import { href, navigate } from "../router";
import { VirtualList } from "../parts/VirtualList";
import { Icon } from "../parts/Icon";
import { findDuplicates } from "../../view/duplicates";
import { ago } from "../../view/dates";
import { Avatar } from "../parts/Avatar";

const ROW = 72;

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
  const [which, setWhich] = useState<"active" | "archived">(() => remembered<"active" | "archived">("kith.which", "active"));
  const [adding, setAdding] = useState(false);
  const [newName, setNewName] = useState("");

  // Archived people are hidden everywhere else; this visible filter is the way to them.
  const archived = which === "archived";
  const rows = useMemo(() => buildRows(view, now, archived), [view, now, archived]);
  const sorted = useMemo(() => sortRows(rows, sort), [rows, sort]);
  const tags = useMemo(() => tagCounts(rows), [rows]);
  const activeTag = tags.some((t) => t.tag === tag) ? tag : "";
  const shown = useMemo(() => search(sorted, query, activeTag || null), [sorted, query, activeTag]);
  // Counted after the list has painted: the first screenful must not wait for it.
  const [duplicates, setDuplicates] = useState(0);
  useEffect(() => {
    const t = setTimeout(() => setDuplicates(findDuplicates(view).length), 0);
    return () => clearTimeout(t);
  }, [view]);
  useEffect(() => warmSearch(rows), [rows]);

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
          <Icon name="plus" size={18} /> Add person
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
            placeholder="Search names, phones, places, notes, #tags…"
            value={query}
            onInput={(e) => {
              setQuery(e.currentTarget.value);
              remember("kith.q", e.currentTarget.value);
            }}
          />
        </label>
        <label class="inline-label">
          <span>Sort</span>
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
        <label class="inline-label">
          <span>Tag</span>
          <select
            value={activeTag}
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
          </select>
        </label>
      </div>
      <div class="list-switch">
        <div class="segmented" role="group" aria-label="Show">
          {(["active", "archived"] as const).map((w) => (
            <button
              class={which === w ? "seg active" : "seg"}
              aria-pressed={which === w}
              onClick={() => {
                setWhich(w);
                remember("kith.which", w);
              }}
            >
              {w === "active" ? "Active" : "Archived"}
            </button>
          ))}
        </div>
        {duplicates > 0 && (
          <a class="dup-link" href={href({ name: "duplicates" })}>
            <Icon name="merge" size={18} /> {duplicates === 1 ? "1 possible duplicate" : `${duplicates} possible duplicates`}
          </a>
        )}
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
                <span class="row-name wrap">{r.name}</span>
                <span class="muted small">
                  {[r.contact.company, r.contact.tags.map((t) => "#" + t).join(" ")].filter(Boolean).join(" · ") ||
                    (r.last ? `Last contact ${ago(r.last, now)}` : "Never contacted")}
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
