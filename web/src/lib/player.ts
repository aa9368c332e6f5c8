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
  /** The length shown: the media's own, or the probe's while only part is encoded. */
  duration: number;
  /** What the media element says the length is (finite, > 0), once it says. */
  mediaDuration: number | null;
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
  /** hls.js switched level; `url`: its playlist (named for its rung). */
  | { type: "level"; bitrate: number | null; url?: string | null }
  | { type: "error"; message: string };

export function initialPlayerState(): PlayerState {
  return {
    track: null,
    playing: false,
    buffering: false,
    position: 0,
    duration: 0,
    mediaDuration: null,
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
        duration: shownDuration(event.track.duration, null),
        mediaDuration: null,
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
      const media = usable(event.duration) ? event.duration : state.mediaDuration;
      const duration = shownDuration(state.track?.duration, media);
      return {
        ...state,
        position: clampTo(event.position, duration),
        duration,
        mediaDuration: media,
      };
    }
    case "duration":
      return usable(event.duration)
        ? {
            ...state,
            duration: shownDuration(state.track?.duration, event.duration),
            mediaDuration: event.duration,
          }
        : state;
    case "ended":
      return { ...state, playing: false, buffering: false, position: state.duration };
    case "level":
      return { ...state, bitrate: event.bitrate };
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

/**
 * The length a person is shown for the loaded track: the probe's, as the track lists show
 * it, so the player and the lists agree (an encoded stream can run a few hundredths of a
 * second longer than its source); the media's while the probe is unknown.
 */
export function lengthShown(state: Pick<PlayerState, "track" | "duration">): number {
  const probe = state.track?.duration;
  return usable(probe) ? probe : state.duration;
}

/** Where a relative seek lands: inside the track, never past its end. */
export function seekTarget(position: number, delta: number, duration: number): number {
  return clampTo(position + delta, duration);
}

/**
 * The length to show for a track: the media element's, unless it knows less than the
 * probe does. While a track is still being encoded its HLS playlist grows (EVENT): the
 * element reports only the encoded part, or Infinity, and the seek bar would shrink to
 * it; the probe measured the whole file at upload.
 */
export function shownDuration(
  probe: number | null | undefined,
  media: number | null | undefined,
): number {
  return Math.max(usable(probe) ? probe : 0, usable(media) ? media : 0);
}

/**
 * Where a seek can land now: `target`, unless it is past what the media can reach yet
 * (the end of the last seekable range, i.e. what is encoded so far). Then it goes to that
 * edge and plays on as more arrives, instead of asking for segments that do not exist.
 */
export function reachableTime(target: number, seekableEnd: number | null): number {
  const t = Number.isFinite(target) ? Math.max(0, target) : 0;
  if (seekableEnd === null || !Number.isFinite(seekableEnd) || seekableEnd <= 0) return t;
  return Math.min(t, seekableEnd);
}

function clampTo(position: number, duration: number): number {
  const p = Number.isFinite(position) ? Math.max(0, position) : 0;
  return duration > 0 ? Math.min(p, duration) : p;
}

function usable(duration: number | null | undefined): duration is number {
  return typeof duration === "number" && Number.isFinite(duration) && duration > 0;
}

/** The line under the title: artist — album, falling back to what is known. */
export function trackSubtitle(track: Track): string {
  return [track.artist, track.album].filter(Boolean).join(" — ");
}

export function trackTitle(track: Track): string {
  return track.title || track.filename || "Untitled";
}
