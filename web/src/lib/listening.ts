/**
 * Listening as the page reads and reports it: play sessions (POST /api/plays), live
 * listener counts (GET /api/live), charts, a person's history, and an owner's statistics.
 *
 * The shapes below are written by hand from the issue 17 contract while the server side is
 * built beside this; replaced by api-types at merge (`npm run gen:api`), as api.ts does.
 */
import type { Track } from "./api";
import type { Album, Artist } from "./catalog";
import { request } from "./http";

// --- Shapes (replaced by api-types at merge) ---------------------------------------------

/** What a player hears: a ladder rung, the MP3 fallback, or the uploaded file itself. */
export type PlayRung = "64k" | "128k" | "256k" | "mp3" | "original";
export type PlayEventKind = "start" | "progress" | "pause" | "end";

export interface PlayIn {
  event: PlayEventKind;
  /** The client's id for this play (the idempotency key), 8-64 of [A-Za-z0-9_-]. */
  session: string;
  /** On `start` only. */
  track_id?: string;
  /** What `start` answered; on every later event. */
  token?: string;
  /** Milliseconds actually heard in this session (seeks and pauses add nothing). */
  played_ms: number;
  /** The playhead now (where a person stopped, for the skip curve). */
  position_ms: number;
  rung: PlayRung;
}

export interface PlayOut {
  session: string;
  token: string;
  counted: boolean;
  credited_ms: number;
  count_after_ms: number;
  /** How often to send `progress` while playing. */
  heartbeat_s: number;
  /** People listening to this track now. */
  listeners: number;
}

export interface LiveTrack {
  track: Track;
  listeners: number;
}

export interface LiveOut {
  total: number;
  /** The busiest tracks the viewer may see, busiest first (at most 50). */
  tracks: LiveTrack[];
  /** For each requested id the viewer may see (0 included). */
  counts: Record<string, number>;
}

export type ChartKind = "tracks" | "artists" | "albums";
export type ChartWindow = "24h" | "7d" | "30d" | "all";
export type ChartSort = "top" | "trending";

export interface ChartEntry {
  rank: number;
  plays: number;
  /** Trending: the plays of the window before this one. */
  previous_plays: number | null;
  track?: Track | null;
  artist?: Pick<Artist, "id" | "name"> & Partial<Artist>;
  album?: Pick<Album, "id" | "title"> & Partial<Album>;
}

export interface ChartOut {
  kind: ChartKind;
  window: ChartWindow;
  sort: ChartSort;
  computed_at: string;
  entries: ChartEntry[];
}

export interface RecentPlay {
  played_at: string;
  seconds: number;
  counted: boolean;
  track: Track;
}

export interface RecentPage {
  items: RecentPlay[];
  /** The cursor for older plays (`before`); null at the end. */
  next: string | null;
}

export interface MostPlayed {
  plays: number;
  seconds: number;
  last_played_at: string;
  track: Track;
}

export interface DayStats {
  /** YYYY-MM-DD. */
  day: string;
  plays: number;
  listeners: number;
  seconds: number;
}

export interface OwnerStats {
  series: DayStats[];
  plays: number;
  listeners: number;
  /** 0..1: plays heard to the end. */
  completion_rate: number;
  top_tracks: { track: Track; plays: number; seconds: number }[];
}

export interface TrackStats {
  series: DayStats[];
  plays: number;
  listeners: number;
  completion_rate: number;
  /** Where people stopped: `at` a fraction of the track (0.0, 0.05 … 0.95). */
  skip_curve: { at: number; stopped: number }[];
}

// --- Calls --------------------------------------------------------------------------------

export const PLAYS_URL = "/api/plays";

/** One play event. A 401 is the server's word on this play, not a lost session. */
export function postPlay(body: PlayIn): Promise<PlayOut> {
  return request<PlayOut>(PLAYS_URL, { method: "POST", json: body, expect401: true });
}

/**
 * The live counts of `ids` (at most 100 a call) and the busiest tracks now. A 401 (a visitor
 * where anonymous listening is off) only means no counts: the page stays as it is.
 */
export function getLive(ids: readonly string[] = []): Promise<LiveOut> {
  const query = ids.length ? `?tracks=${ids.map(encodeURIComponent).join(",")}` : "";
  return request<LiveOut>(`/api/live${query}`, { expect401: true });
}
