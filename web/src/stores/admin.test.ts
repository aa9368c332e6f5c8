import { describe, expect, it } from "vitest";
import type { Role } from "../lib/accounts";
import type { InviteInfo, NewInvite, UserInfo, UserPatch } from "../lib/admin";
import { ApiError } from "../lib/http";
import { Admin } from "./admin.svelte";

const user = (id: string, username: string, role: Role = "member"): UserInfo => ({
  id,
  username,
  role,
  disabled: false,
  quota_bytes: null,
  created_at: "2026-01-01T00:00:00Z",
});

class FakeApi {
  users = [user("u2", "zoe"), user("u1", "admin", "admin")];
  invites: InviteInfo[] = [];

  listUsers = async () => this.users;
  createUser = async (username: string, _password: string, role: Role, quota: number | null) => {
    const made = { ...user(`u${this.users.length + 1}`, username, role), quota_bytes: quota };
    this.users.push(made);
    return made;
  };
  updateUser = async (id: string, patch: UserPatch) => {
    const found = this.users.find((u) => u.id === id);
    if (!found) throw new ApiError(404, "No such user.");
    if (patch.role && patch.role !== "admin" && found.role === "admin") {
      throw new ApiError(409, "This is the last admin; make someone else admin first.");
    }
    const { clear_quota, password: _password, ...rest } = patch;
    const changed = { ...found, ...rest, ...(clear_quota ? { quota_bytes: null } : {}) } as UserInfo;
    this.users = this.users.map((u) => (u.id === id ? changed : u));
    return changed;
  };
  deleteUser = async (id: string) => void (this.users = this.users.filter((u) => u.id !== id));
  listInvites = async () => this.invites;
  createInvite = async (role: Role, maxUses: number): Promise<NewInvite> => {
    const row: InviteInfo = {
      id: `i${this.invites.length + 1}`,
      role,
      max_uses: maxUses,
      uses: 0,
      expires_at: "2026-02-01T00:00:00Z",
      created_at: "2026-01-01T00:00:00Z",
    };
    this.invites = [row, ...this.invites];
    return { ...row, code: "secret-code" };
  };
  revokeInvite = async (id: string) => void (this.invites = this.invites.filter((i) => i.id !== id));
}

describe("Admin", () => {
  it("lists people by name and adds one in place", async () => {
    const admin = new Admin(new FakeApi());
    await admin.load();
    expect(admin.users.map((u) => u.username)).toEqual(["admin", "zoe"]);
    await admin.createUser("mia", "a long password", "moderator", 2 ** 30);
    expect(admin.users.map((u) => [u.username, u.role, u.quota_bytes])).toEqual([
      ["admin", "admin", null],
      ["mia", "moderator", 2 ** 30],
      ["zoe", "member", null],
    ]);
  });

  it("shows what the server answered to a change, and keeps the row when it refuses", async () => {
    const admin = new Admin(new FakeApi());
    await admin.load();
    await admin.updateUser("u2", { disabled: true, quota_bytes: 1000 });
    expect(admin.users.find((u) => u.id === "u2")).toMatchObject({ disabled: true, quota_bytes: 1000 });
    await admin.updateUser("u2", { clear_quota: true });
    expect(admin.users.find((u) => u.id === "u2")?.quota_bytes).toBeNull();
    await expect(admin.updateUser("u1", { role: "member" })).rejects.toThrow(/last admin/);
    expect(admin.users.find((u) => u.id === "u1")?.role).toBe("admin");
  });

  it("deletes a person", async () => {
    const admin = new Admin(new FakeApi());
    await admin.load();
    await admin.deleteUser("u2");
    expect(admin.users.map((u) => u.username)).toEqual(["admin"]);
  });

  it("holds an invite's code until dismissed or revoked; the list never has it", async () => {
    const admin = new Admin(new FakeApi());
    await admin.load();
    const made = await admin.createInvite("member", 3, 7);
    expect(admin.created?.code).toBe("secret-code");
    expect(JSON.stringify(admin.invites)).not.toContain("secret-code");
    await admin.revokeInvite(made.id);
    expect(admin.invites).toEqual([]);
    expect(admin.created).toBeNull();
  });
});
