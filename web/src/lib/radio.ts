/**
 * Radio, similar tracks and mixes as the page asks for them: a radio is started from a
 * track, an album or an artist (`POST /api/radio`), then asked for more as it plays
 * (`POST /api/radio/{id}/next`), and told what the person skipped, disliked or heard to
 * the end (`POST /api/radio/{id}/feedback`), which later radios and mixes respect.
 */
import type { Track } from "./api";
import type { components } from "./api-types";
import { request } from "./http";

type Schemas = components["schemas"];

/** What a radio starts from: a track, an album or an artist. */
export type RadioSeed = Schemas["SeedIn"];
export type SeedKind = RadioSeed["kind"];
/** A radio as started: its first tracks (a track seed first). */
export type RadioOut = Schemas["RadioOut"];
/** `pending`: the track's sound is not analysed yet; similar tracks come once it is. */
export type SimilarOut = Schemas["SimilarOut"];
/** A mix: `id` is "daily", "discover" or "genre:<name>". */
export type Mix = Schemas["MixOut"];
export type FeedbackAction = Schemas["FeedbackIn"]["action"];

/** A track left before this many seconds counts as skipped (the server's rule too). */
export const EARLY_SKIP_S = 30;
/** Fewer than this many tracks left after the current one: ask the radio for more. */
export const REFILL_BELOW = 3;
/** How many tracks each refill asks for. */
export const REFILL_COUNT = 10;

const id = encodeURIComponent;

export function startRadio(seed: RadioSeed): Promise<RadioOut> {
  return request("/api/radio", { method: "POST", json: { seed } });
}

export async function nextRadioTracks(radioId: string, count = REFILL_COUNT): Promise<Track[]> {
  const answer = await request<Schemas["TracksOut"]>(`/api/radio/${id(radioId)}/next?count=${count}`, {
    method: "POST",
  });
  return answer.tracks;
}

export function sendFeedback(radioId: string, trackId: string, action: FeedbackAction, positionS: number): Promise<void> {
  return request(`/api/radio/${id(radioId)}/feedback`, {
    method: "POST",
    json: { track_id: trackId, action, position_s: Math.max(0, Math.round(positionS * 10) / 10) },
  });
}

export function similarTracks(trackId: string, limit = 20): Promise<SimilarOut> {
  return request(`/api/tracks/${id(trackId)}/similar?limit=${limit}`);
}

export async function listMixes(): Promise<Mix[]> {
  return (await request<Schemas["MixesOut"]>("/api/mixes")).mixes;
}

/**
 * What leaving a radio track tells the radio: heard to its end ("played"), left within
 * its first 30 s ("skip"), or nothing (left later: neither liked nor disliked).
 */
export function leaveFeedback(position: number, ended: boolean): FeedbackAction | null {
  if (ended) return "played";
  return position < EARLY_SKIP_S ? "skip" : null;
}

/** Whether a radio playing entry `index` of `length` needs more tracks. */
export function needsRefill(length: number, index: number): boolean {
  return length - Math.max(0, index) - 1 < REFILL_BELOW;
}
