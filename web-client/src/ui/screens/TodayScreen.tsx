import { useMemo } from "preact/hooks";
import { useApp } from "../context";
import { buildRows, statusClass, type PersonRow } from "../../view/people";
import { relativeDue, today } from "../../view/today";
import { href } from "../router";
import { ReachOut } from "../parts/ReachOut";
import { Avatar } from "../parts/Avatar";

export function TodayScreen() {
  const { view, now } = useApp();
  const t = useMemo(() => today(buildRows(view, now), now, view.settings.timezone), [view, now]);
  const nothing = t.overdue.length + t.dueSoon.length + t.birthdays.length === 0;
  return (
    <section aria-labelledby="today-h">
      <h1 id="today-h">Today</h1>
      {nothing && (
        <div class="empty">
          <p>Nobody needs you today. 🌿</p>
          <p class="muted">
            Give people a keep-in-touch cadence on their page, or <a href="#/import">import your contacts</a>.
          </p>
        </div>
      )}
      <DueList id="overdue" title="Overdue" rows={t.overdue} now={now} />
      <DueList id="due-soon" title="Due soon" rows={t.dueSoon} now={now} />
      {t.birthdays.length > 0 && (
        <section aria-labelledby="bday-h" class="card-list" data-list="birthdays">
          <h2 id="bday-h">Birthdays this week</h2>
          <ul>
            {t.birthdays.map((b) => (
              <li class="row">
                <Avatar contact={b.row.contact} />
                <div class="row-main">
                  <a href={href({ name: "person", id: b.row.contact.id })} class="row-name">
                    {b.row.name}
                  </a>
                  <span class="muted">
                    {b.inDays === 0 ? "🎂 Today" : b.inDays === 1 ? "Tomorrow" : `In ${b.inDays} days`}
                    {b.age !== null ? ` · turns ${b.age}` : ""}
                  </span>
                </div>
                <ReachOut row={b.row} showSnooze={false} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </section>
  );
}

function DueList({ id, title, rows, now }: { id: string; title: string; rows: PersonRow[]; now: Date }) {
  if (rows.length === 0) return null;
  return (
    <section aria-labelledby={`${id}-h`} class="card-list" data-list={id}>
      <h2 id={`${id}-h`}>
        <span class={`pill ${statusClass(rows[0].status)}`}>{rows.length}</span> {title}
      </h2>
      <ul>
        {rows.map((r) => (
          <li class={`row ${statusClass(r.status)}`} data-contact={r.contact.id}>
            <Avatar contact={r.contact} />
            <div class="row-main">
              <a href={href({ name: "person", id: r.contact.id })} class="row-name">
                {r.name}
              </a>
              <span class="due-text">{relativeDue(r.due, now)}</span>
            </div>
            <ReachOut row={r} />
          </li>
        ))}
      </ul>
    </section>
  );
}
