// The person page as a user meets it: read first, then follow-ups, relationships, a group
// interaction, quick links and a birthday that keeps every part. Real Chromium, real kith serve.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { launch, device, until } from "./lib/browser.mjs";
import { uniqueEmail } from "./lib/server.mjs";
import { addPerson, nav, openPerson, signUp, waitSynced } from "./lib/app.mjs";
import { countShownNotifications, notificationsAfter, serviceWorkerRegistration, startKithWithShownSignal } from "./lib/push.mjs";

let server;
let browser;
before(async () => {
  server = await startKithWithShownSignal();
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

function localDate(d) {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 10);
}

async function withDevice(width, fn) {
  const d = await device(browser, server.url, { width, height: 900 });
  try {
    await fn(d.page);
    assert.deepEqual(d.errors, []);
  } finally {
    await d.context.close();
  }
}

test("a follow-up due in the past shows on Today; Done takes it off", async () => {
  await withDevice(375, async (page) => {
    await signUp(page, uniqueEmail("followup"));
    await addPerson(page, "Fiona Follow");
    await page.getByRole("button", { name: "+ Remind me…" }).click();
    await page.getByLabel("Remind me to…").fill("ask how the surgery went");
    await page.getByLabel("On", { exact: true }).fill(localDate(new Date(Date.now() - 2 * 86_400_000)));
    await page.getByRole("button", { name: "Add follow-up" }).click();
    await page.locator("[data-section=follow-ups] li", { hasText: "ask how the surgery went" }).waitFor();

    await nav(page, "Today");
    const row = page.locator("[data-list=follow-ups] .row", { hasText: "ask how the surgery went" });
    await row.waitFor();
    assert.match(await row.innerText(), /Fiona Follow/);
    await row.getByRole("button", { name: /^Done/ }).click();
    await until(async () => (await page.locator("[data-list=follow-ups]").count()) === 0, { what: "the done follow-up to leave Today" });

    // Still on the person's page, as done.
    await page.getByRole("link", { name: "People", exact: true }).first().click();
    await page.locator(".vlist .row-name", { hasText: "Fiona Follow" }).click();
    await page.locator("[data-section=follow-ups] summary", { hasText: "Done (1)" }).waitFor();
  });
});

test("relate two people, then move between them; the other side reads the reciprocal", async () => {
  await withDevice(1280, async (page) => {
    await signUp(page, uniqueEmail("relate"));
    const anna = await addPerson(page, "Anna Parent");
    await addPerson(page, "Leo Child");
    await page.getByRole("button", { name: "+ Add relationship" }).click();
    await page.getByRole("searchbox", { name: "Who" }).fill("anna");
    await page.getByRole("button", { name: "Anna Parent" }).click();
    await page.getByLabel("is Leo Child's").selectOption("parent");
    await page.getByRole("button", { name: "Add relationship" }).click();

    const toAnna = page.locator("[data-section=relationships] li", { hasText: "Anna Parent" });
    await toAnna.waitFor();
    assert.match(await toAnna.innerText(), /Parent/);
    await toAnna.getByRole("link", { name: "Anna Parent" }).click();
    await page.getByRole("heading", { name: "Anna Parent", level: 1 }).waitFor();
    assert.ok(page.url().includes(encodeURIComponent(anna)));
    const toLeo = page.locator("[data-section=relationships] li", { hasText: "Leo Child" });
    await toLeo.waitFor();
    assert.match(await toLeo.innerText(), /Child/);
    await toLeo.getByRole("link", { name: "Leo Child" }).click();
    await page.getByRole("heading", { name: "Leo Child", level: 1 }).waitFor();
  });
});

test("one interaction logged with three people shows on all three timelines, and can be edited", async () => {
  await withDevice(1280, async (page) => {
    await signUp(page, uniqueEmail("group"));
    const ids = [];
    for (const name of ["Cara Group", "Dan Group"]) ids.push(await addPerson(page, name));
    ids.push(await addPerson(page, "Eve Group"));
    const withBox = page.getByRole("searchbox", { name: "With" });
    for (const name of ["Cara Group", "Dan Group"]) {
      await withBox.fill(name.split(" ")[0]);
      await page.getByRole("button", { name, exact: true }).click();
    }
    await page.getByLabel("Note", { exact: true }).fill("Dinner at Luigi's");
    await page.getByRole("button", { name: "Log", exact: true }).click();
    for (const id of ids) {
      await openPerson(page, id);
      const item = page.locator(".timeline li", { hasText: "Dinner at Luigi's" });
      await item.waitFor();
      // The other two are named (and linked) on each timeline.
      assert.equal(await item.locator(".with a").count(), 2);
    }
    // Edit it from Eve's page: a note fix shows everywhere.
    await page.locator(".timeline li", { hasText: "Dinner at Luigi's" }).getByRole("button", { name: /^Edit / }).click();
    await page.locator(".timeline").getByLabel("Note", { exact: true }).fill("Dinner at Luigi's, Cara's birthday");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await openPerson(page, ids[0]);
    await page.locator(".timeline li", { hasText: "Cara's birthday" }).waitFor();
  });
});

test("the read view calls, texts and writes with tel:/sms:/mailto: links and offers to log it", async () => {
  await withDevice(375, async (page) => {
    await signUp(page, uniqueEmail("read"));
    await addPerson(page, "Rita Read");
    await page.getByRole("button", { name: "Edit details" }).click();
    await page.getByRole("button", { name: "+ Add phone" }).click();
    await page.getByLabel("New phone", { exact: true }).fill("+1 (617) 555-0100");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("button", { name: "+ Add email" }).click();
    await page.getByLabel("New email", { exact: true }).fill("rita at example");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "doesn't look like an email" }).waitFor();
    await page.getByLabel("New email", { exact: true }).fill("rita@example.org");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("button", { name: "+ Add link" }).click();
    await page.getByLabel("New link label", { exact: true }).fill("Website");
    await page.getByLabel("New link", { exact: true }).fill("rita.example.org");
    await page.getByRole("button", { name: "Add", exact: true }).click();
    await page.getByRole("button", { name: "Done editing" }).click();

    const details = page.locator("[data-section=details]");
    await details.locator('a[href="tel:+16175550100"]').waitFor();
    assert.equal(await details.locator('a[href="sms:+16175550100"]').count(), 1);
    assert.equal(await details.locator('a[href="mailto:rita@example.org"]').count(), 1);
    const site = details.locator('a[href="https://rita.example.org"]');
    assert.equal(await site.getAttribute("target"), "_blank");
    assert.match(await site.getAttribute("rel"), /noopener/);
    // No input boxes in the read view.
    assert.equal(await details.locator("input").count(), 0);

    // Writing from the quick link offers to log the email (the mail app itself is not opened here).
    await page.evaluate(() =>
      window.addEventListener("click", (e) => e.target.closest?.('a[href^="mailto:"], a[href^="tel:"], a[href^="sms:"]') && e.preventDefault(), true),
    );
    await page.locator(".reach-links").getByRole("link", { name: "Email" }).click();
    await page.getByRole("button", { name: "Log email" }).click();
    await page.locator(".timeline li", { hasText: "Email" }).waitFor();
  });
});

