/**
 * The admin pages: every account, and the invites to sign up with. An invite's code is
 * held here only until dismissed (the server keeps its hash alone).
 */
import type { Role } from "../lib/accounts";
import type { InviteInfo, NewInvite, UserInfo, UserPatch } from "../lib/admin";
import { failure } from "./settings.svelte";

/** The calls the admin pages make (lib/admin.ts in the page). */
export interface AdminApi {
  listUsers(): Promise<UserInfo[]>;
  createUser(username: string, password: string, role: Role, quotaBytes: number | null): Promise<UserInfo>;
  updateUser(id: string, patch: UserPatch): Promise<UserInfo>;
  deleteUser(id: string): Promise<void>;
  listInvites(): Promise<InviteInfo[]>;
  createInvite(role: Role, maxUses: number, expiresInDays: number): Promise<NewInvite>;
  revokeInvite(id: string): Promise<void>;
}

export class Admin {
  users = $state.raw<readonly UserInfo[]>([]);
  invites = $state.raw<readonly InviteInfo[]>([]);
  loaded = $state(false);
  error = $state<string | null>(null);
  /** The invite just created, code included: its link is shown once. */
  created = $state.raw<NewInvite | null>(null);

  constructor(private readonly api: AdminApi) {}

  async load(): Promise<void> {
    try {
      const [users, invites] = await Promise.all([this.api.listUsers(), this.api.listInvites()]);
      this.users = sortUsers(users);
      this.invites = invites;
      this.error = null;
    } catch (error) {
      this.error = failure(error, "The accounts could not be loaded.");
    } finally {
      this.loaded = true;
    }
  }

  async createUser(
    username: string,
    password: string,
    role: Role,
    quotaBytes: number | null,
  ): Promise<UserInfo> {
    const user = await this.api.createUser(username, password, role, quotaBytes);
    this.users = sortUsers([...this.users, user]);
    return user;
  }

  /** Role, disabled, quota or a new password; the list shows what the server answered. */
  async updateUser(id: string, patch: UserPatch): Promise<UserInfo> {
    const user = await this.api.updateUser(id, patch);
    this.users = this.users.map((u) => (u.id === id ? user : u));
    return user;
  }

  async deleteUser(id: string): Promise<void> {
    await this.api.deleteUser(id);
    this.users = this.users.filter((u) => u.id !== id);
  }

  async createInvite(role: Role, maxUses: number, expiresInDays: number): Promise<NewInvite> {
    const invite = await this.api.createInvite(role, maxUses, expiresInDays);
    this.created = invite;
    const { code: _code, ...shown } = invite;
    this.invites = [shown, ...this.invites];
    return invite;
  }

  dismissCreated(): void {
    this.created = null;
  }

  async revokeInvite(id: string): Promise<void> {
    await this.api.revokeInvite(id);
    this.invites = this.invites.filter((i) => i.id !== id);
    if (this.created?.id === id) this.created = null;
  }
}

export function sortUsers(users: readonly UserInfo[]): UserInfo[] {
  return [...users].sort((a, b) => a.username.localeCompare(b.username));
}
