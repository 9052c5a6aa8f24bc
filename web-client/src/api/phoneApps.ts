/** Phones' own apps (issue 15): app passwords for CardDAV and the secret calendar-feed URL. */
import { json } from "./client";

export interface AppPassword {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

export interface NewAppPassword {
  id: string;
  name: string;
  /** Shown once; the server keeps only a hash. */
  password: string;
}

export interface CalendarFeed {
  enabled: boolean;
  /** Relative to the server's origin; only in the answer that created it. */
  url: string | null;
  created_at: string | null;
}

/** The server answers `{app_passwords: [...]}`; a bare list (the first sketch of the contract) is read too. */
export async function listAppPasswords(token: string): Promise<AppPassword[]> {
  const body = await json<AppPassword[] | { app_passwords?: AppPassword[] }>("/api/v1/app-passwords", { token });
  return Array.isArray(body) ? body : (body?.app_passwords ?? []);
}
export const createAppPassword = (token: string, name: string) =>
  json<NewAppPassword>("/api/v1/app-passwords", { token, method: "POST", json: { name } });
export const revokeAppPassword = (token: string, id: string) =>
  json<void>(`/api/v1/app-passwords/${encodeURIComponent(id)}`, { token, method: "DELETE" });

export const calendarFeed = (token: string) => json<CalendarFeed>("/api/v1/calendar-feed", { token });
export const createCalendarFeed = (token: string) => json<CalendarFeed>("/api/v1/calendar-feed", { token, method: "POST" });
export const deleteCalendarFeed = (token: string) => json<void>("/api/v1/calendar-feed", { token, method: "DELETE" });
