import { useEffect, useState } from "preact/hooks";
import { confirmAddress, getChannels, getDeliveries, putEmail, putNtfy, requestAddress, sendTest, type Channels, type Delivery } from "../../api/channels";
import { currentSubscription, disablePush, enablePush, pushSupported } from "../../push";
import { useApp } from "../context";

/** How long enabling push may take before we say so (a permission prompt left open, a push
 * service that never answers) instead of showing "Working…" forever. */
export const PUSH_TIMEOUT_MS = 20_000;

export function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

const STATUS_LABEL: Record<Delivery["status"], string> = {
  sent: "sent",
  refused: "refused",
  retried: "will retry",
  given_up: "given up",
};

/** Settings → Notifications: Web Push on this device, email and ntfy, a test per channel,
 * and the delivery log. Needs the network (the settings live on the server). */
export function Notifications() {
  const { session } = useApp();
  const token = session.token;
  const [channels, setChannels] = useState<Channels | null>(null);
  const [log, setLog] = useState<Delivery[]>([]);
  const [error, setError] = useState("");
  const [note, setNote] = useState<Record<string, string>>({});

  const reload = async () => {
    try {
      const [c, d] = await Promise.all([getChannels(token), getDeliveries(token)]);
      setChannels(c);
      setLog(d);
      setError("");
    } catch (e) {
      setError((e as Error).message);
    }
  };
  useEffect(() => void reload(), [token]);

  async function test(kind: "push" | "email" | "ntfy") {
    setNote((n) => ({ ...n, [kind]: "Sending…" }));
    try {
      const r = await sendTest(token, kind);
      setNote((n) => ({ ...n, [kind]: r.sent ? `Sent (${r.answer}).` : `Not sent: ${r.answer}` }));
    } catch (e) {
      setNote((n) => ({ ...n, [kind]: (e as Error).message }));
    }
    await reload();
  }

  return (
    <div class="panel" aria-labelledby="notifications-h">
      <h2 id="notifications-h">Notifications</h2>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <PushOnThisDevice channels={channels} onChange={reload} onTest={() => test("push")} note={note.push} />
      {channels && <EmailChannel channels={channels} onChange={reload} onTest={() => test("email")} note={note.email} />}
      {channels && <NtfyChannel channels={channels} onChange={reload} onTest={() => test("ntfy")} note={note.ntfy} />}
      <DeliveryLog log={log} onRefresh={reload} />
    </div>
  );
}

interface ChannelProps {
  channels: Channels | null;
  onChange: () => Promise<void>;
  onTest: () => Promise<void>;
  note?: string;
}

function PushOnThisDevice({ channels, onChange, onTest, note }: ChannelProps) {
  const { session } = useApp();
  const [push, setPush] = useState<"unknown" | "on" | "off" | "busy">("unknown");
  const [pushError, setPushError] = useState("");

  useEffect(() => {
    currentSubscription()
      .then((sub) => setPush(sub ? "on" : "off"))
      .catch(() => setPush("off"));
  }, []);

  async function toggle() {
    setPushError("");
    const was = push;
    setPush("busy");
    try {
      if (was === "on") {
        await withTimeout(disablePush(session.token), PUSH_TIMEOUT_MS, "Turning push off took too long. Try again.");
        setPush("off");
      } else {
        await withTimeout(
          enablePush(session.token),
          PUSH_TIMEOUT_MS,
          "Enabling push took too long: the browser or its push service did not answer. Check that notifications are allowed for this site and try again.",
        );
        setPush("on");
      }
    } catch (e) {
      setPushError((e as Error).message);
      setPush(was === "on" ? "on" : "off");
    }
    await onChange();
  }

  const unavailable = channels && !channels.push.available ? channels.push.reason : null;
  return (
    <section class="stack" aria-label="Push on this device">
      <h3>Push on this device</h3>
      {unavailable && (
        <p class="error" role="status" data-push-unavailable>
          The server can't send push notifications yet: {unavailable}
        </p>
      )}
      {pushSupported() ? (
        <button onClick={toggle} disabled={push === "busy" || push === "unknown"} data-push={push}>
          {push === "on" ? "Turn off push on this device" : push === "busy" ? "Working…" : "Enable push on this device"}
        </button>
      ) : (
        <p class="muted">This browser can't receive push notifications. On iPhone, add Kith to the home screen first.</p>
      )}
      {push === "on" && <p class="small ok-text">Push is on for this device.</p>}
      {push === "on" && (
        <button class="secondary" onClick={() => void onTest()}>
          Send a test notification
        </button>
      )}
      {note && <p class="small" role="status">{note}</p>}
      {pushError && (
        <p class="error" role="alert">
          {pushError}
        </p>
      )}
    </section>
  );
}

