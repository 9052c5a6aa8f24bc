/** Web Push on this device: subscribe with the server's VAPID key and register the subscription. */
import { ApiError, registerPush, unregisterPush, vapidPublicKey } from "./api/client";

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

export function base64UrlToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((s.length + 3) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

async function registration(): Promise<ServiceWorkerRegistration> {
  const reg = await navigator.serviceWorker.getRegistration();
  if (!reg) throw new Error("The app's service worker isn't installed; reload the page and try again.");
  return navigator.serviceWorker.ready;
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null;
  const reg = await navigator.serviceWorker.getRegistration();
  return reg ? reg.pushManager.getSubscription() : null;
}

export async function enablePush(token: string): Promise<void> {
  if (!pushSupported()) throw new Error("This browser can't receive push notifications.");
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("Notifications are blocked for this site. Allow them in the browser's site settings.");
  const reg = await registration();
  const key = await vapidPublicKey();
  const subscribe = () => reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(key) });
  const sub = (await reg.pushManager.getSubscription()) ?? (await subscribe());
  try {
    await registerPush(token, sub.toJSON());
  } catch (e) {
    // 409: this browser's endpoint still belongs to another account that signed in here
    // before. The server never hands an endpoint over; a fresh subscription is a new one.
    if (!(e instanceof ApiError && e.status === 409)) throw e;
    await sub.unsubscribe();
    await registerPush(token, (await subscribe()).toJSON());
  }
}

export async function disablePush(token: string): Promise<void> {
  const sub = await currentSubscription();
  if (!sub) return;
  await unregisterPush(token, sub.toJSON()).catch(() => undefined);
  await sub.unsubscribe();
}
