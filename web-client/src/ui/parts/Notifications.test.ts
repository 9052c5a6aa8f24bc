import { describe, expect, it, vi } from "vitest";
import { withTimeout } from "./Notifications";

describe("withTimeout", () => {
  it("passes a prompt answer through", async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, "slow")).resolves.toBe(7);
  });

  it("says so instead of waiting forever", async () => {
    vi.useFakeTimers();
    const never = new Promise<number>(() => {});
    const raced = withTimeout(never, 20_000, "Enabling push took too long");
    vi.advanceTimersByTime(20_000);
    await expect(raced).rejects.toThrow("Enabling push took too long");
    vi.useRealTimers();
  });

  it("keeps the original error", async () => {
    await expect(withTimeout(Promise.reject(new Error("blocked")), 1000, "slow")).rejects.toThrow("blocked");
  });
});