function EmailChannel({ channels, onChange, onTest, note }: ChannelProps & { channels: Channels }) {
  const { session } = useApp();
  const email = channels.email;
  const [error, setError] = useState("");
  const save = async (enabled: boolean, mode: "digest" | "each") => {
    setError("");
    try {
      await putEmail(session.token, enabled, mode);
    } catch (e) {
      setError((e as Error).message);
    }
    await onChange();
  };
  return (
    <section class="stack" aria-label="Email">
      <h3>Email</h3>
      {!email.available ? (
        <p class="muted small">Email isn't offered on this server: {email.reason}</p>
      ) : (
        <>
          <label class="check">
            <input type="checkbox" name="email-enabled" checked={email.enabled} onChange={(e) => void save(e.currentTarget.checked, email.mode)} />
            Email reminders to {email.address}
          </label>
          <label class="field">
            <span>Email mode</span>
            <select name="email-mode" value={email.mode} onChange={(e) => void save(email.enabled, e.currentTarget.value as "digest" | "each")}>
              <option value="digest">One morning digest</option>
              <option value="each">Each reminder on its own</option>
            </select>
          </label>
          <OtherAddress pending={email.pending_address} onChange={onChange} />
          {email.disabled_reason && <p class="small error">Email was turned off: {email.disabled_reason}</p>}
          {email.enabled && (
            <button class="secondary" onClick={() => void onTest()}>
              Send a test email
            </button>
          )}
          {note && <p class="small" role="status">{note}</p>}
          {error && (
            <p class="error" role="alert">
              {error}
            </p>
          )}
        </>
      )}
    </section>
  );
}

/** Another address, proven by a code mailed to it. */
function OtherAddress({ pending, onChange }: { pending: string | null; onChange: () => Promise<void> }) {
  const { session } = useApp();
  const [address, setAddress] = useState("");
  const [code, setCode] = useState("");
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (f: () => Promise<void>, ok: string) => {
    setMsg(null);
    try {
      await f();
      setMsg({ ok: true, text: ok });
    } catch (e) {
      setMsg({ ok: false, text: (e as Error).message });
    }
    await onChange();
  };
  return (
    <details>
      <summary>Send reminders to another address</summary>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => requestAddress(session.token, address.trim()), `A code is on its way to ${address.trim()}.`);
        }}
      >
        <label class="field">
          <span>Other address</span>
          <input name="email-address" type="email" value={address} onInput={(e) => setAddress(e.currentTarget.value)} required />
        </label>
        <button type="submit" class="secondary">
          Send a code
        </button>
      </form>
      {pending && (
        <form
          class="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void run(() => confirmAddress(session.token, code.trim()), `Reminders now go to ${pending}.`);
          }}
        >
          <label class="field">
            <span>Code sent to {pending}</span>
            <input name="email-code" inputMode="numeric" autoComplete="one-time-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} required />
          </label>
          <button type="submit">Confirm</button>
        </form>
      )}
      <button class="link-btn" onClick={() => void run(() => requestAddress(session.token, null), "Reminders go to your account's address.")}>
        Use my account's address
      </button>
      {msg && (
        <p class={msg.ok ? "small ok-text" : "error"} role={msg.ok ? "status" : "alert"}>
          {msg.text}
        </p>
      )}
    </details>
  );
}

function NtfyChannel({ channels, onChange, onTest, note }: ChannelProps & { channels: Channels }) {
  const { session } = useApp();
  const ntfy = channels.ntfy;
  const [url, setUrl] = useState(ntfy.url ?? "");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState("");
  useEffect(() => setUrl(ntfy.url ?? ""), [ntfy.url]);
  const save = async (enabled: boolean, clearToken = false) => {
    setError("");
    try {
      await putNtfy(session.token, enabled, url.trim(), secret.trim() || undefined, clearToken);
      setSecret("");
    } catch (e) {
      setError((e as Error).message);
    }
    await onChange();
  };
  return (
    <section class="stack" aria-label="ntfy">
      <h3>ntfy</h3>
      <form
        class="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void save(true);
        }}
      >
        <label class="field">
          <span>ntfy topic URL</span>
          <input name="ntfy-url" type="url" placeholder="https://ntfy.sh/your-secret-topic" value={url} onInput={(e) => setUrl(e.currentTarget.value)} required />
        </label>
        <label class="field">
          <span>Access token (optional)</span>
          <input
            name="ntfy-token"
            type="password"
            autoComplete="off"
            placeholder={ntfy.has_token ? "A token is saved; type to replace it" : "tk_…"}
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
          />
        </label>
        <button type="submit">{ntfy.enabled ? "Save ntfy" : "Turn on ntfy"}</button>
      </form>
      {ntfy.enabled && <p class="small ok-text">ntfy is on.</p>}
      {ntfy.disabled_reason && <p class="small error">ntfy was turned off: {ntfy.disabled_reason}</p>}
      {ntfy.url && (
        <div class="row">
          {ntfy.enabled && (
            <button class="secondary" onClick={() => void save(false)}>
              Turn off ntfy
            </button>
          )}
          {ntfy.has_token && (
            <button class="secondary" onClick={() => void save(ntfy.enabled, true)}>
              Forget the token
            </button>
          )}
          <button class="secondary" onClick={() => void onTest()}>
            Send a test to ntfy
          </button>
        </div>
      )}
      {note && <p class="small" role="status">{note}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function DeliveryLog({ log, onRefresh }: { log: Delivery[]; onRefresh: () => Promise<void> }) {
  return (
    <details>
      <summary>Delivery log</summary>
      <button class="link-btn" onClick={() => void onRefresh()}>
        Refresh
      </button>
      {log.length === 0 ? (
        <p class="muted small">Nothing sent yet.</p>
      ) : (
        <ul class="merge-list" aria-label="Delivery log">
          {log.map((d) => (
            <li data-delivery={d.status} data-channel={d.channel}>
              <span>
                <strong>{d.channel}</strong> · {new Date(d.at).toLocaleString()} · {STATUS_LABEL[d.status]}
                <br />
                <span class="small">{d.title}</span>
                {d.detail && <span class="muted small"> — {d.detail}</span>}
              </span>
            </li>
          ))}
        </ul>
      )}
    </details>
  );
}
