import { useApp } from "./context";
import { href, useRoute, type Route } from "./router";
import { SyncBadge } from "./parts/SyncBadge";
import { TodayScreen } from "./screens/TodayScreen";
import { PeopleScreen } from "./screens/PeopleScreen";
import { PersonScreen } from "./screens/PersonScreen";
import { ImportScreen } from "./screens/ImportScreen";
import { ExportScreen } from "./screens/ExportScreen";
import { SettingsScreen } from "./screens/SettingsScreen";

// Simple stroked 24×24 icons (no icon font, no emoji that a system may lack).
const NAV: Array<{ route: Route; label: string; icon: string }> = [
  { route: { name: "today" }, label: "Today", icon: "M12 3v2M12 19v2M3 12h2M19 12h2M5.6 5.6l1.4 1.4M17 17l1.4 1.4M5.6 18.4 7 17M17 7l1.4-1.4M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8z" },
  { route: { name: "people" }, label: "People", icon: "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM2 21v-1a6 6 0 0 1 12 0v1M16 3.5a4 4 0 0 1 0 7M18 14a6 6 0 0 1 4 6v1" },
  { route: { name: "import" }, label: "Import", icon: "M12 15V3M7 8l5-5 5 5M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4" },
  { route: { name: "export" }, label: "Export", icon: "M12 3v12M7 10l5 5 5-5M4 15v4a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2v-4" },
  { route: { name: "settings" }, label: "Settings", icon: "M4 6h10M18 6h2M4 12h4M12 12h8M4 18h12M20 18h0M16 4v4M10 10v4M18 16v4" },
];

export function Shell() {
  const route = useRoute();
  useApp();
  const active = route.name === "person" ? "people" : route.name;
  return (
    <div class="shell">
      {/* Not href="#main": the hash is the router. */}
      <a
        class="skip"
        href="#"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById("main")?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="#/today">
          Kith
        </a>
        <SyncBadge />
      </header>
      <nav class="nav" aria-label="Main">
        {NAV.map((n) => (
          <a href={href(n.route)} class={active === n.route.name ? "active" : ""} aria-current={active === n.route.name ? "page" : undefined}>
            <span class="nav-icon" aria-hidden="true">
              <svg viewBox="0 0 24 24">
                <path d={n.icon} />
              </svg>
            </span>
            <span>{n.label}</span>
          </a>
        ))}
      </nav>
      <main class="content" id="main" tabIndex={-1}>
        {route.name === "today" && <TodayScreen />}
        {route.name === "people" && <PeopleScreen />}
        {route.name === "person" && <PersonScreen id={route.id} />}
        {route.name === "import" && <ImportScreen />}
        {route.name === "export" && <ExportScreen />}
        {route.name === "settings" && <SettingsScreen />}
      </main>
    </div>
  );
}
