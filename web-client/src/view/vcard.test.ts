import { describe, expect, it } from "vitest";
import { importContentType, pickedToVcard } from "./vcard";

describe("contact picker to vCard", () => {
  it("writes one escaped card per picked contact and skips empty ones", () => {
    const v = pickedToVcard([{ name: ["Smith, Jane; PhD"], email: ["jane@example.org"], tel: ["+1 555 0100", ""] }, { name: [""], email: [], tel: [] }]);
    expect(v).toBe("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Smith\\, Jane\\; PhD\r\nEMAIL:jane@example.org\r\nTEL:+1 555 0100\r\nEND:VCARD\r\n");
    expect(pickedToVcard([])).toBe("");
  });

  it("names a nameless contact after its first address", () => {
    expect(pickedToVcard([{ tel: ["123"] }])).toContain("FN:123");
  });

  it("maps files to content types", () => {
    expect(importContentType("Contacts.VCF", "")).toBe("text/vcard");
    expect(importContentType("google.csv", "application/octet-stream")).toBe("text/csv");
    expect(importContentType("photo.png", "image/png")).toBeNull();
  });
});
