import { useMemo } from "preact/hooks";
import { useApp } from "../context";
import { Devices } from "../parts/Devices";
import { Notifications } from "../parts/Notifications";
import { ThemeSwitch } from "../parts/ThemeSwitch";
import { PhoneApps } from "../parts/PhoneApps";

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
        <Notifications />
        <PhoneApps />
        <ThemeSwitch />
        <Devices />
        <button class="secondary danger" onClick={() => void logOut()}>
          Log out
        </button>
      </div>
    </section>
  );
}
