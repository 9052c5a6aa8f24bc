import { useState } from "preact/hooks";
import { loadTheme, saveTheme, type Theme } from "../theme";

const CHOICES: Array<{ value: Theme; label: string }> = [
  { value: "system", label: "System" },
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
];

/** Appearance for this device: follow the system, or always light or dark. */
export function ThemeSwitch() {
  const [theme, setTheme] = useState<Theme>(loadTheme);
  return (
    <fieldset class="panel theme-switch">
      <legend>Appearance on this device</legend>
      <div class="segmented">
        {CHOICES.map((c) => (
          <label class={theme === c.value ? "seg active" : "seg"}>
            <input
              type="radio"
              name="theme"
              value={c.value}
              checked={theme === c.value}
              onChange={() => {
                setTheme(c.value);
                saveTheme(c.value);
              }}
            />
            {c.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
