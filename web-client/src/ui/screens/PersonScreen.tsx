import { useMemo } from "preact/hooks";
import { displayName, resolve, type ContactId } from "../../doc/schema";
import { DAY_MS, dueAt, lastContactedIndex, status } from "../../doc/math";
import { statusClass, statusLabel } from "../../view/people";
import { relativeDue } from "../../view/today";
import { useApp } from "../context";
import { href } from "../router";
import { Avatar } from "../parts/Avatar";
import { CadencePicker } from "../parts/CadencePicker";
import { ContactDetails } from "../parts/ContactDetails";
import { Timeline } from "../parts/Timeline";
import { Notes } from "../parts/Notes";
import { MergePanel } from "../parts/MergePanel";
import { ReachOut } from "../parts/ReachOut";

export function PersonScreen({ id }: { id: string }) {
  const { view, now, op, pending } = useApp();
  const cid = id as ContactId;
  const survivor = view.contacts.has(cid) ? resolve(view.contacts, cid) : cid;
  const c = view.contacts.get(survivor);
  const last = useMemo(() => lastContactedIndex(view.contacts, view.interactions, now).get(survivor), [view, survivor, now]);

  if (!c && pending()) return <p aria-busy="true">Opening…</p>;
  if (!c) {
    return (
      <section>
        <h1>Not found</h1>
        <p>This person isn't in your document (yet — it may still be syncing).</p>
        <a href="#/people">Back to people</a>
      </section>
    );
  }
  const st = status(c, last, now);
  const due = dueAt(c, last);
  const name = displayName(c);
  const row = { contact: c, name, last, due, status: st, haystack: "" };

  return (
    <article class="person" aria-labelledby="person-h">
      <a class="back" href="#/people">
        ← People
      </a>
      {survivor !== cid && <p class="notice">That contact was merged into {name}.</p>}
      {c.archived && (
        <p class="notice">
          {name} is archived and hidden from your lists.{" "}
          <button class="link-btn" onClick={() => op("unarchive", "setArchived", c.id, false)}>
            Restore
          </button>
        </p>
      )}
      <header class="person-head">
        <Avatar contact={c} size={64} />
        <div>
          <h1 id="person-h">{name}</h1>
          <p class="muted">{[c.title, c.company].filter(Boolean).join(" at ")}</p>
          <p>
            <span class={`pill ${statusClass(st)}`} data-status={st}>
              {statusLabel(st)}
            </span>{" "}
            <span class="muted small">
              {last ? `Last contact ${last.toLocaleDateString()}` : "Never contacted"}
              {due ? ` · ${relativeDue(due, now)}` : ""}
            </span>
          </p>
        </div>
      </header>

      <section class="panel" aria-label="Reminders">
        <div class="keep">
          <CadencePicker days={c.cadenceDays} onChange={(d) => op("set cadence", "setCadence", c.id, d, new Date())} />
          {c.cadenceDays !== null && (
            <div class="snooze">
              {c.snoozedUntil && c.snoozedUntil > now ? (
                <span class="muted small">
                  Snoozed until {c.snoozedUntil.toLocaleDateString()}{" "}
                  <button class="link-btn" onClick={() => op("clear snooze", "snooze", c.id, null)}>
                    Clear
                  </button>
                </span>
              ) : (
                <button class="secondary" onClick={() => op("snooze 1 week", "snooze", c.id, new Date(Date.now() + 7 * DAY_MS))}>
                  Snooze a week
                </button>
              )}
            </div>
          )}
        </div>
        <ReachOut row={row} showSnooze={false} />
      </section>

      <div class="person-cols">
        <section class="panel" aria-labelledby="details-h">
          <h2 id="details-h">Details</h2>
          <ContactDetails c={c} />
        </section>
        <div>
          <Notes c={c} />
          <Timeline c={c} />
        </div>
      </div>

      <MergePanel c={c} />
      <section class="panel danger-zone">
        {c.archived ? (
          <button class="secondary" onClick={() => op("unarchive", "setArchived", c.id, false)}>
            Restore from archive
          </button>
        ) : (
          <button
            class="secondary danger"
            onClick={() => {
              op("archive", "setArchived", c.id, true);
              window.location.hash = href({ name: "people" });
            }}
          >
            Archive {name}
          </button>
        )}
      </section>
    </article>
  );
}
