/** The tonearm HTTP API as the page uses it: typed shapes and the few calls it makes. */

export type TrackStatus = "uploaded" | "processing" | "ready" | "failed";

export interface Loudness {
  integrated_lufs: number | null;
  loudness_range_lu: number | null;
  true_peak_dbtp: number | null;
  replaygain_track_gain_db: number | null;
  /** Linear amplitude, 1.0 = full scale. */
  sample_peak: number | null;
}

export interface Progress {
  percent: number;
  step: string | null;
  attempt: number;
}

export interface TrackUrls {
  hls: string | null;
  mp3: string | null;
  original: string;
  waveform: string | null;
  artwork: Partial<Record<"original" | "128" | "512", string>>;
}

export interface Track {
  id: string;
  status: TrackStatus;
  playable: boolean;
  error: string | null;
  progress: Progress | null;
  deduplicated: boolean;
  filename: string | null;
  title: string | null;
  artist: string | null;
  album: string | null;
  album_artist: string | null;
  track_number: number | null;
  disc_number: number | null;
  year: number | null;
  genre: string | null;
  /** Seconds. */
  duration: number | null;
  loudness: Loudness | null;
  urls: TrackUrls;
  created_at: string;
}

export interface TrackPage {
  items: Track[];
  next_cursor: string | null;
  total: number;
}

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

export interface UploadState {
  id: string;
  offset: number;
  length: number;
  filename: string | null;
  track_id: string | null;
}

export function getUpload(url: string): Promise<UploadState> {
  return request<UploadState>(url);
}
