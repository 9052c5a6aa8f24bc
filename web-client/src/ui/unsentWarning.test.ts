import { describe, expect, it } from "vitest";
import { unsentWarning } from "./unsentWarning";

describe("asking before logging out deletes unsent changes", () => {
  const synced = { allSent: true, queued: 0, applying: false, state: "synced" as const };

  it("says nothing when the server has everything", () => {
    expect(unsentWarning(synced)).toBeNull();
  });

  it("names what would be lost: offline edits, edits in flight, queued edits", () => {
    expect(unsentWarning({ ...synced, allSent: false, state: "offline" })).toMatch(/offline.*deletes them/);
    expect(unsentWarning({ ...synced, allSent: false, state: "syncing" })).toMatch(/still being sent/);
    expect(unsentWarning({ ...synced, applying: true })).toMatch(/still being sent/);
    expect(unsentWarning({ ...synced, queued: 3 })).toMatch(/^3 changes made while your data was loading haven't/);
    expect(unsentWarning({ ...synced, queued: 1 })).toMatch(/^1 change made .* hasn't/);
  });
});
