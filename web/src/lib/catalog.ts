/**
 * The library's catalog as the page reads it: albums, artists, likes, the sortable track
 * list paged by offset, and tag edits. The shapes are the server's (api-types.ts, made
 * from its OpenAPI document).
 */
import { type Track } from "./api";
import type { components } from "./api-types";
import { request } from "./http";

type Schemas = components["schemas"];

/** A page of a list: `offset` paging lets the page draw a long list as it scrolls. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** Cover art by edge size (square, pixels): "128" and "512". */
export type Cover = Schemas["AlbumOut"]["cover"];

/** A track with what the catalog says of it (artist and album ids, genres, liked, edited). */
export type CatalogTrack = Track;
export type Album = Schemas["AlbumOut"];
export type AlbumDetail = Schemas["AlbumDetail"];
export type Artist = Schemas["ArtistOut"];
export type ArtistDetail = Schemas["ArtistDetail"];
export type Genre = Schemas["GenreOut"];
/** A liked playlist as the likes list names it. */
export type PlaylistRef = Schemas["PlaylistRef"];

export type Order = "asc" | "desc";
export type AlbumSort = "added" | "name" | "year" | "artist";
export type ArtistSort = "name" | "added";
export type TrackSort = "added" | "title" | "artist" | "album" | "year" | "duration";
export type LikeKind = Schemas["LikeKind"];

/** The tags one may set on a track (PATCH /api/tracks/{id}). */
export type TagChanges = Schemas["TrackPatch"];

/** The tags one may set on many tracks at once (PATCH /api/tracks). */
export type BulkChanges = Schemas["TrackChanges"];

function query(params: Record<string, string | number | boolean | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : "";
}

const id = encodeURIComponent;

export interface ListOptions<S extends string> {
  sort?: S;
  order?: Order;
  offset?: number;
  limit?: number;
}

export function listAlbums(
  options: ListOptions<AlbumSort> & { artist_id?: string; genre?: string } = {},
): Promise<Page<Album>> {
  return request(`/api/albums${query({ ...options })}`);
}

export function getAlbum(albumId: string): Promise<AlbumDetail> {
  return request(`/api/albums/${id(albumId)}`);
}

export function listArtists(options: ListOptions<ArtistSort> = {}): Promise<Page<Artist>> {
  return request(`/api/artists${query({ ...options })}`);
}

export function getArtist(artistId: string): Promise<ArtistDetail> {
  return request(`/api/artists/${id(artistId)}`);
}

export function listGenres(): Promise<Genre[]> {
  return request("/api/genres");
}

/** The track list in any order, a page at a time by offset. */
export function listTrackPage(
  options: ListOptions<TrackSort> & { genre?: string; liked?: boolean } = {},
): Promise<Page<CatalogTrack>> {
  return request(`/api/tracks${query({ ...options })}`);
}

export function getCatalogTrack(trackId: string): Promise<CatalogTrack> {
  return request(`/api/tracks/${id(trackId)}`);
}

/** Set a track's tags; the answer is the track as it is now. */
export function editTrack(trackId: string, changes: TagChanges): Promise<CatalogTrack> {
  return request(`/api/tracks/${id(trackId)}`, { method: "PATCH", json: changes });
}

/** Set the same tags on many tracks: all of them, or none (a problem says which not). */
export function editTracks(
  ids: readonly string[],
  changes: BulkChanges,
): Promise<Schemas["BulkResult"]> {
  return request("/api/tracks", { method: "PATCH", json: { ids, changes } });
}

export function like(kind: LikeKind, thingId: string, liked: boolean): Promise<void> {
  return request(`/api/likes/${kind}/${id(thingId)}`, { method: liked ? "PUT" : "DELETE" });
}

export function listLikes<T>(kind: LikeKind, offset = 0, limit = 100): Promise<Page<T>> {
  return request(`/api/likes${query({ kind, offset, limit })}`);
}
