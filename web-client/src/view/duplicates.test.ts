import { describe, expect, it } from "vitest";
import * as A from "@automerge/automerge";
import { hydrate, ops, type ContactId, type RawDoc } from "../doc";
import { findDuplicates } from "./duplicates";
import { readableDeviceName } from "./deviceName";
import { href, pageTitle, parseRoute } from "../ui/router";

const t = (d: number) => new Date(Date.UTC(2026, 0, d));

describe("duplicates inbox", () => {
  it("suggests each group as merges into its oldest member, with the reasons", () => {
    const ids: Record<string, ContactId> = {};
    let doc = A.change(A.init<RawDoc>(), (d) => {
      ids.anna = ops.createContact(d, { display: "Anna Schmidt" }, t(1));
      ids.anna2 = ops.createContact(d, { display: "anna  schmidt" }, t(3));
      ids.as = ops.createContact(d, { display: "A. Schmidt" }, t(2));
      ids.bob = ops.createContact(d, { display: "Bob" }, t(4));
      ids.robert = ops.createContact(d, { display: "Robert" }, t(5));
      ops.addEntry(d, ids.anna, "emails", "", "Anna@Example.org");
      ops.addEntry(d, ids.as, "emails", "", " anna@example.ORG ");
      ops.addEntry(d, ids.bob, "phones", "", "+1 (617) 555-0100");
      ops.addEntry(d, ids.robert, "phones", "", "617.555.0100");
    });
    const found = () => findDuplicates(hydrate(doc)).map((s) => [s.keep.name.display, s.drop.name.display, s.reasons]);
    expect(found()).toEqual([
      ["Anna Schmidt", "A. Schmidt", ["email"]],
      ["Anna Schmidt", "anna  schmidt", ["name"]],
      ["Bob", "Robert", ["phone"]],
    ]);
    // Merged or archived people leave the inbox.
    doc = A.change(doc, (d) => {
      ops.mergeContacts(d, ids.anna, ids.as);
      ops.setArchived(d, ids.robert, true);
    });
    expect(found()).toEqual([["Anna Schmidt", "anna  schmidt", ["name"]]]);
  });
});

describe("device names", () => {
  it("turns a stored User-Agent into words and leaves chosen names alone", () => {
    expect(readableDeviceName("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36")).toBe(
      "Chrome on Android",
    );
    expect(readableDeviceName("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")).toBe(
      "Safari on iPhone",
    );
    expect(readableDeviceName("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe("Firefox on Windows");
    expect(readableDeviceName("Anna's phone")).toBe("Anna's phone");
    expect(readableDeviceName("")).toBe("Unnamed device");
  });
});

describe("routes", () => {
  it("round-trip and name the page", () => {
    for (const h of ["#/today", "#/people", "#/people/abc", "#/duplicates", "#/duplicates/a/b", "#/settings"]) expect(href(parseRoute(h))).toBe(h);
    expect(pageTitle(parseRoute("#/people/abc"), "Anna Schmidt")).toBe("Anna Schmidt — Kith");
    expect(pageTitle(parseRoute(""))).toBe("Today — Kith");
  });
});
