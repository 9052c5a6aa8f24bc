import { useState } from "preact/hooks";

const PRESETS: Array<{ days: number; label: string }> = [
  { days: 7, label: "Every week" },
  { days: 14, label: "Every 2 weeks" },
  { days: 30, label: "Every month" },
  { days: 90, label: "Every 3 months" },
];

/** "Every 1 week / 2 weeks / month / 3 months / custom", or no reminders. */
export function CadencePicker({ days, onChange }: { days: number | null; onChange: (d: number | null) => void }) {
  const preset = days === null ? "none" : PRESETS.some((p) => p.days === days) ? String(days) : "custom";
  const [custom, setCustom] = useState(preset === "custom");
  const selected = custom ? "custom" : preset;
  return (
    <div class="cadence">
      <label class="field">
        <span>Keep in touch</span>
        <select
          name="cadence"
          value={selected}
          onChange={(e) => {
            const v = e.currentTarget.value;
            if (v === "custom") return setCustom(true);
            setCustom(false);
            onChange(v === "none" ? null : Number(v));
          }}
        >
          <option value="none">No reminders</option>
          {PRESETS.map((p) => (
            <option value={String(p.days)}>{p.label}</option>
          ))}
          <option value="custom">Custom…</option>
        </select>
      </label>
      {selected === "custom" && (
        <label class="field narrow">
          <span>Every N days</span>
          <input
            type="number"
            name="cadence-days"
            min={1}
            max={3650}
            value={days ?? ""}
            onChange={(e) => {
              const n = Math.round(Number(e.currentTarget.value));
              if (Number.isFinite(n) && n >= 1 && n <= 3650) onChange(n);
            }}
          />
        </label>
      )}
    </div>
  );
}
