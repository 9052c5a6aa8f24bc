/**
 * An edit from the page once the document has loaded (and the queue is drained): applied
 * as one change, the view sent back, then the document stored on this device at once.
 *
 * Why store at once: automerge-repo stores a change up to 100 ms after it is made, and a tab
 * closed (or reloaded) in that window while offline would lose the edit. Storing is
 * incremental and a person makes few edits a second. It comes after the view because it
 * starts with synchronous work. A failure to store is not reported here: the repo's own save
 * fails the same way and tries again on the next change.
 */
import { runOp, type QueueTarget } from "./drain";

export interface LiveEdit {
  /** A function name in doc/ops.ts. */
  op: string;
  args: unknown[];
  /** The change's commit message. */
  message: string;
}

export function applyLiveEdit(target: Pick<QueueTarget, "change" | "persist">, edit: LiveEdit, publish: () => void): void {
  target.change((d) => void runOp(d, edit.op, edit.args), edit.message);
  publish();
  void target.persist().catch(() => undefined);
}
