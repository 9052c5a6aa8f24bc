/**
 * A snapshot of the hydrated view in IndexedDB, so a returning user sees their people at
 * once while Automerge loads the real document. Purely a cache: the document (stored by
 * automerge-repo) is the truth, and the snapshot is replaced as soon as it has loaded.
 */
import type { ViewDelta } from "./protocol";

const DB = "kith-view-cache";
const STORE = "views";

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function readViewCache(docId: string): Promise<ViewDelta | null> {
  try {
    const db = await open();
    return await new Promise((resolve) => {
      const get = db.transaction(STORE).objectStore(STORE).get(docId);
      get.onsuccess = () => {
        db.close();
        resolve((get.result as ViewDelta | undefined) ?? null);
      };
      get.onerror = () => {
        db.close();
        resolve(null);
      };
    });
  } catch {
    return null;
  }
}

export async function writeViewCache(docId: string, view: ViewDelta): Promise<void> {
  try {
    const db = await open();
    await new Promise<void>((resolve) => {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).put(view, docId);
      tx.oncomplete = tx.onerror = () => {
        db.close();
        resolve();
      };
    });
  } catch {
    /* a cache: losing it only costs speed */
  }
}

export async function deleteViewCache(docId: string): Promise<void> {
  try {
    const db = await open();
    await new Promise<void>((resolve) => {
      const tx = db.transaction(STORE, "readwrite");
      tx.objectStore(STORE).delete(docId);
      tx.oncomplete = tx.onerror = () => {
        db.close();
        resolve();
      };
    });
  } catch {
    /* nothing cached */
  }
}
