// Reads a calendar feed the way a calendar client does, with ical.js (an iCalendar library
// no one here wrote): parse, register the feed's time zones, and expand every event's
// recurrences up to a date. Prints JSON for tests/tests/calendar_feed_e2e.rs to check.
//
//   node read_feed.mjs FEED.ics UNTIL(YYYY-MM-DD) MAX_OCCURRENCES
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const [file, until, max] = process.argv.slice(2);
const text = readFileSync(file, 'utf8');
const root = new ICAL.Component(ICAL.parse(text));
if (root.name !== 'vcalendar') throw new Error(`not a VCALENDAR: ${root.name}`);

for (const vtz of root.getAllSubcomponents('vtimezone')) {
  ICAL.TimezoneService.register(vtz);
}

const limit = ICAL.Time.fromDateString(until);
const events = root.getAllSubcomponents('vevent').map((vevent) => {
  for (const required of ['uid', 'dtstamp', 'dtstart']) {
    if (!vevent.hasProperty(required)) throw new Error(`a VEVENT without ${required}`);
  }
  const event = new ICAL.Event(vevent);
  const allDay = event.startDate.isDate;
  const show = (t) => (allDay ? t.toString() : t.toJSDate().toISOString());
  const occurrences = [];
  const it = event.iterator();
  for (let next = it.next(); next && occurrences.length < Number(max); next = it.next()) {
    if (next.compare(limit) > 0) break;
    occurrences.push(show(next));
  }
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description ?? null,
    allDay,
    tzid: allDay ? null : event.startDate.zone.tzid,
    recurring: event.isRecurring(),
    occurrences,
    alarms: vevent.getAllSubcomponents('valarm').map((a) => a.getFirstPropertyValue('trigger').toString()),
  };
});
process.stdout.write(JSON.stringify({
  prodid: root.getFirstPropertyValue('prodid'),
  timezones: root.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid')),
  events,
}));
