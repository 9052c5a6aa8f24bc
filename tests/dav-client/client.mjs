// One two-way sync of a local address book with a CardDAV server, driven by tsdav (an
// independent CardDAV client library from npm), the way a phone's Contacts app syncs:
// discovery from the server root, local changes pushed (create / edit / delete with the
// ETag last seen), then the server's changes pulled with sync-collection since the last
// token (the first run lists every card) and fetched with addressbook-multiget.
//
// Local state (token, cards by URL with their ETag and text) lives in $STATE_FILE between
// runs. $ACTIONS is a JSON list of local changes to push first:
//   {"create": {"filename": "x.vcf", "vcard": "..."}}
//   {"edit": {"url": "...", "vcard": "..."}}            (replaces the card's text)
//   {"delete": {"url": "..."}}
// Prints one JSON report on stdout: what was pushed and what the pull transferred.
import fs from 'node:fs';
import { createDAVClient } from 'tsdav';

const env = process.env;
const stateFile = env.STATE_FILE;
const state = fs.existsSync(stateFile)
  ? JSON.parse(fs.readFileSync(stateFile, 'utf8'))
  : { syncToken: null, cards: {} };
const actions = JSON.parse(env.ACTIONS || '[]');
const report = { pushed: [], changed: [], deleted: [], fetched: 0 };

const client = await createDAVClient({
  serverUrl: env.KITH_URL,
  credentials: { username: env.KITH_EMAIL, password: env.KITH_APP_PASSWORD },
  authMethod: 'Basic',
  defaultAccountType: 'carddav',
});
const books = await client.fetchAddressBooks();
report.addressBooks = books.map((b) => b.url);
if (books.length !== 1) throw new Error(`expected one address book, got ${books.length}`);
const book = books[0];

for (const a of actions) {
  if (a.create) {
    const r = await client.createVCard({ addressBook: book, vCardString: a.create.vcard, filename: a.create.filename });
    report.pushed.push({ op: 'create', status: r.status, url: new URL(a.create.filename, book.url).href });
  } else if (a.edit) {
    const etag = state.cards[a.edit.url]?.etag;
    const r = await client.updateVCard({ vCard: { url: a.edit.url, data: a.edit.vcard, etag } });
    report.pushed.push({ op: 'edit', status: r.status, url: a.edit.url });
  } else if (a.delete) {
    const etag = state.cards[a.delete.url]?.etag;
    const r = await client.deleteVCard({ vCard: { url: a.delete.url, etag } });
    report.pushed.push({ op: 'delete', status: r.status, url: a.delete.url });
  }
}

// The token to keep is read before pulling, so nothing that lands meanwhile is skipped.
const [fresh] = await client.fetchAddressBooks();
const text = (v) => (v && typeof v === 'object' && '_cdata' in v ? v._cdata : v == null ? v : String(v));
if (!state.syncToken) {
  const all = await client.fetchVCards({ addressBook: book });
  state.cards = {};
  for (const o of all) state.cards[o.url] = { etag: o.etag, data: text(o.data) };
  report.fetched = all.length;
  report.changed = all.map((o) => o.url);
} else {
  const res = await client.syncCollection({
    url: book.url,
    props: { 'd:getetag': {} },
    syncLevel: 1,
    syncToken: state.syncToken,
  });
  for (const r of res) {
    if (!r.href) continue;
    const url = new URL(r.href, book.url).href;
    if (url === book.url) continue;
    if (r.status === 404) report.deleted.push(url);
    else if (state.cards[url]?.etag !== r.props?.getetag) report.changed.push(url);
  }
  if (report.changed.length > 0) {
    const got = await client.addressBookMultiGet({
      url: book.url,
      props: { 'd:getetag': {}, 'card:address-data': {} },
      objectUrls: report.changed.map((u) => new URL(u).pathname),
      depth: '1',
    });
    for (const g of got) {
      state.cards[new URL(g.href, book.url).href] = { etag: g.props?.getetag, data: text(g.props?.addressData) };
      report.fetched += 1;
    }
  }
  for (const url of report.deleted) delete state.cards[url];
}
state.syncToken = fresh.syncToken;
fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
report.syncToken = state.syncToken;
report.cards = state.cards;
process.stdout.write(JSON.stringify(report));
