/* Kith service worker: app-shell cache (offline start), push notifications and their actions.
 * Built by vite.config.ts, which fills in the shell file list and a version. */
const SHELL = __SHELL__;
const VERSION = __VERSION__;
const CACHE = `kith-shell-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("kith-shell-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  // API calls and the sync socket always go to the network; the document lives in IndexedDB.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || url.pathname.startsWith("/sync")) return;
  if (req.mode === "navigate") {
    // Network first so a deploy shows up, the cached shell when offline.
    event.respondWith(fetch(req).catch(() => caches.match("/", { cacheName: CACHE }).then((r) => r || Response.error())));
    return;
  }
  event.respondWith(
    caches.match(req, { cacheName: CACHE }).then(
      (hit) =>
        hit ||
        fetch(req).then((res) => {
          if (res.ok && url.pathname.startsWith("/assets/")) {
            const copy = res.clone();
            caches.open(CACHE).then((c) => c.put(req, copy));
          }
          return res;
        }),
    ),
  );
});

/** Payload (reminders crate, payload.rs): {title, body, url, tag, actions:[{action,title}], contact_ids:[...],
 * follow_up_id?}. With `follow_up_id` the buttons act on that follow-up (Done, Snooze 1 day). */
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  const contactIds = Array.isArray(data.contact_ids) ? data.contact_ids : data.contactId ? [data.contactId] : [];
  const single = contactIds.length === 1;
  const followUpId = typeof data.follow_up_id === "string" && data.follow_up_id ? data.follow_up_id : null;
  const actions = Array.isArray(data.actions) && data.actions.length
    ? data.actions.filter((a) => a && a.action && a.title)
    : single
      ? [
          { action: "done", title: "Done" },
          { action: "snooze", title: "Snooze 1 week" },
        ]
      : [];
  event.waitUntil(
    self.registration.showNotification(data.title || "Kith", {
      body: data.body || "",
      tag: data.tag || undefined,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      actions,
      data: { url: appUrl(data.url, contactIds), contactIds, followUpId },
    }),
  );
});

/** The payload's `/contacts/<id>` becomes the app's hash route. */
function appUrl(url, contactIds) {
  const m = typeof url === "string" && url.match(/^\/contacts\/([^/?#]+)/);
  if (m) return `/#/people/${m[1]}`;
  if (typeof url === "string" && url.startsWith("/#/")) return url;
  return contactIds.length === 1 ? `/#/people/${contactIds[0]}` : "/#/today";
}

self.addEventListener("notificationclick", (event) => {
  const n = event.notification;
  n.close();
  event.waitUntil(notificationClicked(event.action, n.data || {}));
});

/**
 * A tap on a notification or one of its buttons. A follow-up's Done / Snooze act on the
 * follow-up; a keep-in-touch nudge's on its one person. A tap without a button (or a button
 * whose request failed, e.g. offline) opens the person. Named on `self` so the browser tests
 * can run it with a notification's data (synthetic notification events cannot be awaited).
 */
async function notificationClicked(action, data) {
  const ids = data.contactIds || [];
  if ((action === "done" || action === "snooze") && data.followUpId) {
    if (await actOnFollowUp(action, data.followUpId)) return;
  } else if ((action === "done" || action === "snooze") && ids.length === 1) {
    if (await act(action, ids[0])) return;
  }
  await openApp(data.url || "/#/today");
}
self.kithNotificationClicked = notificationClicked;

async function act(action, contactId) {
  const token = await storedToken();
  if (!token) return false;
  const path =
    action === "done"
      ? `/api/v1/contacts/${encodeURIComponent(contactId)}/interactions`
      : `/api/v1/contacts/${encodeURIComponent(contactId)}/snooze`;
  const body = action === "done" ? { kind: "other", note: "" } : { days: 7 };
  try {
    const res = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    return res.ok;
  } catch {
    return false;
  }
}

/** A follow-up's buttons: Done marks it done, Snooze moves it a day later (handlers/follow_ups.rs). */
async function actOnFollowUp(action, followUpId) {
  const token = await storedToken();
  if (!token) return false;
  const path = `/api/v1/follow-ups/${encodeURIComponent(followUpId)}/${action === "done" ? "done" : "snooze"}`;
  try {
    const res = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: action === "done" ? "{}" : JSON.stringify({ days: 1 }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

async function openApp(url) {
  const all = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const c of all) {
    if (new URL(c.url).origin === self.location.origin) {
      await c.focus().catch(() => undefined);
      if ("navigate" in c) await c.navigate(url).catch(() => undefined);
      return;
    }
  }
  await self.clients.openWindow(url);
}

/** The page mirrors its session token into IndexedDB (session.ts) for exactly this. */
function storedToken() {
  return new Promise((resolve) => {
    const open = indexedDB.open("kith-sw", 1);
    open.onupgradeneeded = () => open.result.createObjectStore("kv");
    open.onerror = () => resolve(null);
    open.onsuccess = () => {
      const get = open.result.transaction("kv").objectStore("kv").get("token");
      get.onsuccess = () => resolve(get.result || null);
      get.onerror = () => resolve(null);
    };
  });
}
