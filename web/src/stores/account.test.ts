import { describe, expect, it } from "vitest";
import type { Me, ServerState } from "../lib/accounts";
import { ApiError } from "../lib/http";
import { Account, SESSION_ENDED } from "./account.svelte";

const person = (id: string, csrf: string): Me => ({
  id,
  username: id,
  role: "member",
  via: "session",
  scopes: ["read", "upload", "library"],
  quota_bytes: null,
  used_bytes: 0,
  csrf_token: csrf,
});

/** The server as the account store sees it. */
class FakeApi {
  state: ServerState = { needs_setup: false, open_registration: false, anonymous_listening: false };
  me: Me | null = null;
  down = false;
  calls: string[] = [];

  getServerState = async () => {
    if (this.down) throw new ApiError(0, "Could not reach the server.");
    return this.state;
  };
  getMe = async () => this.me;
  setup = async (username: string) => {
    if (!this.state.needs_setup) throw new ApiError(409, "This server is already set up; sign in instead.");
    return (this.me = { ...person(username, "c-setup"), role: "admin" });
  };
  signIn = async (username: string, password: string) => {
    if (password !== "right") throw new ApiError(401, "Wrong username or password.");
    return (this.me = person(username, "c-signin"));
  };
  register = async (username: string, _password: string, invite: string | null) => {
    this.calls.push(`register ${username} ${invite}`);
    return (this.me = person(username, "c-register"));
  };
  signOut = async () => {
    this.calls.push("sign out");
    this.me = null;
  };
  endAllSessions = async () => {
    this.calls.push("end all");
    this.me = null;
  };
}

function setup() {
  const api = new FakeApi();
  const tokens: (string | null)[] = [];
  const account = new Account(api, (token) => tokens.push(token));
  return { api, tokens, account };
}

describe("Account", () => {
  it("starts signed in when the session cookie still works, and hands on its CSRF token", async () => {
    const { api, tokens, account } = setup();
    api.me = person("ann", "c-1");
    await account.start();
    expect(account).toMatchObject({ loaded: true, signedIn: true, needsSetup: false, error: null });
    expect(tokens).toEqual(["c-1"]);
  });

  it("offers first-run setup on an empty server, and signs the new admin in", async () => {
    const { api, tokens, account } = setup();
    api.state = { ...api.state, needs_setup: true };
    await account.start();
    expect(account.needsSetup).toBe(true);
    await account.setup("root", "a long password");
    expect(account).toMatchObject({ needsSetup: false, isAdmin: true });
    expect(tokens.at(-1)).toBe("c-setup");
  });

  it("turns to sign-in when someone else finished the first run meanwhile", async () => {
    const { api, account } = setup();
    api.state = { ...api.state, needs_setup: true };
    await account.start();
    api.state = { ...api.state, needs_setup: false };
    await account.setup("root", "a long password");
    expect(account).toMatchObject({ needsSetup: false, signedIn: false });
    expect(account.notice).toMatch(/already set up/);
  });

  it("stays signed out on a wrong password, and lets the form say why", async () => {
    const { account } = setup();
    await account.start();
    await expect(account.signIn("ann", "wrong")).rejects.toThrow("Wrong username or password.");
    expect(account.signedIn).toBe(false);
    await account.signIn("ann", "right");
    expect(account.me?.username).toBe("ann");
  });

  it("signs up with the invite's code", async () => {
    const { api, account } = setup();
    await account.start();
    await account.register("ben", "a long password", "code-1");
    expect(api.calls).toEqual(["register ben code-1"]);
    expect(account.signedIn).toBe(true);
  });

  it("shows sign-in again when the session ends elsewhere, saying why", async () => {
    const { api, tokens, account } = setup();
    api.me = person("ann", "c-1");
    await account.start();
    account.expired();
    expect(account).toMatchObject({ signedIn: false, notice: SESSION_ENDED });
    expect(tokens.at(-1)).toBeNull();
    await account.signIn("ann", "right");
    expect(account.notice).toBeNull();
  });

  it("signs out here, or everywhere", async () => {
    const { api, account } = setup();
    api.me = person("ann", "c-1");
    await account.start();
    await account.signOut();
    expect(account).toMatchObject({ signedIn: false, notice: null });
    await account.signIn("ann", "right");
    await account.signOutEverywhere();
    expect(account.notice).toMatch(/every device/);
    expect(api.calls).toEqual(["sign out", "end all"]);
  });

  it("renews a stale CSRF token for the same person only", async () => {
    const { api, tokens, account } = setup();
    api.me = person("ann", "c-1");
    await account.start();
    api.me = person("ann", "c-2"); // Ann signed in again in another tab
    expect(await account.refreshCsrf()).toBe(true);
    expect(tokens.at(-1)).toBe("c-2");
    api.me = person("ben", "c-3"); // now Ben did
    expect(await account.refreshCsrf()).toBe(false);
    expect(account.me?.username).toBe("ben");
  });

  it("says so when the server cannot be reached", async () => {
    const { api, account } = setup();
    api.down = true;
    await account.start();
    expect(account).toMatchObject({ loaded: true, error: "Could not reach the server." });
    api.down = false;
    await account.start();
    expect(account.error).toBeNull();
  });
});
