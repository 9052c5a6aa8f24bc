import { useEffect, useMemo, useState } from "preact/hooks";
import { currentSubscription, disablePush, enablePush, pushSupported } from "../../push";
import { useApp } from "../context";
import { Devices } from "../parts/Devices";

function timeZones(current: string): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (k: string) => string[] };
  const all = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  return all.includes(current) ? all : [current, ...all];
}

export function SettingsScreen() {
  const { view, op, session, logOut } = useApp();
  const s = view.settings;
  const detected = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const zones = useMemo(() => timeZones(s.timezone), [s.timezone]);
  const [push, setPush] = useState<"unknown" | "on" | "off" | "busy">("unknown");
  const [pushError, setPushError] = useState("");

  useEffect(() => {
    currentSubscription()
      .then((sub) => setPush(sub ? "on" : "off"))
      .catch(() => setPush("off"));
  }, []);

  async function togglePush() {
    setPushError("");
    const was = push;
    setPush("busy");
    try {
      if (was === "on") {
        await disablePush(session.token);
        setPush("off");
      } else {
        await enablePush(session.token);
        setPush("on");
      }
    } catch (e) {
      setPushError((e as Error).message);
      setPush(was === "on" ? "on" : "off");
    }
  }

  return (
    <section aria-labelledby="settings-h" class="narrow-page">
      <h1 id="settings-h">Settings</h1>
      <p class="muted">Signed in as {session.email}</p>
      <div class="stack">
        <label class="field">
          <span>Time zone</span>
          <select name="timezone" value={s.timezone} onChange={(e) => op("settings: time zone", "setSettings", { timezone: e.currentTarget.value })}>
            {zones.map((z) => (
              <option value={z}>{z}</option>
            ))}
          </select>
        </label>
        {detected && detected !== s.timezone && (
          <p class="small">
            This device is in {detected}.{" "}
            <button class="link-btn" onClick={() => op("settings: time zone", "setSettings", { timezone: detected })}>
              Use {detected}
            </button>
          </p>
        )}
        <label class="field">
          <span>Send reminders at</span>
          <select name="reminder-hour" value={String(s.reminderHour)} onChange={(e) => op("settings: reminder hour", "setSettings", { reminderHour: Number(e.currentTarget.value) })}>
            {Array.from({ length: 24 }, (_, h) => (
              <option value={String(h)}>{String(h).padStart(2, "0")}:00</option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="digest" checked={s.digest} onChange={(e) => op("settings: digest", "setSettings", { digest: e.currentTarget.checked })} />
          Combine reminders due together into one notification
        </label>
        <div class="panel">
          <h2>Notifications on this device</h2>
          {pushSupported() ? (
            <button onClick={togglePush} disabled={push === "busy" || push === "unknown"} data-push={push}>
              {push === "on" ? "Turn off push on this device" : push === "busy" ? "Working…" : "Enable push on this device"}
            </button>
          ) : (
            <p class="muted">This browser can't receive push notifications. On iPhone, add Kith to the home screen first.</p>
          )}
          {push === "on" && <p class="small ok-text">Push is on for this device.</p>}
          {pushError && (
            <p class="error" role="alert">
              {pushError}
            </p>
          )}
        </div>
        <Devices />
        <button class="secondary danger" onClick={() => void logOut()}>
          Log out
        </button>
      </div>
    </section>
  );
}
