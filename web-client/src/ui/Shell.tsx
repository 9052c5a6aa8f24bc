import { useApp } from "./context";
import { href, pageTitle, section, useRoute, type Route } from "./router";
import { useScreenFocus } from "./useScreenFocus";
import { UndoProvider } from "./undo";
import { displayName, resolve, type ContactId } from "../doc/schema";
import { SyncBadge } from "./parts/SyncBadge";
import { Icon, type IconName } from "./parts/Icon";
import { TodayScreen } from "./screens/TodayScreen";
import { PeopleScreen } from "./screens/PeopleScreen";
import { PersonScreen } from "./screens/PersonScreen";
import { DuplicatesScreen } from "./screens/DuplicatesScreen";
import { MergeScreen } from "./screens/MergeScreen";
import { ImportScreen } from "./screens/ImportScreen";
import { ExportScreen } from "./screens/ExportScreen";
import { SettingsScreen } from "./screens/SettingsScreen";

const NAV: Array<{ route: Route; label: string; icon: IconName }> = [
  { route: { name: "today" }, label: "Today", icon: "today" },
  { route: { name: "people" }, label: "People", icon: "people" },
  { route: { name: "import" }, label: "Import", icon: "import" },
  { route: { name: "export" }, label: "Export", icon: "export" },
  { route: { name: "settings" }, label: "Settings", icon: "settings" },
];

export function Shell() {
  const route = useRoute();
  const { view } = useApp();
  const active = section(route);
  let personName: string | undefined;
  if (route.name === "person") {
    const c = view.contacts.get(resolve(view.contacts, route.id as ContactId));
    personName = c ? displayName(c) : undefined;
  }
  useScreenFocus(href(route), pageTitle(route, personName));
  return (
    <UndoProvider>
      <div class="shell">
        <header class="topbar">
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
          <a class="brand" href="#/today">
            Kith
          </a>
          <SyncBadge />
        </header>
        <nav class="nav" aria-label="Main">
          {NAV.map((n) => (
            <a href={href(n.route)} class={active === n.route.name ? "active" : ""} aria-current={active === n.route.name ? "page" : undefined}>
              <span class="nav-icon">
                <Icon name={n.icon} size={22} />
              </span>
              <span>{n.label}</span>
            </a>
          ))}
        </nav>
        <main class="content" id="main" tabIndex={-1}>
          {route.name === "today" && <TodayScreen />}
          {route.name === "people" && <PeopleScreen />}
          {route.name === "person" && <PersonScreen id={route.id} />}
          {route.name === "duplicates" && <DuplicatesScreen />}
          {route.name === "merge" && <MergeScreen keep={route.keep} drop={route.drop} />}
          {route.name === "import" && <ImportScreen />}
          {route.name === "export" && <ExportScreen />}
          {route.name === "settings" && <SettingsScreen />}
        </main>
      </div>
    </UndoProvider>
  );
}
