/** Accounts over the API: first run, sign-in and out, and the person's own settings. */
import type { components } from "./api-types";
import { ApiError, request } from "./http";

type Schemas = components["schemas"];

/** GET /api/setup: what the page should offer before anyone signs in. */
export type ServerState = Schemas["ServerState"];
/** The signed-in person; `csrf_token` goes with every unsafe request. */
export type Me = Schemas["Me"];
export type Role = Schemas["Role"];
export type Scope = Schemas["Scope"];
export type SessionInfo = Schemas["SessionOut"];
export type TokenInfo = Schemas["TokenOut"];
/** A token just made: `token` is its secret, shown this once. */
export type NewToken = Schemas["NewToken"];

export const ROLES: readonly Role[] = ["member", "moderator", "admin"];

export const ROLE_LABELS: Record<Role, string> = {
  member: "Member",
  moderator: "Moderator",
  admin: "Admin",
};

export const SCOPES: readonly { scope: Scope; label: string; hint: string }[] = [
  { scope: "read", label: "Read", hint: "List and play tracks" },
  { scope: "upload", label: "Upload", hint: "Add music" },
  { scope: "library", label: "Library", hint: "Change and delete your tracks" },
  { scope: "admin", label: "Admin", hint: "Manage users and invites" },
];

export function getServerState(): Promise<ServerState> {
  return request<ServerState>("/api/setup");
}

/** Who is signed in; null for a visitor (the server answers 401). */
export async function getMe(): Promise<Me | null> {
  try {
    return await request<Me>("/api/me", { expect401: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function setup(username: string, password: string): Promise<Me> {
  return request<Me>("/api/setup", { method: "POST", json: { username, password } });
}

export function signIn(username: string, password: string): Promise<Me> {
  return request<Me>("/api/auth/login", {
    method: "POST",
    json: { username, password },
    expect401: true,
  });
}

export function register(username: string, password: string, invite: string | null): Promise<Me> {
  return request<Me>("/api/auth/register", {
    method: "POST",
    json: { username, password, invite },
  });
}

export function signOut(): Promise<void> {
  return request<void>("/api/auth/logout", { method: "POST", expect401: true });
}

export function changePassword(current: string, next: string): Promise<void> {
  return request<void>("/api/me/password", { method: "POST", json: { current, new: next } });
}

export function listSessions(): Promise<SessionInfo[]> {
  return request<SessionInfo[]>("/api/me/sessions");
}

export function endSession(id: string): Promise<void> {
  return request<void>(`/api/me/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Every session of this person ends, this one too. */
export function endAllSessions(): Promise<void> {
  return request<void>("/api/me/sessions", { method: "DELETE", expect401: true });
}

export function listTokens(): Promise<TokenInfo[]> {
  return request<TokenInfo[]>("/api/me/tokens");
}

export function createToken(
  name: string,
  scopes: Scope[],
  expiresInDays: number | null,
): Promise<NewToken> {
  return request<NewToken>("/api/me/tokens", {
    method: "POST",
    json: { name, scopes, expires_in_days: expiresInDays },
  });
}

export function revokeToken(id: string): Promise<void> {
  return request<void>(`/api/me/tokens/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Whether a Subsonic app password exists, when made and last used (never the password). */
export type AppPasswordInfo = Schemas["AppPasswordOut"];
/** An app password just made: `password` is shown this once. */
export type NewAppPassword = Schemas["NewAppPassword"];

export function getAppPassword(): Promise<AppPasswordInfo> {
  return request<AppPasswordInfo>("/api/me/subsonic-password");
}

/** A new app password; the old one, if any, stops working. */
export function createAppPassword(): Promise<NewAppPassword> {
  return request<NewAppPassword>("/api/me/subsonic-password", { method: "POST" });
}

export function revokeAppPassword(): Promise<void> {
  return request<void>("/api/me/subsonic-password", { method: "DELETE" });
}
