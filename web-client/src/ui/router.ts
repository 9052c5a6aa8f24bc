/** Hash routes, so the static server needs no rewrites and the app works from the cache offline. */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "today" }
  | { name: "people" }
  | { name: "person"; id: string }
  | { name: "duplicates" }
  | { name: "merge"; keep: string; drop: string }
  | { name: "import" }
  | { name: "export" }
  | { name: "settings" };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  switch (parts[0]) {
    case "people":
      return parts[1] ? { name: "person", id: parts[1] } : { name: "people" };
    case "duplicates":
      return parts[1] && parts[2] ? { name: "merge", keep: parts[1], drop: parts[2] } : { name: "duplicates" };
    case "import":
    case "export":
    case "settings":
      return { name: parts[0] };
    default:
      return { name: "today" };
  }
}

export function href(r: Route): string {
  switch (r.name) {
    case "person":
      return `#/people/${encodeURIComponent(r.id)}`;
    case "merge":
      return `#/duplicates/${encodeURIComponent(r.keep)}/${encodeURIComponent(r.drop)}`;
    default:
      return `#/${r.name}`;
  }
}

export function navigate(r: Route): void {
  window.location.hash = href(r);
}

/** The nav entry a route belongs to (a person and the duplicates inbox live under People). */
export function section(r: Route): Route["name"] {
  return r.name === "person" || r.name === "duplicates" || r.name === "merge" ? "people" : r.name;
}

const TITLES: Record<Route["name"], string> = {
  today: "Today",
  people: "People",
  person: "Person",
  duplicates: "Possible duplicates",
  merge: "Merge duplicates",
  import: "Import",
  export: "Export",
  settings: "Settings",
};

/** The document title for a route: "Anna Schmidt — Kith", "Today — Kith". `personName` names a person route. */
export function pageTitle(r: Route, personName?: string): string {
  const what = r.name === "person" && personName ? personName : TITLES[r.name];
  return `${what} — Kith`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", on);
    return () => window.removeEventListener("hashchange", on);
  }, []);
  return route;
}
