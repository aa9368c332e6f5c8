/** The Media Session: media keys, the lock screen and the OS media controls. */
import type { PlayerState } from "./player";
import { trackTitle } from "./player";

export interface SessionActions {
  play(): void;
  pause(): void;
  previous(): void;
  next(): void;
  seek(seconds: number): void;
  seekBy(delta: number): void;
}

export function bindMediaSession(actions: SessionActions): void {
  const session = navigator.mediaSession as MediaSession | undefined;
  if (!session) return;
  const handlers: [MediaSessionAction, MediaSessionActionHandler][] = [
    ["play", () => actions.play()],
    ["pause", () => actions.pause()],
    ["previoustrack", () => actions.previous()],
    ["nexttrack", () => actions.next()],
    ["seekto", (d) => d.seekTime != null && actions.seek(d.seekTime)],
    ["seekbackward", (d) => actions.seekBy(-(d.seekOffset ?? 10))],
    ["seekforward", (d) => actions.seekBy(d.seekOffset ?? 10)],
  ];
  for (const [action, handler] of handlers) {
    try {
      session.setActionHandler(action, handler);
    } catch {
      // an action this browser does not know
    }
  }
}

let shownTrackId: string | null = null;

export function updateMediaSession(state: PlayerState): void {
  const session = navigator.mediaSession as MediaSession | undefined;
  if (!session || typeof MediaMetadata === "undefined") return;
  const track = state.track;
  if (track && track.id !== shownTrackId) {
    shownTrackId = track.id;
    const artwork: MediaImage[] = [];
    const { artwork: art } = track.urls;
    if (art["128"]) artwork.push({ src: art["128"], sizes: "128x128", type: "image/webp" });
    if (art["512"]) artwork.push({ src: art["512"], sizes: "512x512", type: "image/webp" });
    session.metadata = new MediaMetadata({
      title: trackTitle(track),
      artist: track.artist ?? "",
      album: track.album ?? "",
      artwork,
    });
  }
  session.playbackState = track ? (state.playing ? "playing" : "paused") : "none";
  if (track && state.duration > 0) {
    try {
      session.setPositionState({
        duration: state.duration,
        position: Math.min(state.position, state.duration),
        playbackRate: 1,
      });
    } catch {
      // an inconsistent moment while seeking; the next update fixes it
    }
  }
}

/** Nothing is playing any more (the person signed out): the OS controls forget the track. */
export function clearMediaSession(): void {
  const session = navigator.mediaSession as MediaSession | undefined;
  if (!session) return;
  shownTrackId = null;
  session.metadata = null;
  session.playbackState = "none";
}
