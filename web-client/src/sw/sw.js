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

/** Payload (reminders crate): {title, body, url, tag, actions:[{action,title}], contact_ids:[...]}. */
self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { body: event.data ? event.data.text() : "" };
  }
  const contactIds = Array.isArray(data.contact_ids) ? data.contact_ids : data.contactId ? [data.contactId] : [];
  const single = contactIds.length === 1;
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
      data: { url: appUrl(data.url, contactIds), contactIds },
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
  const data = n.data || {};
  const ids = data.contactIds || [];
  n.close();
  event.waitUntil(
    (async () => {
      if ((event.action === "done" || event.action === "snooze") && ids.length === 1) {
        const ok = await act(event.action, ids[0]);
        if (ok) return;
      }
      await openApp(data.url || "/#/today");
    })(),
  );
});

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

async function openApp(url) {
  const all = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const c of all) {
    if (new URL(c.url).origin === self.location.origin) {
      await c.focus();
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
