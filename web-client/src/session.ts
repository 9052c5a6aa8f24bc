/** The signed-in session of this device, kept in localStorage (and mirrored for the service worker). */
import type { Session } from "./api/client";

const KEY = "kith.session";

export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw);
    return typeof s?.token === "string" && typeof s?.docId === "string" ? (s as Session) : null;
  } catch {
    return null;
  }
}

export function saveSession(s: Session): void {
  localStorage.setItem(KEY, JSON.stringify(s));
  void shareWithServiceWorker(s.token);
}

export function clearSession(): void {
  localStorage.removeItem(KEY);
  void shareWithServiceWorker(null);
}

/**
 * The service worker can't read localStorage, yet it needs the token to call the
 * notification action endpoints, so the token is also kept in a tiny IndexedDB store.
 */
export function shareWithServiceWorker(token: string | null): Promise<void> {
  return new Promise((resolve) => {
    if (typeof indexedDB === "undefined") return resolve();
    const open = indexedDB.open("kith-sw", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("kv");
    open.onerror = () => resolve();
    open.onsuccess = () => {
      const tx = open.result.transaction("kv", "readwrite");
      if (token) tx.objectStore("kv").put(token, "token");
      else tx.objectStore("kv").delete("token");
      tx.oncomplete = tx.onerror = () => {
        open.result.close();
        resolve();
      };
    };
  });
}
