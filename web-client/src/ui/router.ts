/** Hash routes, so the static server needs no rewrites and the app works from the cache offline. */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { name: "today" }
  | { name: "people" }
  | { name: "person"; id: string }
  | { name: "import" }
  | { name: "export" }
  | { name: "settings" };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  switch (parts[0]) {
    case "people":
      return parts[1] ? { name: "person", id: parts[1] } : { name: "people" };
    case "import":
    case "export":
    case "settings":
      return { name: parts[0] };
    default:
      return { name: "today" };
  }
}

export function href(r: Route): string {
  return r.name === "person" ? `#/people/${encodeURIComponent(r.id)}` : `#/${r.name}`;
}

export function navigate(r: Route): void {
  window.location.hash = href(r);
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
