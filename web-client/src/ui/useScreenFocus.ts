/**
 * What a screen change does for people who cannot see the whole page at once: the new screen
 * starts at the top (not at the scroll offset of the list it was opened from), keyboard and
 * screen-reader focus moves to its heading, and the tab shows where you are.
 */
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";

export function useScreenFocus(routeKey: string, title: string): void {
  const wantFocus = useRef(false);
  const first = useRef(true);

  useLayoutEffect(() => {
    // The first screen after a page load keeps the browser's own focus (nothing was left).
    if (first.current) {
      first.current = false;
      return;
    }
    window.scrollTo(0, 0);
    document.getElementById("main")?.scrollTo?.(0, 0);
    wantFocus.current = true;
  }, [routeKey]);

  // A screen's heading may show only once its data is there (a person still loading), or be
  // replaced when it arrives; the screen's own re-renders do not re-run this hook's effects.
  // So watch the page briefly: whenever a new heading appears while focus is nowhere (the old
  // heading was removed, or none was there yet), it takes focus. A user who already moved
  // focus somewhere keeps it.
  useEffect(() => {
    if (!wantFocus.current) return;
    wantFocus.current = false;
    const main = document.getElementById("main");
    if (!main) return;
    let focused: HTMLElement | null = null;
    const tryFocus = () => {
      const h = main.querySelector<HTMLElement>("h1");
      if (!h || h === focused) return;
      const active = document.activeElement;
      if (focused && active && active !== document.body && active !== focused) return;
      if (!h.hasAttribute("tabindex")) h.setAttribute("tabindex", "-1");
      h.focus({ preventScroll: true });
      focused = h;
    };
    tryFocus();
    const watch = new MutationObserver(tryFocus);
    watch.observe(main, { childList: true, subtree: true });
    const stop = setTimeout(() => watch.disconnect(), 5000);
    return () => {
      clearTimeout(stop);
      watch.disconnect();
    };
  }, [routeKey]);

  // With the DOM, not after the next paint (`useEffect`): the tab, a screen reader or a test
  // reading the page between the two saw the new screen under the old screen's title.
  useLayoutEffect(() => {
    document.title = title;
  }, [title]);
}
