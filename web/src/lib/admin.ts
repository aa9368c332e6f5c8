/** The admin API: accounts and invites. */
import type { Role } from "./accounts";
import type { components } from "./api-types";
import { request } from "./http";

type Schemas = components["schemas"];

export type UserInfo = Schemas["UserOut"];
/** What an admin changes of an account; fields left out stay as they are. */
export type UserPatch = Partial<Schemas["UserPatch"]>;
export type InviteInfo = Schemas["InviteOut"];
/** An invite just made: `code` is its secret, shown this once (in the sign-up link). */
export type NewInvite = Schemas["NewInvite"];

export function listUsers(): Promise<UserInfo[]> {
  return request<UserInfo[]>("/api/users");
}

export function createUser(
  username: string,
  password: string,
  role: Role,
  quotaBytes: number | null,
): Promise<UserInfo> {
  return request<UserInfo>("/api/users", {
    method: "POST",
    json: { username, password, role, quota_bytes: quotaBytes },
  });
}

export function updateUser(id: string, patch: UserPatch): Promise<UserInfo> {
  return request<UserInfo>(`/api/users/${encodeURIComponent(id)}`, { method: "PATCH", json: patch });
}

export function deleteUser(id: string): Promise<void> {
  return request<void>(`/api/users/${encodeURIComponent(id)}`, { method: "DELETE" });
}

export function listInvites(): Promise<InviteInfo[]> {
  return request<InviteInfo[]>("/api/invites");
}

export function createInvite(role: Role, maxUses: number, expiresInDays: number): Promise<NewInvite> {
  return request<NewInvite>("/api/invites", {
    method: "POST",
    json: { role, max_uses: maxUses, expires_in_days: expiresInDays },
  });
}

export function revokeInvite(id: string): Promise<void> {
  return request<void>(`/api/invites/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** The sign-up link an invite's code goes in. */
export function inviteLink(origin: string, code: string): string {
  return `${origin}/#/join/${encodeURIComponent(code)}`;
}
