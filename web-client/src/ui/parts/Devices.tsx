import { useEffect, useState } from "preact/hooks";
import { changePassword, devices as listDevices, removeDevice, type Device } from "../../api/client";
import { useApp } from "../context";
import { readableDeviceName } from "../../view/deviceName";
import { formatDate } from "../../view/dates";

/** Signed-in devices (sign one out) and a password change. Needs the network. */
export function Devices() {
  const { session } = useApp();
  const [list, setList] = useState<Device[] | null>(null);
  const [error, setError] = useState("");

  const load = () =>
    listDevices(session.token)
      .then(setList)
      .catch((e) => setError((e as Error).message));
  useEffect(() => void load(), [session.token]);

  return (
    <div class="panel">
      <h2>Your devices</h2>
      {error && <p class="muted small">{error}</p>}
      {list && (
        <ul class="merge-list">
          {list.map((d) => (
            <li>
              <span>
                {readableDeviceName(d.name)}
                <span class="muted small"> · last seen {formatDate(new Date(d.last_seen_at))}</span>
                {d.current && <strong class="small"> (this device)</strong>}
              </span>
              {!d.current && (
                <button
                  class="secondary"
                  onClick={async () => {
                    if (!confirm(`Sign out “${readableDeviceName(d.name)}”?`)) return;
                    await removeDevice(session.token, d.id).catch((e) => setError((e as Error).message));
                    await load();
                  }}
                >
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <PasswordChange />
    </div>
  );
}

function PasswordChange() {
  const { session } = useApp();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <details>
      <summary>Change password</summary>
      <form
        class="stack"
        onSubmit={async (e) => {
          e.preventDefault();
          if (next.length < 8) return setMsg({ ok: false, text: "Use at least 8 characters." });
          try {
            await changePassword(session.token, current, next);
            setMsg({ ok: true, text: "Password changed." });
            setCurrent("");
            setNext("");
          } catch (err) {
            const status = (err as { status?: number }).status;
            setMsg({ ok: false, text: status === 401 || status === 403 ? "The current password is wrong." : (err as Error).message });
          }
        }}
      >
        <label>
          Current password
          <input type="password" autocomplete="current-password" value={current} onInput={(e) => setCurrent(e.currentTarget.value)} required />
        </label>
        <label>
          New password
          <input type="password" autocomplete="new-password" value={next} onInput={(e) => setNext(e.currentTarget.value)} required />
        </label>
        <button type="submit">Change password</button>
        {msg && (
          <p class={msg.ok ? "ok-text" : "error"} role="status">
            {msg.text}
          </p>
        )}
      </form>
    </details>
  );
}
