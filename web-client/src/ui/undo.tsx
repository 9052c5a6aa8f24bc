/**
 * Undo for one-tap changes. `useUndoable()` gives screens a function that applies an
 * `Undoable` (view/undoable.ts) at once and offers its compensating change in a toast for a
 * few seconds. Only the latest change is offered: a new one replaces the toast.
 */
import { createContext, type ComponentChildren } from "preact";
import { useCallback, useContext, useMemo, useState } from "preact/hooks";
import type { Step, Undoable } from "../view/undoable";
import { useApp, type AppContext } from "./context";
import { UndoToast } from "./parts/UndoToast";

export interface Offer {
  /** Changes with every offer, so a repeated label still restarts the timer. */
  seq: number;
  label: string;
  inverse: Step[];
}

type Act = (u: Undoable) => void;

const UndoCtx = createContext<Act | null>(null);

/** Runs named operations through the app's op channel (the same path as every edit). */
export function runSteps(op: AppContext["op"], steps: Step[]): void {
  const run = op as (message: string, name: Step["op"], ...args: unknown[]) => void;
  for (const s of steps) run(s.message, s.op, ...s.args);
}

export function UndoProvider({ children }: { children: ComponentChildren }) {
  const { op } = useApp();
  const [offer, setOffer] = useState<Offer | null>(null);
  const act = useCallback<Act>(
    (u) => {
      runSteps(op, u.forward);
      if (u.inverse.length > 0) setOffer((prev) => ({ seq: (prev?.seq ?? 0) + 1, label: u.label, inverse: u.inverse }));
    },
    [op],
  );
  const undo = useCallback(() => {
    if (!offer) return;
    runSteps(op, offer.inverse);
  }, [op, offer]);
  const value = useMemo(() => act, [act]);
  return (
    <UndoCtx.Provider value={value}>
      {children}
      <UndoToast offer={offer} onUndo={undo} onDone={() => setOffer(null)} />
    </UndoCtx.Provider>
  );
}

/** `act(undoable.archive(c))`: applies the change now and offers Undo. */
export function useUndoable(): Act {
  const act = useContext(UndoCtx);
  if (!act) throw new Error("useUndoable outside the UndoProvider");
  return act;
}
