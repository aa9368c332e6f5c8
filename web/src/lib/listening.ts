/**
 * Listening as the page reads and reports it: play sessions (POST /api/plays), live
 * listener counts (GET /api/live), charts, a person's history, and an owner's statistics.
 *
 * The shapes come from the API document (`npm run gen:api`), as api.ts's do.
 */
import type { Track } from "./api";
import type { components } from "./api-types";
import { request } from "./http";

// --- Shapes (generated from the API document: api-types.ts) --------------------------------

type Schemas = components["schemas"];

/** What a player hears: a ladder rung, the MP3 fallback, or the uploaded file itself. */
export type PlayRung = "64k" | "128k" | "256k" | "mp3" | "original";
export type PlayEventKind = Schemas["PlayIn"]["event"];
export type PlayIn = Omit<Schemas["PlayIn"], "rung"> & { rung: PlayRung };
export type PlayOut = Schemas["PlayOut"];
export type LiveTrack = Omit<Schemas["LiveTrack"], "track"> & { track: Track };
export type LiveOut = Omit<Schemas["LiveOut"], "tracks"> & { tracks: LiveTrack[] };
export type ChartKind = ChartOut["kind"];
export type ChartWindow = ChartOut["window"];
export type ChartSort = ChartOut["sort"];
export type ChartEntry = Schemas["ChartEntryOut"];
export type ChartOut = Schemas["ChartOut"];
export type RecentPlay = Schemas["RecentPlayOut"];
export type RecentPage = Schemas["RecentPage"];
export type MostPlayed = Schemas["MostPlayedOut"];
export type DayStats = Schemas["DayOut"];
export type OwnerStats = Schemas["OwnerStatsOut"];
export type TrackStats = Schemas["TrackStatsOut"];

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
