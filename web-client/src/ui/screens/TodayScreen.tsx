import type { ComponentChildren } from "preact";
import { useMemo, useState } from "preact/hooks";
import { useApp } from "../context";
import { buildRows, statusClass, type PersonRow } from "../../view/people";
import { relativeDue, today } from "../../view/today";
import { ago, cadenceText } from "../../view/dates";
import { href } from "../router";
import { ReachOut } from "../parts/ReachOut";
import { Avatar } from "../parts/Avatar";
import { Icon } from "../parts/Icon";
import { FirstRun, useSetupState } from "../parts/FirstRun";
import { TodayDates, TodayFollowUps, todayMemoryCount } from "../parts/TodayFollowUps";

export function TodayScreen() {
  const { view, now } = useApp();
  const rows = useMemo(() => buildRows(view, now), [view, now]);
  const t = useMemo(() => today(rows, now, view.settings.timezone), [rows, now, view.settings.timezone]);
  const setup = useSetupState(rows);
  const nothing = t.overdue.length + t.dueSoon.length + t.birthdays.length + todayMemoryCount(view, now) === 0;
  return (
    <section aria-labelledby="today-h">
      <h1 id="today-h" tabIndex={-1}>
        Today
      </h1>
      {setup.show && <FirstRun state={setup} rows={rows} />}
      {nothing && !setup.show && (
        <div class="empty">
          <Icon name="check" size={32} class="empty-icon" />
          <p>Nobody needs you today.</p>
          <p class="muted">
            {setup.hasPeople ? (
              "People whose keep-in-touch time comes up appear here."
            ) : (
              <>
                No people yet: <a href="#/import">import your contacts</a> or <a href="#/people">add someone</a>.
              </>
            )}
          </p>
        </div>
      )}
      <TodayFollowUps />
      <DueList id="overdue" title="Overdue" rows={t.overdue} now={now} />
      <DueList id="due-soon" title="Due soon" rows={t.dueSoon} now={now} />
      {t.birthdays.length > 0 && (
        <section aria-labelledby="bday-h" class="card-list" data-list="birthdays">
          <h2 id="bday-h">Birthdays this week</h2>
          <ul>
            {t.birthdays.map((b) => (
              <TodayRow
                row={b.row}
                now={now}
                snooze={false}
                line={
                  <>
                    <Icon name="cake" size={16} /> {b.inDays === 0 ? "Today" : b.inDays === 1 ? "Tomorrow" : `In ${b.inDays} days`}
                    {b.age !== null ? ` · turns ${b.age}` : ""}
                  </>
                }
              />
            ))}
          </ul>
        </section>
      )}
      <TodayDates />
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
          <TodayRow key={r.contact.id} row={r} now={now} snooze line={<span class="due-text">{relativeDue(r.due, now)}</span>} />
        ))}
      </ul>
    </section>
  );
}

/**
 * A compact row: who, how late, when you last talked and how often you mean to. On a phone
 * the one-tap actions sit behind "Log"; on a wide screen they are always shown.
 */
function TodayRow({ row, now, line, snooze }: { row: PersonRow; now: Date; line: ComponentChildren; snooze: boolean }) {
  const [open, setOpen] = useState(false);
  const c = row.contact;
  const context = [row.last ? `Last contact ${ago(row.last, now)}` : "Never contacted", c.cadenceDays ? cadenceText(c.cadenceDays) : ""].filter(Boolean).join(" · ");
  const panel = `actions-${c.id}`;
  return (
    <li class={`row today-row ${statusClass(row.status)}`} data-contact={c.id} data-open={open ? "" : undefined}>
      <Avatar contact={c} size={36} />
      <div class="row-main">
        <a href={href({ name: "person", id: c.id })} class="row-name wrap">
          {row.name}
        </a>
        <span class="row-line">{line}</span>
        <span class="muted small">{context}</span>
      </div>
      <button class="log-toggle chip" aria-expanded={open} aria-controls={panel} aria-label={`Log contact with ${row.name}`} onClick={() => setOpen(!open)}>
        Log <Icon name="chevron" size={16} class={open ? "flip" : ""} />
      </button>
      <div class="row-actions" id={panel}>
        <ReachOut row={row} showSnooze={snooze} />
      </div>
    </li>
  );
}
