import { useEffect, useRef, useState } from "preact/hooks";
import type { Offer } from "../undo";
import { Icon } from "./Icon";

/** How long Undo stays offered; paused while the pointer or focus is on the toast. */
export const UNDO_MS = 6000;

/**
 * The "Called Anna · Undo" bar. Announced politely to screen readers; the Undo button is
 * reachable by keyboard, and the timer waits while someone is on it.
 */
export function UndoToast({ offer, onUndo, onDone }: { offer: Offer | null; onUndo: () => void; onDone: () => void }) {
  const [held, setHeld] = useState(false);
  const [undone, setUndone] = useState<string | null>(null);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (offer) setUndone(null);
  }, [offer?.seq]);

  useEffect(() => {
    if (!offer || held) return;
    const t = setTimeout(onDone, UNDO_MS);
    return () => clearTimeout(t);
  }, [offer?.seq, held]);

  useEffect(() => {
    if (undone === null) return;
    const t = setTimeout(() => setUndone(null), 2500);
    return () => clearTimeout(t);
  }, [undone]);

  const text = offer ? offer.label : undone;
  return (
    <div class="toast-region" role="status" aria-live="polite">
      {text && (
        <div
          class="toast"
          ref={box}
          data-undo={offer ? "offered" : "done"}
          onPointerEnter={() => setHeld(true)}
          onPointerLeave={() => setHeld(false)}
          onFocusIn={() => setHeld(true)}
          onFocusOut={(e) => {
            if (!box.current?.contains(e.relatedTarget as Node | null)) setHeld(false);
          }}
        >
          <span class="toast-text">{text}</span>
          {offer && (
            <button
              class="toast-undo"
              onClick={() => {
                onUndo();
                setHeld(false);
                setUndone(`Undone: ${offer.label}`);
                onDone();
              }}
            >
              <Icon name="undo" size={18} /> Undo
            </button>
          )}
        </div>
      )}
    </div>
  );
}
