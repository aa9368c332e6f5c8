/**
 * The person's own account settings: password, signed-in sessions, personal API tokens.
 *
 * A new token's secret is held here only until the person dismisses it or leaves the
 * page: the server keeps its hash alone, so it can never be shown again.
 */
import type { NewToken, Scope, SessionInfo, TokenInfo } from "../lib/accounts";
import { ApiError } from "../lib/http";

/** The calls the settings make (lib/accounts.ts in the page). */
export interface SettingsApi {
  changePassword(current: string, next: string): Promise<void>;
  listSessions(): Promise<SessionInfo[]>;
  endSession(id: string): Promise<void>;
  listTokens(): Promise<TokenInfo[]>;
  createToken(name: string, scopes: Scope[], expiresInDays: number | null): Promise<NewToken>;
  revokeToken(id: string): Promise<void>;
}

export function failure(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.message : fallback;
}

export class AccountSettings {
  sessions = $state.raw<readonly SessionInfo[]>([]);
  tokens = $state.raw<readonly TokenInfo[]>([]);
  loaded = $state(false);
  /** Why the lists could not be loaded. */
  error = $state<string | null>(null);
  /** The token just created, secret included: shown once. */
  created = $state.raw<NewToken | null>(null);

  constructor(private readonly api: SettingsApi) {}

  async load(): Promise<void> {
    try {
      const [sessions, tokens] = await Promise.all([this.api.listSessions(), this.api.listTokens()]);
      this.sessions = sortSessions(sessions);
      this.tokens = tokens;
      this.error = null;
    } catch (error) {
      this.error = failure(error, "Your sessions and tokens could not be loaded.");
    } finally {
      this.loaded = true;
    }
  }

  /** Throws ApiError with words for the form (a wrong current password, a weak new one). */
  async changePassword(current: string, next: string): Promise<void> {
    await this.api.changePassword(current, next);
    // The other sessions ended on the server.
    this.sessions = this.sessions.filter((s) => s.current);
  }

  async endSession(id: string): Promise<void> {
    await this.api.endSession(id);
    this.sessions = this.sessions.filter((s) => s.id !== id);
  }

  async createToken(name: string, scopes: Scope[], expiresInDays: number | null): Promise<NewToken> {
    const token = await this.api.createToken(name, scopes, expiresInDays);
    this.created = token;
    const { token: _secret, ...shown } = token;
    this.tokens = [shown, ...this.tokens.filter((t) => t.id !== token.id)];
    return token;
  }

  /** Forget the new token's secret (it is never shown again). */
  dismissCreated(): void {
    this.created = null;
  }

  async revokeToken(id: string): Promise<void> {
    await this.api.revokeToken(id);
    this.tokens = this.tokens.filter((t) => t.id !== id);
    if (this.created?.id === id) this.created = null;
  }
}

/** This session first, then the most recently seen. */
export function sortSessions(sessions: readonly SessionInfo[]): SessionInfo[] {
  return [...sessions].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.last_seen_at.localeCompare(a.last_seen_at),
  );
}
