/**
 * Playlists as the page reads them. The shapes are written by hand from the API contract
 * (the library tier); they give way to the generated api-types.ts once the server
 * serves them.
 */
import type { CatalogTrack, Cover, Page } from "./catalog";
import { request } from "./http";

export interface Playlist {
  id: string;
  name: string;
  description: string | null;
  visibility: "private" | "unlisted" | "public";
  kind: "static" | "smart";
  owner_id: string;
  owner_name: string | null;
  role: "owner" | "editor" | "viewer" | "admin" | null;
  item_count: number;
  duration: number;
  cover: Cover;
  version: number;
  liked: boolean;
  created_at: string;
  updated_at: string;
}

export interface PlaylistItem {
  id: string;
  position: string;
  track: CatalogTrack;
  added_by: string | null;
  added_at: string;
}

const id = encodeURIComponent;

export function listPlaylists(offset = 0, limit = 100): Promise<Page<Playlist>> {
  return request(`/api/playlists?offset=${offset}&limit=${limit}`);
}

export function getPlaylist(playlistId: string): Promise<Playlist> {
  return request(`/api/playlists/${id(playlistId)}`);
}

export function listPlaylistItems(
  playlistId: string,
  offset = 0,
  limit = 500,
): Promise<Page<PlaylistItem> & { version: number }> {
  return request(`/api/playlists/${id(playlistId)}/items?offset=${offset}&limit=${limit}`);
}

export function createPlaylist(name: string): Promise<Playlist> {
  return request("/api/playlists", { method: "POST", json: { name } });
}

export function joinPlaylist(code: string): Promise<Playlist> {
  return request(`/api/playlists/join/${id(code)}`, { method: "POST" });
}
