import { useMemo } from "preact/hooks";
import { useApp } from "../context";
import { displayName, isActive, resolve, type Contact, type ContactId } from "../../doc/schema";
import { cadenceText, formatBirthday, formatDate } from "../../view/dates";
import { href, navigate } from "../router";
import { Avatar } from "../parts/Avatar";
import { Icon } from "../parts/Icon";

/** Two records side by side, saying which one survives; merging moves everything onto it. */
export function MergeScreen({ keep, drop }: { keep: string; drop: string }) {
  const { view, op } = useApp();
  const a = view.contacts.get(keep as ContactId);
  const b = view.contacts.get(drop as ContactId);
  const counts = useMemo(() => {
    const out = new Map<ContactId, { interactions: number; notes: number }>();
    const bump = (id: ContactId, k: "interactions" | "notes") => {
      const r = resolve(view.contacts, id);
      const c = out.get(r) ?? { interactions: 0, notes: 0 };
      c[k] += 1;
      out.set(r, c);
    };
    for (const i of view.interactions) for (const id of i.contactIds) bump(id, "interactions");
    for (const n of view.notes) bump(n.contactId, "notes");
    return out;
  }, [view]);

  const back = (
    <a class="back" href="#/duplicates">
      <Icon name="back" size={18} /> Possible duplicates
    </a>
  );
  if (!a || !b || !isActive(view.contacts, a) || !isActive(view.contacts, b) || a.id === b.id) {
    return (
      <section aria-labelledby="merge-h" class="narrow-page">
        {back}
        <h1 id="merge-h">Merge duplicates</h1>
        <p>These two are not both in your list any more (already merged or archived).</p>
      </section>
    );
  }
  const merge = () => {
    op("merge duplicates", "mergeContacts", a.id, b.id);
    navigate({ name: "duplicates" });
  };
  return (
    <section aria-labelledby="merge-h" class="merge-view">
      {back}
      <h1 id="merge-h">Merge duplicates</h1>
      <p>
        <strong>{displayName(a)}</strong> stays. Everything of <strong>{displayName(b)}</strong> — details it adds, interactions, notes — moves onto it, and the
        second record is hidden (kept in the document, never deleted).
      </p>
      <div class="side-by-side">
        <Record c={a} role="Stays" counts={counts.get(a.id)} />
        <Record c={b} role="Merged into the other" counts={counts.get(b.id)} />
      </div>
      <div class="merge-actions">
        <button onClick={merge}>
          <Icon name="merge" size={18} /> Merge into {displayName(a)}
        </button>
        <a class="button-link secondary" href={href({ name: "merge", keep: b.id, drop: a.id })}>
          Keep {displayName(b)} instead
        </a>
      </div>
    </section>
  );
}

function Record({ c, role, counts }: { c: Contact; role: string; counts?: { interactions: number; notes: number } }) {
  const rows: Array<[string, string]> = [
    ["Company", [c.title, c.company].filter(Boolean).join(" at ")],
    ["Email", c.emails.map((e) => e.value).join(", ")],
    ["Phone", c.phones.map((p) => p.value).join(", ")],
    ["Address", c.addresses.map((x) => [x.street, x.city, x.country].filter(Boolean).join(", ")).join("; ")],
    ["Birthday", c.birthday ? formatBirthday(c.birthday) : ""],
    ["Tags", c.tags.map((t) => "#" + t).join(" ")],
    ["Keep in touch", c.cadenceDays ? cadenceText(c.cadenceDays) : ""],
    ["History", `${plural(counts?.interactions ?? 0, "interaction")}, ${plural(counts?.notes ?? 0, "note")}`],
    ["Added", formatDate(c.createdAt)],
  ];
  return (
    <section class="panel merge-record" aria-label={`${role}: ${displayName(c)}`} data-contact={c.id}>
      <p class={role === "Stays" ? "pill st-ok" : "pill st-none"}>{role}</p>
      <div class="merge-name">
        <Avatar contact={c} size={40} />
        <h2>{displayName(c)}</h2>
      </div>
      <dl>
        {rows
          .filter(([, v]) => v)
          .map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
      </dl>
    </section>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
