import { describe, expect, it } from "vitest";
import type { AppPasswordInfo, NewAppPassword } from "../lib/accounts";
import { ApiError } from "../lib/http";
import { AppPassword } from "./apppassword.svelte";

class FakeApi {
  row: AppPasswordInfo = { exists: false, created_at: null, last_used_at: null };
  made = 0;

  getAppPassword = async () => this.row;
  createAppPassword = async (): Promise<NewAppPassword> => {
    this.made += 1;
    this.row = { exists: true, created_at: `2026-01-0${this.made}T00:00:00Z`, last_used_at: null };
    return { ...this.row, password: `abcdef-ghjkmn-pqrstu-vwxyz${this.made}` };
  };
  revokeAppPassword = async () => {
    this.row = { exists: false, created_at: null, last_used_at: null };
  };
}

describe("AppPassword", () => {
  it("loads whether one exists", async () => {
    const api = new FakeApi();
    api.row = { exists: true, created_at: "2026-01-01T00:00:00Z", last_used_at: "2026-01-02T00:00:00Z" };
    const store = new AppPassword(api);
    expect(store.loaded).toBe(false);
    await store.load();
    expect(store).toMatchObject({ loaded: true, error: null });
    expect(store.status.last_used_at).toBe("2026-01-02T00:00:00Z");
  });

  it("holds a new password until dismissed; the status never has it", async () => {
    const store = new AppPassword(new FakeApi());
    await store.load();
    const password = await store.create();
    expect(store.created).toBe(password);
    expect(store.status).toEqual({ exists: true, created_at: "2026-01-01T00:00:00Z", last_used_at: null });
    expect(JSON.stringify(store.status)).not.toContain(password);
    store.dismissCreated();
    expect(store.created).toBeNull();
  });

  it("replaces the password: the new one is shown, the date is the new one's", async () => {
    const store = new AppPassword(new FakeApi());
    const first = await store.create();
    const second = await store.create();
    expect(second).not.toBe(first);
    expect(store.created).toBe(second);
    expect(store.status.created_at).toBe("2026-01-02T00:00:00Z");
  });

  it("revokes it, and forgets the password if still shown", async () => {
    const store = new AppPassword(new FakeApi());
    await store.create();
    await store.revoke();
    expect(store.status.exists).toBe(false);
    expect(store.created).toBeNull();
  });

  it("says why the status could not be loaded", async () => {
    const api = new FakeApi();
    api.getAppPassword = async () => {
      throw new ApiError(0, "Could not reach the server.");
    };
    const store = new AppPassword(api);
    await store.load();
    expect(store).toMatchObject({ loaded: true, error: "Could not reach the server." });
  });
});
