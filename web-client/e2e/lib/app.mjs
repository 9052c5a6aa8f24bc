// Page-level steps shared by the browser tests, written the way a user would act.
import { until } from "./browser.mjs";

export const PASSWORD = "correct horse battery staple";

export async function signUp(page, email) {
  await page.goto("/");
  await page.getByRole("tab", { name: "Sign up" }).click();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Today" }).waitFor();
}

export async function logIn(page, email, device = "second device") {
  await page.goto("/");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Device name").fill(device);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.getByRole("heading", { name: "Today" }).waitFor();
}

export function nav(page, name) {
  return page.getByRole("navigation", { name: "Main" }).getByRole("link", { name, exact: true }).click();
}

export async function syncState(page) {
  return page.locator("[data-sync]").getAttribute("data-sync");
}

export async function waitSynced(page, timeout = 10_000) {
  await until(async () => (await syncState(page)) === "synced", { timeout, what: "sync state 'synced'" });
}

/** Adds a person from the People screen and returns its id (from the URL). */
export async function addPerson(page, name) {
  await nav(page, "People");
  await page.getByRole("button", { name: "Add person" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  return decodeURIComponent(page.url().split("#/people/")[1]);
}

export async function openPerson(page, id) {
  await page.goto(`/#/people/${encodeURIComponent(id)}`);
  await page.locator("#person-h").waitFor();
}

/** Types into a labelled text field and commits it (fields commit on Enter/blur). */
export async function setField(page, label, value) {
  const field = page.getByLabel(label, { exact: true });
  await field.fill(value);
  await field.press("Enter");
}

/** The names listed on the People screen (visible rows of the virtual list). */
export async function listedNames(page) {
  return page.locator(".vlist .row-name").allInnerTexts();
}
