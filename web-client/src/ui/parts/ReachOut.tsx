import type { InteractionKind } from "../../doc/schema";
import type { PersonRow } from "../../view/people";
import { reachedOut, snoozeFor } from "../../view/undoable";
import { useUndoable } from "../undo";
import { Icon, type IconName } from "./Icon";

const QUICK: Array<{ kind: InteractionKind; label: string; icon: IconName }> = [
  { kind: "call", label: "Called", icon: "phone" },
  { kind: "message", label: "Messaged", icon: "message" },
  { kind: "meeting", label: "Met", icon: "meet" },
];

/** One-tap "I reached out" (call / message / met) and snooze a week, each with Undo. */
export function ReachOut({ row, showSnooze = true }: { row: PersonRow; showSnooze?: boolean }) {
  const act = useUndoable();
  const c = row.contact;
  return (
    <div class="quick" role="group" aria-label={`I reached out to ${row.name}`}>
      {QUICK.map((q) => (
        <button class="chip" aria-label={`${q.label} ${row.name}`} onClick={() => act(reachedOut(c, q.kind, new Date()))}>
          <Icon name={q.icon} size={16} />
          {q.label}
        </button>
      ))}
      {showSnooze && (
        <button class="chip ghost" aria-label={`Snooze ${row.name} for a week`} onClick={() => act(snoozeFor(c, 7, new Date()))}>
          <Icon name="snooze" size={16} />
          Snooze
        </button>
      )}
    </div>
  );
}
