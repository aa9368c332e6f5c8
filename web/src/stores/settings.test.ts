import { describe, expect, it } from "vitest";
import type { NewToken, Scope, SessionInfo, TokenInfo } from "../lib/accounts";
import { ApiError } from "../lib/http";
import { AccountSettings, sortSessions } from "./settings.svelte";

const session = (id: string, current: boolean, seen: string): SessionInfo => ({
  id,
  current,
  created_at: "2026-01-01T00:00:00Z",
  last_seen_at: seen,
  expires_at: "2026-04-01T00:00:00Z",
  user_agent: "curl/8",
  address: "127.0.0.1",
});

class FakeApi {
  sessions = [session("s1", false, "2026-01-02T00:00:00Z"), session("s2", true, "2026-01-01T00:00:00Z")];
  tokens: TokenInfo[] = [];
  made = 0;

  changePassword = async (current: string) => {
    if (current !== "old") throw new ApiError(403, "The current password is wrong.");
    this.sessions = this.sessions.filter((s) => s.current);
  };
  listSessions = async () => this.sessions;
  endSession = async (id: string) => void (this.sessions = this.sessions.filter((s) => s.id !== id));
  listTokens = async () => this.tokens;
  createToken = async (name: string, scopes: Scope[], days: number | null): Promise<NewToken> => {
    const row: TokenInfo = {
      id: `t${++this.made}`,
      name,
      scopes,
      created_at: "2026-01-01T00:00:00Z",
      last_used_at: null,
      expires_at: days ? "2026-02-01T00:00:00Z" : null,
    };
    this.tokens = [row, ...this.tokens];
    return { ...row, token: `tnrm_secret${this.made}` };
  };
  revokeToken = async (id: string) => void (this.tokens = this.tokens.filter((t) => t.id !== id));
}

describe("AccountSettings", () => {
  it("lists this session first", async () => {
    const settings = new AccountSettings(new FakeApi());
    await settings.load();
    expect(settings.sessions.map((s) => s.id)).toEqual(["s2", "s1"]);
    expect(settings.loaded).toBe(true);
  });

  it("holds a new token's secret until dismissed; the list never has it", async () => {
    const settings = new AccountSettings(new FakeApi());
    await settings.load();
    await settings.createToken("phone", ["read"], 30);
    expect(settings.created?.token).toBe("tnrm_secret1");
    expect(settings.tokens.map((t) => t.name)).toEqual(["phone"]);
    expect(JSON.stringify(settings.tokens)).not.toContain("tnrm_");
    settings.dismissCreated();
    expect(settings.created).toBeNull();
  });

  it("revokes a token, and forgets its secret if still shown", async () => {
    const settings = new AccountSettings(new FakeApi());
    const made = await settings.createToken("ci", ["read", "upload"], null);
    await settings.revokeToken(made.id);
    expect(settings.tokens).toEqual([]);
    expect(settings.created).toBeNull();
  });

  it("ends a session, and after a password change only this one is left", async () => {
    const api = new FakeApi();
    api.sessions.push(session("s3", false, "2026-01-03T00:00:00Z"));
    const settings = new AccountSettings(api);
    await settings.load();
    await settings.endSession("s3");
    expect(settings.sessions.map((s) => s.id)).toEqual(["s2", "s1"]);
    await expect(settings.changePassword("wrong", "new password")).rejects.toThrow(/current password/);
    expect(settings.sessions).toHaveLength(2);
    await settings.changePassword("old", "new password");
    expect(settings.sessions.map((s) => s.id)).toEqual(["s2"]);
  });

  it("says why the lists could not be loaded", async () => {
    const api = new FakeApi();
    api.listTokens = async () => {
      throw new ApiError(0, "Could not reach the server.");
    };
    const settings = new AccountSettings(api);
    await settings.load();
    expect(settings).toMatchObject({ loaded: true, error: "Could not reach the server." });
  });

  it("orders sessions: this one, then the most recently seen", () => {
    const sorted = sortSessions([
      session("old", false, "2026-01-01T00:00:00Z"),
      session("new", false, "2026-01-05T00:00:00Z"),
      session("here", true, "2026-01-02T00:00:00Z"),
    ]);
    expect(sorted.map((s) => s.id)).toEqual(["here", "new", "old"]);
  });
});
