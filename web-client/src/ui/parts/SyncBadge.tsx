import { useApp } from "../context";

const LABEL = { loading: "Loading…", synced: "Online", syncing: "Syncing…", offline: "Offline", error: "Sync error" } as const;
const HINT = {
  loading: "Opening the copy stored on this device.",
  synced: "All changes are saved on the server.",
  syncing: "Sending and receiving changes.",
  offline: "Changes are kept on this device and sync when you're back online.",
  error: "",
} as const;

/** Always-visible sync state: online / syncing / offline / error. */
export function SyncBadge() {
  const { sync, syncDetail } = useApp();
  return (
    <span class={`sync sync-${sync}`} role="status" aria-live="polite" data-sync={sync} title={syncDetail || HINT[sync]}>
      <span class="dot" aria-hidden="true" />
      {LABEL[sync]}
    </span>
  );
}
