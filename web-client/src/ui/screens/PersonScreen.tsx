import { useMemo, useState } from "preact/hooks";
import { displayName, resolve, type ContactId } from "../../doc/schema";
import { dueAt, lastContactedIndex, status } from "../../doc/math";
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
import { FollowUps } from "../parts/FollowUps";
import { ImportantDates } from "../parts/ImportantDates";
import { Relationships } from "../parts/Relationships";
import { ReachedPrompt } from "../parts/ReachedPrompt";
import { followUpState } from "../../doc/followUps";
import "../parts/memory.css";
import { useUndoable } from "../undo";
import { archive, snoozeFor } from "../../view/undoable";

export function PersonScreen({ id }: { id: string }) {
  const { view, now, op, pending } = useApp();
  const act = useUndoable();
  const cid = id as ContactId;
  const survivor = view.contacts.has(cid) ? resolve(view.contacts, cid) : cid;
  const c = view.contacts.get(survivor);
  const last = useMemo(() => lastContactedIndex(view.contacts, view.interactions, now).get(survivor), [view, survivor, now]);
  const [reached, setReached] = useState<"call" | "message" | "email" | null>(null);
  // The earliest open follow-up about this person, due or next.
  const nextFollowUp = useMemo(() => {
    let best: Date | null = null;
    for (const f of view.followUps) {
      if (!f.contactIds.some((id) => resolve(view.contacts, id) === survivor)) continue;
      const st = followUpState(f, view.settings, now);
      const at = st.due ?? st.next;
      if (at && (!best || at < best)) best = at;
    }
    return best;
  }, [view, survivor, now]);

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
          {c.pronouns && <p class="muted small pronouns">{c.pronouns}</p>}
          <p class="muted">{[c.title, [c.company, c.department].filter(Boolean).join(", ")].filter(Boolean).join(" at ")}</p>
          <p>
            <span class={`pill ${statusClass(st)}`} data-status={st}>
              {statusLabel(st)}
            </span>{" "}
            <span class="muted small">
              {last ? `Last contact ${last.toLocaleDateString()}` : "Never contacted"}
              {due ? ` · ${relativeDue(due, now)}` : ""}
            </span>
          </p>
          {nextFollowUp && (
            <p class="small" data-next-follow-up>
              {nextFollowUp <= now ? "Follow-up due " : "Next follow-up "}
              {nextFollowUp.toLocaleDateString(undefined, { dateStyle: "medium" })}
            </p>
          )}
        </div>
      </header>

      <QuickReach c={c} onReach={setReached} />
      {reached && <ReachedPrompt c={c} name={name} via={reached} onClose={() => setReached(null)} />}

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
                <button class="secondary" onClick={() => act(snoozeFor(c, 7, new Date()))}>
                  Snooze a week
                </button>
              )}
            </div>
          )}
        </div>
        <ReachOut row={row} showSnooze={false} />
      </section>

      <div class="person-cols">
        <div>
          <FollowUps c={c} />
          <ContactDetails c={c} onReach={setReached} />
          <ImportantDates c={c} />
          <Relationships c={c} />
        </div>
        <div>
          <Timeline c={c} />
          <Notes c={c} />
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
              act(archive(c));
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

/** The first phone and email as one-tap links that call, text or write; using one offers to log it. */
function QuickReach({ c, onReach }: { c: import("../../doc/schema").Contact; onReach: (kind: "call" | "message" | "email") => void }) {
  const phone = c.phones.find((p) => /\d/.test(p.value));
  const email = c.emails.find((e) => e.value.includes("@"));
  if (!phone && !email) return null;
  return (
    <nav class="reach-links" aria-label="Get in touch">
      {phone && (
        <a class="reach-link" href={`tel:${phone.value.replace(/[^\d+*#,;]/g, "")}`} onClick={() => onReach("call")}>
          Call
        </a>
      )}
      {phone && (
        <a class="reach-link" href={`sms:${phone.value.replace(/[^\d+]/g, "")}`} onClick={() => onReach("message")}>
          Text
        </a>
      )}
      {email && (
        <a class="reach-link" href={`mailto:${email.value.trim()}`} onClick={() => onReach("email")}>
          Email
        </a>
      )}
    </nav>
  );
}
