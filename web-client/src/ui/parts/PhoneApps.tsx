import { useEffect, useState } from "preact/hooks";
import { ApiError } from "../../api/client";
import {
  calendarFeed,
  createAppPassword,
  createCalendarFeed,
  deleteCalendarFeed,
  listAppPasswords,
  revokeAppPassword,
  type AppPassword,
  type CalendarFeed,
  type NewAppPassword,
} from "../../api/phoneApps";
import { useApp } from "../context";

/** Settings → Phone apps: the address book (CardDAV with app passwords) and the calendar feed. */
export function PhoneApps() {
  return (
    <div class="panel" data-part="phone-apps">
      <h2>Phone apps</h2>
      <p class="muted small">See your people in your phone's own Contacts app and your reminders in its Calendar.</p>
      <AddressBook />
      <CalendarLink />
    </div>
  );
}

/** Side by side, wrapping on a narrow phone (inline: the shared stylesheet is another branch's). */
const INLINE = { display: "flex", gap: "0.5rem", alignItems: "center", flexWrap: "wrap" } as const;

/** A read-only field with a Copy button (the text stays selectable where the clipboard is refused). */
function CopyField({ label, value, name }: { label: string; value: string; name: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="field">
      <span>{label}</span>
      <div style={INLINE}>
        <input readOnly name={name} aria-label={label} value={value} style={{ flex: "1 1 14rem" }} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(value);
              setCopied(true);
            } catch {
              setCopied(false);
            }
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
    </div>
  );
}

function errorText(e: unknown): string {
  return (e as Error).message || "Something went wrong.";
}

function AddressBook() {
  const { session } = useApp();
  const [list, setList] = useState<AppPassword[] | null>(null);
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState("");
  const [name, setName] = useState("");
  const [fresh, setFresh] = useState<NewAppPassword | null>(null);

  const load = () =>
    listAppPasswords(session.token)
      .then((l) => {
        setList(l);
        setMissing(false);
      })
      .catch((e) => {
        if (e instanceof ApiError && e.status === 404) setMissing(true);
        else setError(errorText(e));
      });
  useEffect(() => void load(), [session.token]);

  return (
    <section aria-labelledby="carddav-h" data-part="address-book">
      <h3 id="carddav-h">Address book (CardDAV)</h3>
      {missing ? (
        <p class="muted" data-status="unavailable">
          Not available: this server does not offer the phone address book (CardDAV) yet.
        </p>
      ) : (
        <>
          <p class="small">
            On iPhone: Settings → Contacts → Accounts → Add Account → Other → Add CardDAV Account. On Android: install DAVx⁵ and add an
            account “with URL and user name”. Use these details and an app password made below (never your Kith password).
          </p>
          <CopyField label="Server" name="carddav-server" value={location.origin} />
          <CopyField label="User name" name="carddav-user" value={session.email} />
          {list && list.length > 0 && (
            <ul class="merge-list" aria-label="App passwords">
              {list.map((p) => (
                <li data-app-password={p.id}>
                  <span>
                    {p.name}
                    <span class="muted small">
                      {" "}
                      · made {new Date(p.created_at).toLocaleDateString()}
                      {p.last_used_at ? ` · last used ${new Date(p.last_used_at).toLocaleDateString()}` : " · never used"}
                    </span>
                  </span>
                  <button
                    class="secondary"
                    onClick={async () => {
                      if (!confirm(`Revoke “${p.name}”? The phone using it stops syncing.`)) return;
                      await revokeAppPassword(session.token, p.id).catch((e) => setError(errorText(e)));
                      if (fresh?.id === p.id) setFresh(null);
                      await load();
                    }}
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
          <form
            style={INLINE}
            onSubmit={async (e) => {
              e.preventDefault();
              setError("");
              try {
                setFresh(await createAppPassword(session.token, name.trim() || "Phone"));
                setName("");
                await load();
              } catch (err) {
                if (err instanceof ApiError && err.status === 404) setMissing(true);
                else setError(errorText(err));
              }
            }}
          >
            <input
              name="app-password-name"
              aria-label="Name of the new app password"
              placeholder="e.g. Ada's iPhone"
              maxLength={100}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            <button type="submit">New app password</button>
          </form>
          {fresh && (
            <div role="status" data-new-app-password>
              <CopyField label={`App password for “${fresh.name}”`} name="app-password" value={fresh.password} />
              <p class="small">Type it into the phone now: it is shown only this once.</p>
            </div>
          )}
        </>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function CalendarLink() {
  const { session } = useApp();
  const [feed, setFeed] = useState<CalendarFeed | null>(null);
  const [missing, setMissing] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  useEffect(() => {
    calendarFeed(session.token)
      .then(setFeed)
      .catch((e) => (e instanceof ApiError && e.status === 404 ? setMissing(true) : setError(errorText(e))));
  }, [session.token]);

  async function act(what: () => Promise<CalendarFeed | null>) {
    setBusy(true);
    setError("");
    try {
      setFeed(await what());
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }
  const create = () => act(() => createCalendarFeed(session.token));
  const rotate = () => {
    if (confirm("Make a new calendar link? Calendars subscribed to the old link stop updating.")) void create();
  };
  const off = () => {
    if (!confirm("Turn the calendar link off? Subscribed calendars stop updating.")) return;
    void act(async () => {
      await deleteCalendarFeed(session.token);
      return { enabled: false, url: null, created_at: null };
    });
  };
  const url = feed?.url ? new URL(feed.url, location.origin).href : null;

  return (
    <section aria-labelledby="calendar-h" data-part="calendar-feed" data-enabled={feed ? String(feed.enabled) : undefined}>
      <h3 id="calendar-h">Calendar</h3>
      {missing ? (
        <p class="muted">Not available: this server has no calendar feed.</p>
      ) : (
        <>
          <p class="small">
            A private link to birthdays, important dates, follow-ups and check-ins that are due. Subscribe to it in your calendar (iPhone:
            Settings → Calendar → Accounts → Add Account → Other → Add Subscribed Calendar; Google Calendar: Other calendars → From URL).
            Anyone with the link can read it.
          </p>
          {url && <CopyField label="Calendar link" name="calendar-url" value={url} />}
          {url && <p class="small">Copy it now: it is shown only this once.</p>}
          {feed?.enabled && !url && (
            <p class="small" data-status="on">
              A calendar link is on (made {feed.created_at ? new Date(feed.created_at).toLocaleDateString() : "earlier"}). To see a link
              again, make a new one; the old one then stops working.
            </p>
          )}
          <div style={INLINE}>
            {feed && !feed.enabled && (
              <button onClick={create} disabled={busy}>
                Create calendar link
              </button>
            )}
            {feed?.enabled && (
              <>
                <button class="secondary" onClick={rotate} disabled={busy}>
                  Make a new link
                </button>
                <button class="secondary danger" onClick={off} disabled={busy}>
                  Turn off
                </button>
              </>
            )}
          </div>
        </>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