test("birthday input keeps the year and day, and says what is wrong instead of dropping it", async () => {
  await withDevice(375, async (page) => {
    await signUp(page, uniqueEmail("bday"));
    const id = await addPerson(page, "Bea Birthday");
    await page.getByRole("button", { name: "Edit details" }).click();
    await page.getByLabel("Birthday month").selectOption("2");
    await page.getByLabel("Birthday day").selectOption("30");
    await page.getByRole("button", { name: "Save birthday" }).click();
    await page.getByRole("alert").filter({ hasText: "February has no day 30" }).waitFor();
    await page.getByLabel("Birthday month").selectOption("3");
    await page.getByLabel("Birthday day").selectOption("7");
    await page.getByLabel("Birthday year (optional)").fill("19");
    await page.getByRole("button", { name: "Save birthday" }).click();
    await page.getByRole("alert").filter({ hasText: "four digits" }).waitFor();
    await page.getByLabel("Birthday year (optional)").fill("1990");
    await page.getByRole("button", { name: "Save birthday" }).click();
    await page.getByRole("status").filter({ hasText: "Saved" }).waitFor();

    // Hand-typed tags join the same spelling.
    await page.getByLabel("New tag").fill("#Book Club");
    await page.getByLabel("New tag").press("Enter");
    await page.getByLabel("New tag").fill("book  club");
    await page.getByLabel("New tag").press("Enter");
    await page.getByRole("button", { name: "Done editing" }).click();
    // Every edit made: the server has this device's heads, so the view is the final one.
    await waitSynced(page);
    const tags = () => page.locator(".read-item .tag").allInnerTexts();
    assert.deepEqual(await tags(), ["#Book Club"]);

    // After a reload the page may draw its start-up snapshot first, and the document may
    // still be catching up from the server: wait for the birthday and the tag, don't sample.
    await page.reload();
    await openPerson(page, id);
    const birthday = page.locator(".read-item", { hasText: "Birthday" });
    await until(async () => /1990/.test(await birthday.innerText()) && (await tags()).length > 0, { what: "the birthday and the tag after a reload" });
    const text = await birthday.innerText();
    assert.match(text, /\b7\b/);
    assert.match(text, /March/);
    assert.deepEqual(await tags(), ["#Book Club"]);

    // An empty new note is not kept.
    await page.getByRole("button", { name: "+ Add note" }).click();
    await page.locator("#person-h").click();
    await page.getByText("No notes yet.").waitFor();
  });
});

