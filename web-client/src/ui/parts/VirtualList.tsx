import { useEffect, useRef, useState } from "preact/hooks";
import type { ComponentChildren } from "preact";

/**
 * Renders only the rows in view (plus a margin), so 5,000 people cost as much as 20.
 * Rows have a fixed height; the list scrolls inside its own box.
 */
export function VirtualList<T>({
  items,
  rowHeight,
  render,
  label,
  overscan = 8,
}: {
  items: T[];
  rowHeight: number;
  render: (item: T, index: number) => ComponentChildren;
  label: string;
  overscan?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    setHeight(el.clientHeight || 800);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 800));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // A new result set starts at the top.
  useEffect(() => {
    if (box.current) box.current.scrollTop = 0;
    setScrollTop(0);
  }, [items]);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);
  const slice = items.slice(first, last);
  return (
    <div class="vlist" ref={box} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <ul aria-label={label} style={{ height: `${items.length * rowHeight}px`, position: "relative" }}>
        {slice.map((item, i) => (
          <li
            key={first + i}
            style={{ position: "absolute", top: `${(first + i) * rowHeight}px`, left: 0, right: 0, height: `${rowHeight}px` }}
            aria-setsize={items.length}
            aria-posinset={first + i + 1}
          >
            {render(item, first + i)}
          </li>
        ))}
      </ul>
    </div>
  );
}
