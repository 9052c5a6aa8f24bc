/** The server's HTTP API (DESIGN.md "HTTP API"); every call is same-origin JSON. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Session {
  token: string;
  docId: string;
  email: string;
}

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  errors: Array<{ index: number; message: string }>;
}

interface CallOptions {
  method?: string;
  token?: string;
  json?: unknown;
  body?: BodyInit;
  contentType?: string;
}

async function call(path: string, o: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  let body = o.body;
  if (o.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(o.json);
  } else if (o.contentType) headers["Content-Type"] = o.contentType;
  let res: Response;
  try {
    res = await fetch(path, { method: o.method ?? "GET", headers, body });
  } catch {
    throw new ApiError(0, "network", "Can't reach the server. Check your connection.");
  }
  if (!res.ok) {
    let code = "http_" + res.status;
    let message = res.statusText || "Request failed";
    try {
      const j = await res.json();
      if (j?.error?.message) message = String(j.error.message);
      if (j?.error?.code) code = String(j.error.code);
    } catch {
      /* not JSON: keep the status text */
    }
    throw new ApiError(res.status, code, message);
  }
  return res;
}

export async function json<T>(path: string, o: CallOptions = {}): Promise<T> {
  const res = await call(path, o);
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export async function signUp(email: string, password: string): Promise<Session> {
  const r = await json<{ token: string; doc_id: string }>("/api/v1/accounts", { method: "POST", json: { email, password } });
  return { token: r.token, docId: r.doc_id, email };
}

export async function logIn(email: string, password: string, deviceName: string): Promise<Session> {
  const r = await json<{ token: string; doc_id: string }>("/api/v1/sessions", {
    method: "POST",
    json: { email, password, device_name: deviceName },
  });
  return { token: r.token, docId: r.doc_id, email };
}

export async function logOut(token: string): Promise<void> {
  await call("/api/v1/sessions/current", { method: "DELETE", token });
}

export function me(token: string): Promise<{ user_id: string; email: string; doc_id: string }> {
  return json("/api/v1/me", { token });
}

export function importContacts(token: string, body: Blob | string, contentType: string): Promise<ImportReport> {
  return json("/api/v1/import", { method: "POST", token, body, contentType });
}

export async function exportFile(token: string, kind: "vcf" | "json"): Promise<Blob> {
  return (await call(`/api/v1/export.${kind}`, { token })).blob();
}

export async function vapidPublicKey(): Promise<string> {
  const res = await call("/api/v1/push/vapid-public-key");
  const text = (await res.text()).trim();
  // Accept either a bare base64url string or {"key": "..."} / {"public_key": "..."}.
  if (text.startsWith("{")) {
    const j = JSON.parse(text);
    return String(j.key ?? j.public_key ?? j.publicKey ?? "");
  }
  return text.replace(/^"|"$/g, "");
}

export async function registerPush(token: string, subscription: PushSubscriptionJSON): Promise<void> {
  await call("/api/v1/push/subscriptions", { method: "POST", token, json: subscription });
}

export async function unregisterPush(token: string, subscription: PushSubscriptionJSON): Promise<void> {
  await call("/api/v1/push/subscriptions", { method: "DELETE", token, json: subscription });
}

export interface Device {
  id: string;
  name: string;
  created_at: string;
  last_seen_at: string;
  current: boolean;
}

export async function devices(token: string): Promise<Device[]> {
  return (await json<{ devices: Device[] }>("/api/v1/devices", { token })).devices;
}

export async function removeDevice(token: string, id: string): Promise<void> {
  await call(`/api/v1/devices/${encodeURIComponent(id)}`, { method: "DELETE", token });
}

export async function changePassword(token: string, current: string, next: string): Promise<void> {
  await call("/api/v1/account/password", { method: "POST", token, json: { current, new: next } });
}
