// Deterministic sample data written with the document schema (DESIGN.md keys), for
// screenshots and the performance measurement.
import { ImmutableString } from "@automerge/automerge";
import { randomUUID } from "node:crypto";

const s = (v) => new ImmutableString(v);
const DAY = 86_400_000;
const GIVEN = ["Ada", "Grace", "Alan", "Katherine", "Linus", "Margaret", "Tim", "Barbara", "Donald", "Frances", "Ken", "Radia", "Edsger", "Hedy", "Dennis", "Sophie", "John", "Annie", "Claude", "Joan"];
const FAMILY = ["Lovelace", "Hopper", "Turing", "Johnson", "Torvalds", "Hamilton", "Berners-Lee", "Liskov", "Knuth", "Allen", "Thompson", "Perlman", "Dijkstra", "Lamarr", "Ritchie", "Wilson", "McCarthy", "Easley", "Shannon", "Clarke"];
const COMPANIES = ["Analytical Engines", "US Navy", "Bletchley Park", "NASA", "Linux Foundation", "MIT", "CERN", "Stanford", "IBM", "Bell Labs", ""];
const TAGS = ["family", "work", "school", "climbing", "book-club", "neighbours"];
const KINDS = ["call", "meeting", "message", "email", "other"];

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

function contact(id, display, given, family, created, extra = {}) {
  return {
    id: s(id), createdAt: created,
    name: { display: s(display), given: s(given), family: s(family) },
    nickname: s(""), company: s(extra.company ?? ""), title: s(""),
    emails: {}, phones: {}, addresses: {}, birthday: extra.birthday ?? null,
    tags: Object.fromEntries((extra.tags ?? []).map((t) => [t, true])), howWeMet: s(extra.howWeMet ?? ""),
    cadenceDays: extra.cadenceDays ?? null, cadenceSetAt: extra.cadenceDays ? created : null,
    snoozedUntil: null, archived: false, mergedInto: null, sources: {},
  };
}

/** `people` contacts and `interactions` interactions spread over the last year. */
export function seedBulk(d, { people, interactions, now = new Date(), seed = 7 }) {
  const r = rng(seed);
  const pick = (a) => a[Math.floor(r() * a.length)];
  d.contacts ??= {};
  d.interactions ??= {};
  d.notes ??= {};
  const ids = [];
  for (let i = 0; i < people; i++) {
    const id = randomUUID();
    const given = pick(GIVEN);
    const family = pick(FAMILY);
    const tags = r() < 0.5 ? [pick(TAGS)] : [];
    d.contacts[id] = contact(id, `${given} ${family}`, given, family, new Date(now.getTime() - 400 * DAY), {
      company: pick(COMPANIES),
      tags,
      cadenceDays: r() < 0.6 ? pick([7, 14, 30, 90]) : null,
      birthday: r() < 0.3 ? { month: 1 + Math.floor(r() * 12), day: 1 + Math.floor(r() * 28), year: r() < 0.5 ? 1950 + Math.floor(r() * 50) : null } : null,
    });
    ids.push(id);
  }
  for (let i = 0; i < interactions; i++) {
    const id = randomUUID();
    d.interactions[id] = {
      id: s(id), contactIds: { [pick(ids)]: true }, kind: s(pick(KINDS)),
      at: new Date(now.getTime() - Math.floor(r() * 365 * DAY)), note: s(""),
    };
  }
  return ids;
}

/** A small, realistic address book: some overdue, some due soon, a birthday this week, notes. */
export function seedShowcase(d, now = new Date()) {
  d.contacts ??= {};
  d.interactions ??= {};
  d.notes ??= {};
  const people = [
    ["Ada Lovelace", "Analytical Engines", 14, 40, ["work", "math"], "Met at Babbage's salon in 1833."],
    ["Grace Hopper", "US Navy", 30, 45, ["work"], "Bring her a nanosecond of wire."],
    ["Alan Turing", "Bletchley Park", 7, 6.5, ["running"], "Marathon in under 2:47."],
    ["Katherine Johnson", "NASA", 90, 80, ["family"], ""],
    ["Linus Torvalds", "Linux Foundation", 30, 3, ["work"], "Prefers email, plain text."],
    ["Margaret Hamilton", "MIT", 14, 2, ["book-club"], "Recommended 'The Soul of a New Machine'."],
    ["Tim Berners-Lee", "CERN", null, 20, ["work"], ""],
    ["Barbara Liskov", "MIT", 30, 31, ["school"], ""],
    ["Hedy Lamarr", "", 14, 15, ["family"], "Ask about the frequency-hopping patent."],
  ];
  const ids = {};
  const today = new Date(now);
  people.forEach(([name, company, cadence, lastDaysAgo, tags, note], i) => {
    const id = randomUUID();
    ids[name] = id;
    const [given, ...rest] = name.split(" ");
    const bday = i === 2 ? new Date(today.getTime() + 2 * DAY) : null;
    d.contacts[id] = contact(id, name, given, rest.join(" "), new Date(now.getTime() - 200 * DAY), {
      company, tags, cadenceDays: cadence,
      birthday: bday ? { month: bday.getUTCMonth() + 1, day: bday.getUTCDate(), year: 1912 } : null,
      howWeMet: i === 0 ? "Introduced by Mary Somerville" : "",
    });
    const iid = randomUUID();
    d.interactions[iid] = { id: s(iid), contactIds: { [id]: true }, kind: s(KINDS[i % 4]), at: new Date(now.getTime() - lastDaysAgo * DAY), note: s(i === 0 ? "Talked about the Difference Engine" : "") };
    const iid2 = randomUUID();
    d.interactions[iid2] = { id: s(iid2), contactIds: { [id]: true }, kind: s("meeting"), at: new Date(now.getTime() - (lastDaysAgo + 60) * DAY), note: s("Coffee") };
    if (note) {
      const nid = randomUUID();
      d.notes[nid] = { id: s(nid), contactId: s(id), createdAt: new Date(now.getTime() - 10 * DAY), body: note, pinned: false };
    }
  });
  return ids;
}

