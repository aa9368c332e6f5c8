/** The tonearm HTTP API as the page uses it: typed shapes and the few calls it makes. */

import type { components } from "./api-types";
import { csrfHeaders, request } from "./http";

// The shapes come from the server's OpenAPI document (web/openapi.json, generated into
// api-types.ts by `npm run gen:api`), so a change on the server shows up here as a type
// error instead of a silent drift.
type Schemas = components["schemas"];

/**
 * A track. Its `status` is a plain string in the schema (uploaded, processing, ready,
 * failed), so code that switches on it keeps a branch for any other value.
 */
export type Track = Schemas["TrackOut"];
export type TrackPage = Schemas["TrackPage"];
export type Loudness = Schemas["Loudness"];
/** private: only the owner; unlisted: anyone with the link; public: listed for everyone. */
export type Visibility = Schemas["Visibility"];
/** GET /api/uploads/{id}: how much of a tus upload the server holds. */
export type UploadState = Schemas["UploadOut"];

/** audiowaveform's JSON format, version 2. */
export interface WaveformData {
  version: number;
  channels: number;
  sample_rate: number;
  samples_per_pixel: number;
  bits: 8 | 16;
  length: number;
  data: number[];
}

export { ApiError, problemMessage } from "./http";

export function listTracks(limit = 100, cursor: string | null = null): Promise<TrackPage> {
  const query = new URLSearchParams({ limit: String(limit) });
  if (cursor) query.set("cursor", cursor);
  return request<TrackPage>(`/api/tracks?${query}`);
}

export function getTrack(id: string): Promise<Track> {
  return request<Track>(`/api/tracks/${encodeURIComponent(id)}`);
}

export function getWaveform(url: string): Promise<WaveformData> {
  return request<WaveformData>(url);
}

export function getUpload(url: string): Promise<UploadState> {
  return request<UploadState>(url);
}

/** Change who may listen to one's own track. */
export function updateTrack(id: string, change: { visibility: Visibility }): Promise<Track> {
  return request<Track>(`/api/tracks/${encodeURIComponent(id)}`, { method: "PATCH", json: change });
}

/** Delete one's own track (its audio stays while another track uses the same bytes). */
export function deleteTrack(id: string): Promise<void> {
  return request<void>(`/api/tracks/${encodeURIComponent(id)}`, { method: "DELETE" });
}

/** Give up an unfinished tus upload: the server drops what it holds of it. Best effort. */
export function discardUpload(url: string): Promise<void> {
  const headers = { "Tus-Resumable": "1.0.0", ...csrfHeaders() };
  return fetch(url, { method: "DELETE", headers, credentials: "same-origin" }).then(
    () => undefined,
    () => undefined,
  );
}