test("a follow-up's notification: Snooze and Done act on the follow-up, a plain tap opens the person", async () => {
  const { context, page, errors } = await device(browser, server.url, { width: 1280, height: 900 });
  try {
    await context.grantPermissions(["notifications"], { origin: server.url });
    await countShownNotifications(context);
    await signUp(page, uniqueEmail("funotify"));
    const contact = await addPerson(page, "Nina Notify");
    await page.getByRole("button", { name: "+ Remind me…" }).click();
    await page.getByLabel("Remind me to…").fill("return the book");
    await page.getByLabel("On", { exact: true }).fill(localDate(new Date(Date.now() - 86_400_000)));
    await page.getByRole("button", { name: "Add follow-up" }).click();
    const item = page.locator("[data-section=follow-ups] li[data-follow-up]", { hasText: "return the book" });
    await item.waitFor();
    const followUp = await item.getAttribute("data-follow-up");
    assert.match(await item.getAttribute("class"), /fu-due/);

    // The reminders crate's follow-up payload (payload.rs), delivered as a real push.
    const { push } = await serviceWorkerRegistration(context, page);
    const payload = {
      title: "Follow up with Nina Notify",
      body: "return the book",
      url: `/contacts/${contact}`,
      tag: "fu-topic",
      actions: [
        { action: "done", title: "Done" },
        { action: "snooze", title: "Snooze 1 day" },
      ],
      contact_ids: [contact],
      follow_up_id: followUp,
    };
    await push(server.url, payload);
    const [{ data }] = await notificationsAfter(page, 1);
    assert.deepEqual(data, { url: `/#/people/${contact}`, contactIds: [contact], followUpId: followUp });
    const [sw] = context.serviceWorkers();
    const click = (action) => sw.evaluate(([a, d]) => self.kithNotificationClicked(a, d), [action, data]);

    // Snooze 1 day: due tomorrow, so no longer due.
    await click("snooze");
    await until(async () => !/fu-due/.test((await item.getAttribute("class")) ?? ""), { what: "the snoozed follow-up to stop being due" });
    // Done: it moves to the done list.
    await click("done");
    await page.locator("[data-section=follow-ups] summary", { hasText: "Done (1)" }).waitFor();
    // A tap without a button opens the person.
    await page.goto("/#/today");
    await page.getByRole("heading", { name: "Today" }).waitFor();
    await click("");
    await page.getByRole("heading", { name: "Nina Notify", level: 1 }).waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
