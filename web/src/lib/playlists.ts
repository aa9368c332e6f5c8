/**
 * Playlists as the page uses them: the shapes of the playlist API (api-types.ts, made
 * from the server's OpenAPI document) and the calls the playlist pages make.
 */
import type { Visibility } from "./api";
import type { components } from "./api-types";
import { request } from "./http";
import { send } from "./problems";
import type { SmartRules } from "./smartrules";

type Schemas = components["schemas"];

export type PlaylistRole = NonNullable<Schemas["PlaylistOut"]["role"]>;

export type Cover = NonNullable<Schemas["PlaylistOut"]["cover"]>;

/**
 * A playlist. Its rules are read with the page's own, narrower type (lib/smartrules.ts):
 * the fields and operators the server accepts.
 */
export type Playlist = Omit<Schemas["PlaylistOut"], "rules"> & { rules: SmartRules | null };

/** An entry (a smart playlist's entries have their track's id). */
export type PlaylistItem = Schemas["ItemOut"];

export interface Page<T> {
  items: T[];
  total: number;
}

export type ItemPage = Schemas["ItemPage"];
export type Collaborator = Schemas["CollaboratorOut"];
/** An invite; `url` is "/#/playlists/join/<code>", relative to the server. */
export type Invite = Schemas["PlaylistInviteOut"];

export interface PlaylistChange {
  name?: string;
  description?: string | null;
  visibility?: Visibility;
  rules?: SmartRules | null;
}

export interface NewPlaylist extends PlaylistChange {
  name: string;
}

export type ImportResult = Omit<Schemas["Imported"], "playlist"> & { playlist: Playlist };

const base = (id: string) => `/api/playlists/${encodeURIComponent(id)}`;

export function listPlaylists(offset = 0, limit = 100): Promise<Page<Playlist>> {
  const query = new URLSearchParams({ offset: String(offset), limit: String(limit) });
  return request(`/api/playlists?${query}`);
}

export function getPlaylist(id: string): Promise<Playlist> {
  return request(base(id));
}

export function createPlaylist(body: NewPlaylist): Promise<Playlist> {
  return send(`/api/playlists`, { method: "POST", json: body });
}

/** Errors keep their fields (ProblemError): a smart playlist's rules are checked here. */
export function updatePlaylist(id: string, change: PlaylistChange): Promise<Playlist> {
  return send(base(id), { method: "PATCH", json: change });
}

export function deletePlaylist(id: string): Promise<void> {
  return request(base(id), { method: "DELETE" });
}

export function duplicatePlaylist(id: string): Promise<Playlist> {
  return request(`${base(id)}/duplicate`, { method: "POST" });
}

export function listItems(id: string, offset = 0, limit = 500): Promise<ItemPage> {
  const query = new URLSearchParams({ offset: String(offset), limit: String(limit) });
  return request(`${base(id)}/items?${query}`);
}

/** Add tracks at the end, or after `afterItemId` (null: at the start). */
export function addItems(
  id: string,
  trackIds: readonly string[],
  afterItemId?: string | null,
): Promise<Schemas["ItemsAdded"]> {
  const json: Record<string, unknown> = { track_ids: trackIds };
  if (afterItemId !== undefined) json.after_item_id = afterItemId;
  return request(`${base(id)}/items`, { method: "POST", json });
}

export function removeItems(id: string, itemIds: readonly string[]): Promise<{ version: number }> {
  return request(`${base(id)}/items`, { method: "DELETE", json: { item_ids: itemIds } });
}

/** A 409 answer means the entry it was to follow is gone: reload. */
export function moveItem(
  id: string,
  itemId: string,
  afterItemId: string | null,
): Promise<Schemas["ItemMoved"]> {
  return request(`${base(id)}/items/${encodeURIComponent(itemId)}/move`, {
    method: "POST",
    json: { after_item_id: afterItemId },
  });
}

export function listCollaborators(id: string): Promise<Collaborator[]> {
  return request(`${base(id)}/collaborators`);
}

export function addCollaborator(id: string, username: string, role: "editor" | "viewer"): Promise<Collaborator> {
  return request(`${base(id)}/collaborators`, { method: "POST", json: { username, role } });
}

/** Remove someone; with one's own id: leave the playlist. */
export function removeCollaborator(id: string, userId: string): Promise<void> {
  return request(`${base(id)}/collaborators/${encodeURIComponent(userId)}`, { method: "DELETE" });
}

export function createInvite(id: string, role: "editor" | "viewer"): Promise<Invite> {
  return request(`${base(id)}/invites`, { method: "POST", json: { role } });
}

export function joinPlaylist(code: string): Promise<Playlist> {
  return request(`/api/playlists/join/${encodeURIComponent(code)}`, { method: "POST" });
}

export function exportUrl(id: string, format: "m3u8" | "xspf"): string {
  return `${base(id)}/export?format=${format}`;
}

/** Import an M3U8 or XSPF file as a new playlist. */
export function importPlaylist(file: Blob & { name?: string }, name?: string): Promise<ImportResult> {
  const query = name ? `?${new URLSearchParams({ name })}` : "";
  const type = file.name?.toLowerCase().endsWith(".xspf") ? "application/xspf+xml" : "audio/x-mpegurl";
  return send(`/api/playlists/import${query}`, { method: "POST", body: file, contentType: file.type || type });
}

/** The whole invite link, for copying. */
export function inviteLink(invite: Invite, origin = location.origin): string {
  return new URL(invite.url, origin).href;
}

/** "12 tracks · 48 min" */
export function playlistSummary(list: Pick<Playlist, "item_count" | "duration">): string {
  const tracks = `${list.item_count} ${list.item_count === 1 ? "track" : "tracks"}`;
  if (!list.duration) return tracks;
  const minutes = Math.round(list.duration / 60);
  const length = minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
  return `${tracks} · ${length}`;
}

/** May the viewer change what is in it (and its order)? */
export function canEdit(list: Pick<Playlist, "role" | "kind">): boolean {
  return list.kind === "static" && (list.role === "owner" || list.role === "editor" || list.role === "admin");
}

/** May the viewer rename, delete or share it? */
export function canManage(list: Pick<Playlist, "role">): boolean {
  return list.role === "owner" || list.role === "admin";
}

/** Which group the list page shows a playlist in. */
export function playlistGroup(list: Pick<Playlist, "role">): "own" | "shared" | "public" {
  if (list.role === "owner") return "own";
  if (list.role === "editor" || list.role === "viewer") return "shared";
  return "public";
}

/** The page of a playlist, in the page's router (`#/playlists/<id>`). */
export function playlistHref(id: string): string {
  return `#/playlists/${encodeURIComponent(id)}`;
}
