/**
 * Light or dark: follows the system (`prefers-color-scheme`) unless this device chose one in
 * Settings. Stored per device (localStorage), not in the synced document: a phone at night
 * and a desk monitor may want different things.
 */
export type Theme = "system" | "light" | "dark";

const KEY = "kith.theme";

export function loadTheme(): Theme {
  try {
    const t = localStorage.getItem(KEY);
    return t === "light" || t === "dark" ? t : "system";
  } catch {
    return "system";
  }
}

/** `styles.css` reads `data-theme` on <html>; without it the media query decides. */
export function applyTheme(t: Theme): void {
  const root = document.documentElement;
  if (t === "system") delete root.dataset.theme;
  else root.dataset.theme = t;
}

export function saveTheme(t: Theme): void {
  try {
    if (t === "system") localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, t);
  } catch {
    /* private mode: the choice lasts for this page */
  }
  applyTheme(t);
}
