/**
 * Player state: what is loaded, whether it plays, where it is, and how it is delivered.
 * A reducer over events from the audio engine and the person, so the bar, the Media
 * Session and the tests all read one plain object.
 */
import type { Track } from "./api";

export type Delivery = "hls" | "native-hls" | "mp3";

export interface PlayerState {
  /** A copy of the track, so the list can change under it without stopping playback. */
  track: Track | null;
  playing: boolean;
  /** Waiting for data while it should be playing. */
  buffering: boolean;
  position: number;
  duration: number;
  /** The slider, 0..1. */
  volume: number;
  muted: boolean;
  normalize: boolean;
  delivery: Delivery | null;
  /** The bitrate of the HLS level now playing, bits per second. */
  bitrate: number | null;
  error: string | null;
}

export type PlayerEvent =
  | { type: "load"; track: Track }
  | { type: "delivery"; delivery: Delivery }
  | { type: "play" }
  | { type: "playing" }
  | { type: "pause" }
  | { type: "waiting" }
  | { type: "time"; position: number; duration?: number }
  | { type: "duration"; duration: number }
  | { type: "ended" }
  | { type: "level"; bitrate: number | null }
  | { type: "volume"; volume: number }
  | { type: "mute"; muted: boolean }
  | { type: "normalize"; normalize: boolean }
  | { type: "error"; message: string };

export function initialPlayerState(
  prefs: { volume?: number; muted?: boolean; normalize?: boolean } = {},
): PlayerState {
  return {
    track: null,
    playing: false,
    buffering: false,
    position: 0,
    duration: 0,
    volume: clamp01(prefs.volume ?? 0.8),
    muted: prefs.muted ?? false,
    normalize: prefs.normalize ?? true,
    delivery: null,
    bitrate: null,
    error: null,
  };
}

export function reduce(state: PlayerState, event: PlayerEvent): PlayerState {
  switch (event.type) {
    case "load":
      return {
        ...state,
        track: event.track,
        playing: false,
        buffering: false,
        position: 0,
        duration: event.track.duration ?? 0,
        delivery: null,
        bitrate: null,
        error: null,
      };
    case "delivery":
      return { ...state, delivery: event.delivery, bitrate: null };
    case "play":
      return { ...state, playing: true, buffering: true, error: null };
    case "playing":
      return { ...state, playing: true, buffering: false };
    case "pause":
      return { ...state, playing: false, buffering: false };
    case "waiting":
      return { ...state, buffering: state.playing };
    case "time": {
      const duration = usable(event.duration) ? event.duration : state.duration;
      return { ...state, position: clampTo(event.position, duration), duration };
    }
    case "duration":
      return usable(event.duration) ? { ...state, duration: event.duration } : state;
    case "ended":
      return { ...state, playing: false, buffering: false, position: state.duration };
    case "level":
      return { ...state, bitrate: event.bitrate };
    case "volume":
      return { ...state, volume: clamp01(event.volume), muted: false };
    case "mute":
      return { ...state, muted: event.muted };
    case "normalize":
      return { ...state, normalize: event.normalize };
    case "error":
      return { ...state, playing: false, buffering: false, error: event.message };
  }
}

/** Tracks that can be played now, in list order. */
export function playableTracks(tracks: readonly Track[]): Track[] {
  return tracks.filter(isPlayable);
}

export function isPlayable(track: Track): boolean {
  return (
    (track.status === "ready" || track.playable) && Boolean(track.urls.hls || track.urls.mp3)
  );
}

/**
 * The track after (+1) or before (-1) `currentId` among the playable ones; null at either
 * end. If the current track left the list, it starts from the top.
 */
export function neighbour(
  tracks: readonly Track[],
  currentId: string | null,
  direction: 1 | -1,
): Track | null {
  const list = playableTracks(tracks);
  if (list.length === 0) return null;
  const index = list.findIndex((t) => t.id === currentId);
  if (index === -1) return direction === 1 ? list[0] : null;
  return list[index + direction] ?? null;
}

/** "Previous" restarts the track unless it is within its first seconds. */
export const RESTART_THRESHOLD_S = 3;

export function previousRestarts(position: number): boolean {
  return position > RESTART_THRESHOLD_S;
}

/** Where a relative seek lands: inside the track, never past its end. */
export function seekTarget(position: number, delta: number, duration: number): number {
  return clampTo(position + delta, duration);
}

function clampTo(position: number, duration: number): number {
  const p = Number.isFinite(position) ? Math.max(0, position) : 0;
  return duration > 0 ? Math.min(p, duration) : p;
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0.8;
}

function usable(duration: number | undefined): duration is number {
  return typeof duration === "number" && Number.isFinite(duration) && duration > 0;
}

/** The line under the title: artist — album, falling back to what is known. */
export function trackSubtitle(track: Track): string {
  return [track.artist, track.album].filter(Boolean).join(" — ");
}

export function trackTitle(track: Track): string {
  return track.title || track.filename || "Untitled";
}