/** People whose details the search must find: accents, a phone, an address, notes, tags. */
export function seedSearchable(d, now = new Date()) {
  d.contacts ??= {};
  d.interactions ??= {};
  d.notes ??= {};
  const add = (display, extra = {}, created = new Date(now.getTime() - 100 * DAY)) => {
    const id = randomUUID();
    const [given, ...rest] = display.split(" ");
    d.contacts[id] = contact(id, display, given, rest.join(" "), created, extra);
    return id;
  };
  const ids = {
    jurgen: add("Jürgen Müller", { company: "Straßenbahn AG", tags: ["book-club"] }),
    pat: add("Pat Boston", { company: "Harbour Lights" }),
    zoe: add("Zoë Ørsted", {}),
    ann: add("Ann Street", { tags: ["climbing"] }),
  };
  d.contacts[ids.pat].phones = { [randomUUID()]: { label: s("mobile"), value: s("+1 (617) 555-0100") } };
  d.contacts[ids.ann].addresses = {
    [randomUUID()]: { label: s("home"), street: s("12 Rue de la Paix"), city: s("Besançon"), region: s(""), postalCode: s("25000"), country: s("France") },
  };
  const iid = randomUUID();
  d.interactions[iid] = { id: s(iid), contactIds: { [ids.zoe]: true }, kind: s("call"), at: new Date(now.getTime() - 3 * DAY), note: s("Planned the sailing trip") };
  return ids;
}

/** Two records of one person (same email), the older with a call, the newer with a note. */
export function seedDuplicate(d, now = new Date()) {
  d.contacts ??= {};
  d.interactions ??= {};
  d.notes ??= {};
  const older = randomUUID();
  const newer = randomUUID();
  d.contacts[older] = contact(older, "Anna Schmidt", "Anna", "Schmidt", new Date(now.getTime() - 300 * DAY), { company: "Acme", cadenceDays: 30 });
  d.contacts[newer] = contact(newer, "Anna Schmidt-Berg", "Anna", "Schmidt-Berg", new Date(now.getTime() - 10 * DAY), { howWeMet: "Climbing gym" });
  d.contacts[older].emails = { [randomUUID()]: { label: s("work"), value: s("anna@example.org") } };
  d.contacts[newer].emails = { [randomUUID()]: { label: s("home"), value: s("Anna@Example.org") } };
  const iid = randomUUID();
  d.interactions[iid] = { id: s(iid), contactIds: { [older]: true }, kind: s("call"), at: new Date(now.getTime() - 5 * DAY), note: s("") };
  const nid = randomUUID();
  d.notes[nid] = { id: s(nid), contactId: s(newer), createdAt: new Date(now.getTime() - 2 * DAY), body: "Moved to Hamburg", pinned: false };
  return { older, newer };
}

/** Ada with a follow-up, an important date and a link, and Bob related to her as a friend. */
export function seedMemory(d, now = new Date()) {
  d.contacts ??= {};
  d.followUps ??= {};
  d.relationships ??= {};
  const [ada, bob, followUp, date, link, relationship] = Array.from({ length: 6 }, () => randomUUID());
  const created = new Date(now.getTime() - 30 * DAY);
  d.contacts[ada] = contact(ada, "Ada Memory", "Ada", "Memory", created);
  d.contacts[bob] = contact(bob, "Bob Friend", "Bob", "Friend", created);
  d.contacts[ada].dates = { [date]: { label: s("Wedding anniversary"), month: 6, day: 15, year: 2010, remind: true } };
  d.contacts[ada].urls = { [link]: { label: s("Blog"), value: s("https://example.org/ada") } };
  d.followUps[followUp] = {
    id: s(followUp), contactIds: { [ada]: true }, dueAt: new Date(now.getTime() + 3 * DAY), allDay: false,
    note: "call about the trip", repeat: null, doneAt: null, createdAt: created,
  };
  d.relationships[relationship] = { id: s(relationship), from: s(bob), to: s(ada), kind: s("friend"), label: s("") };
  return { ada, bob, followUp, date, link, relationship };
}
