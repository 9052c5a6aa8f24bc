import { useMemo } from "preact/hooks";
import { displayName } from "../../doc/schema";
import { dueFollowUps, upcomingDates } from "../../view/memory";
import { useApp } from "../context";
import { href } from "../router";
import { Avatar } from "./Avatar";
import { dueText, repeatText } from "./FollowUps";
import "./memory.css";

/** How many memory rows Today shows (for its "nothing today" message). */
export function todayMemoryCount(view: Parameters<typeof dueFollowUps>[0], now: Date): number {
  return dueFollowUps(view, now).length + upcomingDates(view, now).length;
}

/** Today's top: follow-ups that are due, with Done and Snooze 1 day. */
export function TodayFollowUps() {
  const { view, now, op } = useApp();
  const due = useMemo(() => dueFollowUps(view, now), [view, now]);
  if (due.length === 0) return null;
  return (
    <section aria-labelledby="fu-today-h" class="card-list today-memory" data-list="follow-ups">
      <h2 id="fu-today-h">
        <span class="pill st-overdue">{due.length}</span> Follow-ups
      </h2>
      <ul>
        {due.map(({ followUp: f, people, due: at }) => (
          <li class="row" data-follow-up={f.id}>
            <Avatar contact={people[0]} />
            <div class="row-main">
              <span>
                {people.map((p, i) => (
                  <>
                    {i > 0 && ", "}
                    <a href={href({ name: "person", id: p.id })} class="row-name">
                      {displayName(p)}
                    </a>
                  </>
                ))}
              </span>
              <span>{f.note || "Follow up"}</span>
              <span class="muted small">
                Due {dueText(at, f.allDay)}
                {f.repeat ? ` · ${repeatText(f)}` : ""}
              </span>
            </div>
            <div class="quick">
              <button class="chip" aria-label={`Done: ${f.note || "follow up"}`} onClick={() => op("complete follow-up", "completeFollowUp", f.id, true, new Date())}>
                Done
              </button>
              <button
                class="chip ghost"
                aria-label={`Snooze 1 day: ${f.note || "follow-up"}`}
                onClick={() => op("snooze follow-up", "snoozeFollowUp", f.id, 1, new Date(), view.settings.timezone)}
              >
                Snooze 1 day
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Anniversaries and other important dates this week, shown beside the birthdays. */
export function TodayDates() {
  const { view, now } = useApp();
  const dates = useMemo(() => upcomingDates(view, now), [view, now]);
  if (dates.length === 0) return null;
  return (
    <section aria-labelledby="dates-today-h" class="card-list today-memory" data-list="dates">
      <h2 id="dates-today-h">Important dates this week</h2>
      <ul>
        {dates.map((d) => (
          <li class="row" data-date={d.key}>
            <Avatar contact={d.contact} />
            <div class="row-main">
              <a href={href({ name: "person", id: d.contact.id })} class="row-name">
                {displayName(d.contact)}
              </a>
              <span class="muted">
                {d.label} · {d.inDays === 0 ? "today" : d.inDays === 1 ? "tomorrow" : `in ${d.inDays} days`}
                {d.years !== null && d.years > 0 ? ` · ${d.years} years` : ""}
              </span>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
