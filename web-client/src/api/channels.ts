/** Reminder channels, test sends and the delivery log (README "Reminder channels"). */
import { ApiError } from "./client";

export interface Channels {
  push: { available: boolean; reason: string | null; this_device_subscriptions: number };
  email: {
    available: boolean;
    reason: string | null;
    enabled: boolean;
    address: string;
    pending_address: string | null;
    mode: "digest" | "each";
    disabled_reason: string | null;
  };
  ntfy: { available: boolean; enabled: boolean; url: string | null; has_token: boolean; disabled_reason: string | null };
}

export interface TestResult {
  sent: boolean;
  status: DeliveryStatus;
  answer: string;
}

export type DeliveryStatus = "sent" | "refused" | "retried" | "given_up";

export interface Delivery {
  channel: "push" | "email" | "ntfy";
  at: string;
  status: DeliveryStatus;
  title: string;
  detail: string;
  nudges: number;
}

async function request<T>(token: string, path: string, method = "GET", body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "network", "Can't reach the server. Check your connection.");
  }
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    throw new ApiError(res.status, parsed?.error?.code ?? `http_${res.status}`, parsed?.error?.message ?? res.statusText);
  }
  return parsed as T;
}

export const getChannels = (token: string) => request<Channels>(token, "/api/v1/channels");

export const putEmail = (token: string, enabled: boolean, mode: "digest" | "each") =>
  request<void>(token, "/api/v1/channels/email", "PUT", { enabled, mode });

/** A left-out token keeps the stored one. */
export const putNtfy = (token: string, enabled: boolean, url: string, ntfyToken?: string, clearToken = false) =>
  request<void>(token, "/api/v1/channels/ntfy", "PUT", { enabled, url, token: ntfyToken || undefined, clear_token: clearToken });

export const sendTest = (token: string, kind: "push" | "email" | "ntfy") =>
  request<TestResult>(token, kind === "push" ? "/api/v1/push/test" : `/api/v1/channels/${kind}/test`, "POST");

export const getDeliveries = async (token: string) => (await request<{ deliveries: Delivery[] }>(token, "/api/v1/deliveries")).deliveries;

/** Mails a code to `address` (null: back to the account's address). */
export const requestAddress = (token: string, address: string | null) =>
  request<void>(token, "/api/v1/channels/email/address", "POST", { address });

export const confirmAddress = (token: string, code: string) =>
  request<void>(token, "/api/v1/channels/email/address/confirm", "POST", { code });
