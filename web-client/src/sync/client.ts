/** The page's side of the document worker: the current view, the sync state, operations. */
import type { Session } from "../api/client";
import type { KithView } from "../doc/schema";
import type { FromWorker, OpArgs, OpName, SyncState, ToWorker } from "./protocol";
import { applyDelta, type Indexed } from "./viewDiff";

export class DocClient {
  view: KithView | null = null;
  /** True while the view comes from the start-up snapshot, before the document has loaded. */
  cached = false;
  state: SyncState = "loading";
  detail = "";
  failure = "";
  private indexed: Indexed | null = null;
  private seq = 0;
  private acked = 0;
  private req = 0;
  private replies = new Map<number, (m: FromWorker) => void>();
  private listeners = new Set<() => void>();
  private worker: Worker;
  private onOnline = () => this.send({ t: "online", online: true });
  private onOffline = () => this.send({ t: "online", online: false });

  constructor(session: Session) {
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "kith-doc" });
    this.worker.onmessage = (e: MessageEvent<FromWorker>) => this.receive(e.data);
    this.worker.onerror = (e) => {
      this.failure = e.message || "The document worker failed.";
      this.emit();
    };
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.send({ t: "open", session, online: navigator.onLine, timezone: Intl.DateTimeFormat().resolvedOptions().timeZone ?? "" });
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Applies `op` from doc/ops.ts to the document as one change with a commit message. */
  op<N extends OpName>(message: string, op: N, ...args: OpArgs<N>): void {
    this.seq += 1;
    this.send({ t: "op", seq: this.seq, message, op, args });
  }

  /** Operations sent but not yet reflected in `view`. */
  pending(): boolean {
    return this.acked < this.seq;
  }

  save(): Promise<Uint8Array> {
    return this.request({ t: "save", req: 0 }).then((m) => (m.t === "saved" ? m.bytes : new Uint8Array()));
  }

  async close(forget: boolean): Promise<void> {
    await this.request({ t: "close", req: 0, forget });
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.worker.terminate();
  }

  private request(m: Extract<ToWorker, { req: number }>): Promise<FromWorker> {
    const req = ++this.req;
    return new Promise((resolve) => {
      this.replies.set(req, resolve);
      this.send({ ...m, req });
    });
  }

  private send(m: ToWorker) {
    this.worker.postMessage(m);
  }

  private emit() {
    this.listeners.forEach((fn) => fn());
  }

  private receive(m: FromWorker) {
    switch (m.t) {
      case "view": {
        // A snapshot never replaces the loaded document.
        if (m.view.cached && this.view && !this.cached) return;
        // Marks for the performance measurement (perf/measure.mjs); cheap and harmless.
        if (m.view.full) performance.mark(m.view.cached ? "kith:view-from-snapshot" : "kith:view-from-document");
        const next = applyDelta(this.indexed, m.view);
        this.indexed = next.indexed;
        this.view = next.view;
        this.cached = m.view.cached;
        this.acked = Math.max(this.acked, m.view.ack);
        break;
      }
      case "state":
        this.state = m.state;
        this.detail = m.detail;
        break;
      case "failed":
        this.failure = m.message;
        break;
      case "saved":
      case "closed":
        this.replies.get(m.req)?.(m);
        this.replies.delete(m.req);
        return;
    }
    this.emit();
  }
}
