// Daily use (issue 16): screens open at the top with focus on their heading and a title,
// one-tap changes on Today can be undone (online and offline), search finds what a person
// types, duplicates merge from their inbox, dark mode follows the system or the switch, and a
// new account is guided through its first steps.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
import { startKith, uniqueEmail } from "./lib/server.mjs";
import { PASSWORD, addPerson, listedNames, nav, openPerson, signUp, syncState, waitSynced } from "./lib/app.mjs";
import { api, changeAsDevice } from "./lib/node-device.mjs";
import { seedBulk, seedDuplicate, seedMemory, seedSearchable, seedShowcase } from "./lib/seed.mjs";

let server;
let browser;
before(async () => {
  server = await startKith();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Signs up in the page, then writes `seed` into the account's document from another device. */
async function signUpWith(page, tag, seed) {
  const email = uniqueEmail(tag);
  await signUp(page, email);
  const session = await api(server.url, "/api/v1/sessions", { method: "POST", json: { email, password: PASSWORD, device_name: "seeder" } });
  let out;
  await changeAsDevice(server.url, session, `seed ${tag}`, (d) => {
    out = seed(d);
  });
  return { email, session, seeded: out };
}

const focusedHeading = (page) => page.evaluate(() => (document.activeElement?.tagName === "H1" ? document.activeElement.textContent : null));

test("a person opened from a scrolled list starts at the top with focus on their name and a page title", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 375, height: 812 });
  try {
    const { email } = await signUpWith(page, "nav", (d) => seedBulk(d, { people: 80, interactions: 40 }));
    const opensAtTop = async (name) => {
      await page.locator("#person-h").waitFor();
      await until(async () => (await focusedHeading(page)) === name, { what: `focus on ${name}'s heading` });
      assert.equal(await page.evaluate(() => window.scrollY), 0);
      const top = await page.locator("#person-h").evaluate((el) => el.getBoundingClientRect().top);
      assert.ok(top >= 0 && top < 812, `the name is on screen (top ${top})`);
      assert.equal(await page.title(), `${name} — Kith`);
    };

    // Today's long overdue list, scrolled to its end: the person opens at the top.
    await page.locator("[data-list=overdue] .row").nth(10).waitFor();
    assert.equal(await page.title(), "Today — Kith");
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    assert.ok((await page.evaluate(() => window.scrollY)) > 500, "Today is scrolled down");
    const lastName = (await page.locator("[data-list] .row-name").last().innerText()).trim();
    // By name, not `.last()` again: the list may have grown in between.
    await page.locator("[data-list] .row-name").getByText(lastName, { exact: true }).first().click();
    await opensAtTop(lastName);

    // The same from the People list scrolled inside its own box.
    await nav(page, "People");
    await until(async () => Number(await page.locator("[data-count]").getAttribute("data-count")) === 80, { what: "80 people listed" });
    assert.equal(await page.title(), "People — Kith");
    await page.locator(".vlist").evaluate((el) => (el.scrollTop = el.scrollHeight));
    // The virtual list renders the rows at its end after the scroll event: wait until its last
    // row stops changing, then click that person by name (a `.last()` locator re-resolved at
    // click time once opened a different person than the name read a moment before).
    let name = "";
    await until(
      async () => {
        const now = (await page.locator(".vlist .prow .row-name").last().innerText()).trim();
        const settled = now === name;
        name = now;
        return settled;
      },
      { interval: 100, what: "the end of the scrolled list to render" },
    );
    await page.locator(".vlist .prow").filter({ has: page.getByText(name, { exact: true }) }).first().click();
    await opensAtTop(name);

    for (const [screen, heading] of [
      ["Today", "Today"],
      ["Import", "Import"],
      ["Export", "Export"],
      ["Settings", "Settings"],
    ]) {
      await nav(page, screen);
      await until(async () => (await focusedHeading(page))?.startsWith(heading), { what: `focus on ${heading}` });
      assert.equal(await page.title(), `${heading} — Kith`);
      assert.equal(await page.evaluate(() => window.scrollY), 0);
    }

    // Logging out on Settings and back in lands on Today, not on the last screen.
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByRole("button", { name: "Log in" }).waitFor();
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("heading", { name: "Today", level: 1 }).waitFor();
    assert.equal(new URL(page.url()).hash, "#/today");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("Undo on Today puts the person back on the overdue list, online and offline, and syncs", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 375, height: 812 });
  try {
    const { session } = await signUpWith(page, "undo", (d) => seedShowcase(d));
    const overdue = page.locator("[data-list=overdue]");
    const rowOf = (name) => overdue.locator(".row", { hasText: name });
    await rowOf("Ada Lovelace").waitFor();
    await waitSynced(page);
    const overdueCount = await overdue.locator(".row").count();

    const tapAndUndo = async (name, action, toast) => {
      await page.getByRole("button", { name: `Log contact with ${name}` }).click();
      await page.getByRole("button", { name: action }).click();
      await until(async () => (await rowOf(name).count()) === 0, { what: `${name} to leave the overdue list` });
      const status = page.getByRole("status").filter({ hasText: toast });
      await status.waitFor();
      await status.getByRole("button", { name: "Undo" }).click();
      await rowOf(name).waitFor();
      await page.getByRole("status").filter({ hasText: `Undone: ${toast}` }).waitFor();
    };

    await tapAndUndo("Ada Lovelace", "Called Ada Lovelace", "Logged a call with Ada Lovelace");
    await tapAndUndo("Ada Lovelace", "Snooze Ada Lovelace for a week", "Snoozed Ada Lovelace");

    await context.setOffline(true);
    await until(async () => (await syncState(page)) === "offline", { what: "offline" });
    await tapAndUndo("Grace Hopper", "Messaged Grace Hopper", "Logged a message to Grace Hopper");
    assert.equal(await overdue.locator(".row").count(), overdueCount);

    // Back online, the changes and their undos reach the server as edits: in the end it
    // holds the seeded interactions only (the call and the message were deleted again) and
    // nobody is snoozed.
    await context.setOffline(false);
    await waitSynced(page, 20_000);
    await until(
      async () => {
        const e = await api(server.url, "/api/v1/export.json", { token: session.token });
        const snoozed = Object.values(e.contacts).filter((c) => c.snoozedUntil);
        return Object.keys(e.interactions).length === 18 && snoozed.length === 0;
      },
      { timeout: 15_000, what: "the server to hold the seeded 18 interactions and no snooze" },
    );
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("search finds accents, phone digits, interaction notes, addresses, company and #tag", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 1280, height: 800 });
  try {
    await signUpWith(page, "search", (d) => seedSearchable(d));
    await nav(page, "People");
    await until(async () => (await listedNames(page)).length === 4, { what: "four people" });
    const box = page.getByRole("searchbox", { name: "Search people" });
    const cases = [
      ["jurgen", ["Jürgen Müller"]],
      ["MULLER", ["Jürgen Müller"]],
      ["strassenbahn", ["Jürgen Müller"]],
      ["617", ["Pat Boston"]],
      ["(617) 555-01", ["Pat Boston"]],
      ["sailing", ["Zoë Ørsted"]],
      ["zoe orsted", ["Zoë Ørsted"]],
      ["besancon", ["Ann Street"]],
      ["harbour", ["Pat Boston"]],
      ["#book", ["Jürgen Müller"]],
      ["#climbing", ["Ann Street"]],
      ["#street", []],
    ];
    for (const [q, want] of cases) {
      await box.fill(q);
      await until(async () => JSON.stringify((await listedNames(page)).sort()) === JSON.stringify(want), { what: `"${q}" → ${want.join(", ") || "nobody"}` });
    }
    await box.fill("");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("the duplicates inbox lists a pair, shows both side by side and merges into the older", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 1280, height: 800 });
  try {
    const { seeded } = await signUpWith(page, "dups", (d) => seedDuplicate(d));
    await nav(page, "People");
    await page.getByRole("link", { name: "1 possible duplicate" }).click();
    await page.getByRole("heading", { name: "Possible duplicates", level: 1 }).waitFor();
    const item = page.locator(`[data-dup="${seeded.older}:${seeded.newer}"]`);
    assert.match(await item.innerText(), /Same email/);
    await item.getByRole("link", { name: /Review/ }).click();
    await page.getByRole("heading", { name: "Merge duplicates", level: 1 }).waitFor();
    const stays = page.getByRole("region", { name: "Stays: Anna Schmidt" });
    const goes = page.getByRole("region", { name: "Merged into the other: Anna Schmidt-Berg" });
    assert.match(await stays.innerText(), /1 interaction, 0 notes/);
    assert.match(await goes.innerText(), /0 interactions, 1 note\b/);
    await page.getByRole("button", { name: "Merge into Anna Schmidt" }).click();
    await page.getByText("No likely duplicates.").waitFor();

    // One Anna is left, with the call and the note of both records.
    await nav(page, "People");
    await until(async () => JSON.stringify(await listedNames(page)) === JSON.stringify(["Anna Schmidt"]), { what: "one Anna" });
    await page.goto(`/#/people/${seeded.newer}`);
    await page.getByRole("heading", { name: "Anna Schmidt", level: 1 }).waitFor();
    await page.getByText("Moved to Hamburg").or(page.locator("textarea").filter({ hasText: "Moved to Hamburg" })).first().waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

// Taps the visible segment, as a user does; the radio inside is visually hidden. A forced
// click on the hidden radio once landed beside it in CI: the Settings panels above it
// (notifications, phone apps) grow when their data arrives, moving it between the moment the
// point is computed and the click. A user whose tap missed taps again; so does this.
async function chooseTheme(page, name) {
  const segment = page.locator("label.seg", { hasText: new RegExp(`^${name}$`) });
  const radio = page.getByRole("radio", { name });
  await until(
    async () => {
      if (!(await radio.isChecked())) await segment.click();
      return radio.isChecked();
    },
    { what: `theme ${name} chosen` },
  );
}

test("dark mode follows the system, and the Settings switch overrides it on this device", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 375, height: 812 });
  try {
    const bg = () => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.emulateMedia({ colorScheme: "dark" });
    await signUp(page, uniqueEmail("dark"));
    assert.equal(await bg(), "rgb(17, 22, 20)");
    await nav(page, "Settings");
    await chooseTheme(page, "Light");
    assert.equal(await bg(), "rgb(246, 245, 241)");
    await page.reload();
    await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
    assert.equal(await bg(), "rgb(246, 245, 241)", "the choice survives a reload");
    await page.emulateMedia({ colorScheme: "light" });
    await chooseTheme(page, "Dark");
    assert.equal(await bg(), "rgb(17, 22, 20)");
    await chooseTheme(page, "System");
    assert.equal(await bg(), "rgb(246, 245, 241)");
    await page.emulateMedia({ colorScheme: "dark" });
    assert.equal(await bg(), "rgb(17, 22, 20)");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("a new account is guided: people in, a cadence, reminders — instead of an empty Today", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 375, height: 812 });
  try {
    await signUp(page, uniqueEmail("firstrun"));
    const guide = page.locator(".first-run");
    await guide.and(page.locator("[data-step='1']")).waitFor();
    await guide.getByRole("link", { name: "Import contacts" }).waitFor();
    assert.equal(await page.getByText("Nobody needs you today.").count(), 0);

    await addPerson(page, "Frieda First");
    await nav(page, "Today");
    await guide.and(page.locator("[data-step='2']")).waitFor();
    await guide.getByRole("button", { name: "Keep in touch with Frieda First every month" }).click();
    await guide.and(page.locator("[data-step='3']")).waitFor();
    await guide.getByRole("link", { name: "Turn on reminders" }).waitFor();

    await guide.getByRole("button", { name: "Skip the introduction" }).click();
    await page.getByText("Nobody needs you today.").waitFor();
    await page.reload();
    await page.getByRole("heading", { name: "Today", level: 1 }).waitFor();
    await page.getByText("Nobody needs you today.").waitFor();
    assert.equal(await guide.count(), 0, "the guide stays dismissed on this device");
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test("removing a follow-up, a date, a link or a relationship offers Undo, and Undo brings it back", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 375, height: 812 });
  try {
    const { session, seeded } = await signUpWith(page, "undo-memory", (d) => seedMemory(d));
    await openPerson(page, seeded.ada);
    await page.getByRole("button", { name: "Edit details" }).click();
    const removeAndUndo = async (button, toast, shown) => {
      await shown.waitFor();
      await page.getByRole("button", { name: button }).click();
      await until(async () => (await shown.count()) === 0, { what: `${button} to take it away` });
      const status = page.getByRole("status").filter({ hasText: toast });
      await status.getByRole("button", { name: "Undo" }).click();
      await shown.waitFor();
    };
    await removeAndUndo("Delete follow-up call about the trip", "Deleted the follow-up", page.locator("[data-section=follow-ups]").getByText("call about the trip"));
    await removeAndUndo("Remove Wedding anniversary", "Removed Wedding anniversary", page.locator("[data-section=dates]").getByText("Wedding anniversary"));
    await removeAndUndo("Remove link https://example.org/ada", "Removed link", page.getByText("https://example.org/ada", { exact: true }));
    await removeAndUndo("Remove relationship with Bob Friend", "Removed the relationship", page.locator("[data-section=relationships]").getByText("Bob Friend"));

    // What came back is what was there, under the same ids, on the server too.
    await waitSynced(page, 20_000);
    await until(
      async () => {
        const e = await api(server.url, "/api/v1/export.json", { token: session.token });
        const ada = e.contacts[seeded.ada];
        const fu = e.followUps?.[seeded.followUp];
        const rel = e.relationships?.[seeded.relationship];
        return ada?.dates?.[seeded.date]?.month === 6 && ada?.urls?.[seeded.link]?.value === "https://example.org/ada" && fu?.note === "call about the trip" && rel?.kind === "friend";
      },
      { timeout: 15_000, what: "the server to hold the four records again" },
    );
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
