import type { InteractionKind } from "../../doc/schema";
import { DAY_MS } from "../../doc/math";
import { useApp } from "../context";
import type { PersonRow } from "../../view/people";

const QUICK: Array<{ kind: InteractionKind; label: string }> = [
  { kind: "call", label: "Called" },
  { kind: "message", label: "Messaged" },
  { kind: "meeting", label: "Met" },
];

/** One-tap "I reached out" (call / message / met) and snooze a week. */
export function ReachOut({ row, showSnooze = true }: { row: PersonRow; showSnooze?: boolean }) {
  const { op } = useApp();
  const id = row.contact.id;
  return (
    <div class="quick" role="group" aria-label={`I reached out to ${row.name}`}>
      {QUICK.map((q) => (
        <button
          class="chip"
          aria-label={`${q.label} ${row.name}`}
          onClick={() => op(`log ${q.kind}`, "logInteraction", [id], q.kind, new Date(), "")}
        >
          {q.label}
        </button>
      ))}
      {showSnooze && (
        <button
          class="chip ghost"
          aria-label={`Snooze ${row.name} for a week`}
          onClick={() => op("snooze 1 week", "snooze", id, new Date(Date.now() + 7 * DAY_MS))}
        >
          Snooze
        </button>
      )}
    </div>
  );
}
