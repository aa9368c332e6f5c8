/** The tonearm HTTP API as the page uses it: typed shapes and the few calls it makes. */

import type { components } from "./api-types";

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

/** An RFC 9457 problem, or a failure to reach the server at all (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const STATUS_WORDS: Record<number, string> = {
  0: "Could not reach the server. Check your connection and try again.",
  404: "This no longer exists on the server.",
  413: "This file is larger than this server accepts.",
  415: "This is not an audio file tonearm can read.",
  422: "tonearm could not use this file.",
  429: "The server is busy. Try again in a moment.",
};

/**
 * The sentence to show a person for a failed response: the problem's `detail` (written
 * for people), else its `title`, else words for the status code.
 */
export function problemMessage(status: number, body: string | null | undefined): string {
  if (body) {
    try {
      const problem: unknown = JSON.parse(body);
      if (problem && typeof problem === "object") {
        const { detail, title } = problem as { detail?: unknown; title?: unknown };
        if (typeof detail === "string" && detail.trim()) return detail.trim();
        if (typeof title === "string" && title.trim()) return title.trim();
      }
    } catch {
      // not JSON: fall through to the status words
    }
  }
  return (
    STATUS_WORDS[status] ??
    (status >= 500
      ? "The server ran into a problem. Try again in a moment."
      : `The server refused the request (${status}).`)
  );
}

async function request<T>(url: string, init?: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { accept: "application/json" }, ...init });
  } catch {
    throw new ApiError(0, problemMessage(0, null));
  }
  if (!response.ok) {
    throw new ApiError(response.status, problemMessage(response.status, await response.text()));
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

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

/** Give up an unfinished tus upload: the server drops what it holds of it. Best effort. */
export function discardUpload(url: string): Promise<void> {
  return fetch(url, { method: "DELETE", headers: { "Tus-Resumable": "1.0.0" } }).then(
    () => undefined,
    () => undefined,
  );
}
