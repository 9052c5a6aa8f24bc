import { describe, expect, it } from "vitest";
import { base64UrlToBytes } from "./push";

describe("VAPID key decoding", () => {
  it("decodes unpadded base64url into the raw key bytes", () => {
    const raw = Uint8Array.from({ length: 65 }, (_, i) => (i * 37 + 4) & 0xff);
    const b64url = btoa(String.fromCharCode(...raw)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    expect(b64url).not.toContain("=");
    expect([...base64UrlToBytes(b64url)]).toEqual([...raw]);
    expect([...base64UrlToBytes("-_8")]).toEqual([0xfb, 0xff]);
  });
});
