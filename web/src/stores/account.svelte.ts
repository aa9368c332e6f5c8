/**
 * Who is using the page, and what the server offers before anyone signs in.
 *
 *   start ──► loading ──► signed in ──(sign out, 401 anywhere)──► signed out
 *                 │                                                  │
 *                 └──► first run (no user yet) ──setup──► signed in ◄┘ sign in / sign up
 *
 * The page shows one screen per state (App.svelte); the CSRF token of the session goes
 * to the request layer (lib/http.ts) each time it changes.
 */
import type { Me, ServerState } from "../lib/accounts";
import { ApiError } from "../lib/http";

/** The calls the account store makes (lib/accounts.ts in the page). */
export interface AccountApi {
  getServerState(): Promise<ServerState>;
  getMe(): Promise<Me | null>;
  setup(username: string, password: string): Promise<Me>;
  signIn(username: string, password: string): Promise<Me>;
  register(username: string, password: string, invite: string | null): Promise<Me>;
  signOut(): Promise<void>;
  endAllSessions(): Promise<void>;
}

export const SESSION_ENDED = "Your session has ended. Sign in again to continue.";

export class Account {
  server = $state.raw<ServerState | null>(null);
  me = $state.raw<Me | null>(null);
  /** The first answers arrived (or the server could not be reached: `error`). */
  loaded = $state(false);
  /** Why the page could not start, in words for a person. */
  error = $state<string | null>(null);
  /** Said on the sign-in page: why it is shown again (the session ended). */
  notice = $state<string | null>(null);

  constructor(
    private readonly api: AccountApi,
    /** Told the session's CSRF token (null when signed out). */
    private readonly oncsrf: (token: string | null) => void = () => {},
  ) {}

  get signedIn(): boolean {
    return this.me !== null;
  }

  get isAdmin(): boolean {
    return this.me?.role === "admin";
  }

  get needsSetup(): boolean {
    return this.server?.needs_setup === true && this.me === null;
  }

  /** Visitors may listen to public tracks without signing in. */
  get anonymousListening(): boolean {
    return this.server?.anonymous_listening === true;
  }

  async start(): Promise<void> {
    this.error = null;
    try {
      const [server, me] = await Promise.all([this.api.getServerState(), this.api.getMe()]);
      this.server = server;
      this.signedInAs(me);
      this.loaded = true;
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : "The page could not start.";
      this.loaded = true;
    }
  }

  /** First run: create the first admin, signed in at once. */
  async setup(username: string, password: string): Promise<void> {
    try {
      this.signedInAs(await this.api.setup(username, password));
    } catch (error) {
      // Someone finished the first run meanwhile (another tab, another person): what is
      // left to do is sign in.
      if (!(error instanceof ApiError && error.status === 409)) throw error;
      this.notice = error.message;
    }
    if (this.server) this.server = { ...this.server, needs_setup: false };
  }

  async signIn(username: string, password: string): Promise<void> {
    this.signedInAs(await this.api.signIn(username, password));
  }

  async register(username: string, password: string, invite: string | null): Promise<void> {
    this.signedInAs(await this.api.register(username, password, invite));
  }

  async signOut(): Promise<void> {
    await this.api.signOut().catch(() => {});
    this.signedOut(null);
  }

  /** End every session of this person, this one included. */
  async signOutEverywhere(): Promise<void> {
    await this.api.endAllSessions();
    this.signedOut("You are signed out on every device.");
  }

  /** A request was answered 401: the session ended elsewhere or expired. */
  expired(): void {
    if (this.me) this.signedOut(SESSION_ENDED);
  }

  /**
   * The server refused our CSRF token: another tab signed in again. Fetch the session
   * as it is now; true when it is still the same person (the request may be repeated).
   */
  async refreshCsrf(): Promise<boolean> {
    const before = this.me?.id;
    const me = await this.api.getMe();
    if (!me || me.id !== before) {
      if (me) this.signedInAs(me);
      else this.signedOut(SESSION_ENDED);
      return false;
    }
    this.signedInAs(me);
    return true;
  }

  /** Fetch the person again (storage used changes with each upload). */
  async reload(): Promise<void> {
    const me = await this.api.getMe();
    if (me) this.signedInAs(me);
    else this.expired();
  }

  private signedInAs(me: Me | null): void {
    this.me = me;
    this.oncsrf(me?.csrf_token ?? null);
    if (me) this.notice = null;
  }

  private signedOut(notice: string | null): void {
    this.me = null;
    this.oncsrf(null);
    this.notice = notice;
  }
}
