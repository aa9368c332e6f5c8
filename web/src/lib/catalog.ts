/**
 * The library's catalog as the page reads it: albums, artists, likes, the sortable track
 * list paged by offset, and tag edits.
 *
 * The shapes are written here by hand from the API contract (docs/architecture.md, the
 * library tier); they give way to the generated api-types.ts once the server serves them.
 */
import { type Track, type Visibility } from "./api";
import { request } from "./http";

/** A page of a list: `offset` paging lets the page draw a long list as it scrolls. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** Cover art at two sizes (square, pixels): "128" and "512". */
export type Cover = Record<"128" | "512", string> | null;

/** A track, with what the catalog adds to it (optional until every server sends it). */
export type CatalogTrack = Track & {
  artist_id?: string | null;
  album_id?: string | null;
  genres?: string[];
  compilation?: boolean;
  liked?: boolean;
  /** Fields set by hand, which a re-scan of the tags leaves alone. */
  edited?: string[];
  updated_at?: string;
};

export interface Album {
  id: string;
  title: string;
  artist_id: string | null;
  artist_name: string | null;
  compilation: boolean;
  year: number | null;
  genres: string[];
  track_count: number;
  duration: number;
  cover: Cover;
  liked: boolean;
  created_at: string;
}

export interface AlbumDetail extends Album {
  /** In disc and track order. */
  tracks: CatalogTrack[];
  discs: number;
  editable: boolean;
}

export interface Artist {
  id: string;
  name: string;
  album_count: number;
  track_count: number;
  cover: Cover;
  liked: boolean;
  created_at: string;
}

export interface ArtistDetail extends Artist {
  albums: Album[];
  /** Compilations and others' albums the artist has tracks on. */
  appears_on: Album[];
}

export interface Genre {
  name: string;
  track_count: number;
}

export type Order = "asc" | "desc";
export type AlbumSort = "added" | "name" | "year" | "artist";
export type ArtistSort = "name" | "added";
export type TrackSort = "added" | "title" | "artist" | "album" | "year" | "duration";
export type LikeKind = "track" | "album" | "artist" | "playlist";

/** The tags one may set on a track (PATCH /api/tracks/{id}). */
export interface TagChanges {
  title?: string | null;
  artist?: string | null;
  album?: string | null;
  album_artist?: string | null;
  track_number?: number | null;
  disc_number?: number | null;
  year?: number | null;
  genre?: string | null;
  compilation?: boolean;
  visibility?: Visibility;
}

/** The tags one may set on many tracks at once (PATCH /api/tracks). */
export type BulkChanges = Pick<
  TagChanges,
  "album" | "artist" | "album_artist" | "genre" | "year" | "compilation" | "visibility"
>;

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
): Promise<{ updated: number; items: CatalogTrack[] }> {
  return request("/api/tracks", { method: "PATCH", json: { ids, changes } });
}

export function like(kind: LikeKind, thingId: string, liked: boolean): Promise<void> {
  return request(`/api/likes/${kind}/${id(thingId)}`, { method: liked ? "PUT" : "DELETE" });
}

export function listLikes<T>(kind: LikeKind, offset = 0, limit = 100): Promise<Page<T>> {
  return request(`/api/likes${query({ kind, offset, limit })}`);
}
