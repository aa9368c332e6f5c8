/** Tracks shaped as the API sends them, for the tests. */
import type { Track, TrackPage } from "../lib/api";

export function track(id: string, over: Partial<Track> = {}): Track {
  return {
    id,
    owner_id: "me",
    visibility: "private",
    editable: true,
    deduplicated: false,
    status: "ready",
    playable: true,
    error: null,
    progress: { percent: 100, step: "done", attempt: 1 },
    filename: `${id}.flac`,
    title: null,
    artist: null,
    album: null,
    album_artist: null,
    track_number: null,
    disc_number: null,
    year: null,
    genre: null,
    genres: [],
    compilation: false,
    liked: false,
    duration: 180,
    loudness: null,
    fingerprint: null,
    source: {
      format: "flac",
      codec: "flac",
      sample_rate: 44100,
      channels: 2,
      bits_per_sample: 16,
      bit_rate: null,
      size: 1000,
      sha256: "0".repeat(64),
    },
    urls: { hls: `/h/${id}`, mp3: `/m/${id}`, original: `/o/${id}`, waveform: null, artwork: {} },
    created_at: "2025-01-01T00:00:00Z",
    ...over,
  };
}

/** A track still being worked on: `percent` done at `step`. */
export function processing(id: string, step: string, percent: number, over: Partial<Track> = {}) {
  return track(id, {
    status: "processing",
    playable: false,
    progress: { percent, step, attempt: 1 },
    urls: { hls: null, mp3: null, original: `/o/${id}`, waveform: null, artwork: {} },
    ...over,
  });
}

export function page(items: Track[], next_cursor: string | null = null, total = items.length): TrackPage {
  return { items, next_cursor, total };
}
