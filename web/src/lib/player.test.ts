import { describe, expect, it } from "vitest";
import type { Track } from "./api";
import {
  initialPlayerState,
  isPlayable,
  neighbour,
  previousRestarts,
  reduce,
  seekTarget,
  trackSubtitle,
  trackTitle,
} from "./player";

const track = (id: string, over: Partial<Track> = {}): Track => ({
  id,
  status: "ready",
  playable: true,
  error: null,
  progress: null,
  deduplicated: false,
  filename: `${id}.flac`,
  title: null,
  artist: null,
  album: null,
  album_artist: null,
  track_number: null,
  disc_number: null,
  year: null,
  genre: null,
  duration: 180,
  loudness: null,
  urls: { hls: `/h/${id}`, mp3: `/m/${id}`, original: `/o/${id}`, waveform: null, artwork: {} },
  created_at: "2025-01-01T00:00:00Z",
  ...over,
});

describe("reduce", () => {
  it("loads a track at the start with its known duration", () => {
    let s = initialPlayerState();
    s = reduce(s, { type: "time", position: 50, duration: 100 });
    s = reduce(s, { type: "load", track: track("a", { duration: 200 }) });
    expect(s).toMatchObject({ position: 0, duration: 200, playing: false, error: null });
    expect(s.track?.id).toBe("a");
  });

  it("tracks play, buffering and pause", () => {
    let s = reduce(initialPlayerState(), { type: "load", track: track("a") });
    s = reduce(s, { type: "play" });
    expect(s).toMatchObject({ playing: true, buffering: true });
    s = reduce(s, { type: "playing" });
    expect(s.buffering).toBe(false);
    s = reduce(s, { type: "waiting" });
    expect(s.buffering).toBe(true);
    s = reduce(s, { type: "pause" });
    expect(s).toMatchObject({ playing: false, buffering: false });
    expect(reduce(s, { type: "waiting" }).buffering).toBe(false);
  });

  it("keeps the position inside the track and ignores unusable durations", () => {
    let s = reduce(initialPlayerState(), { type: "load", track: track("a", { duration: 100 }) });
    s = reduce(s, { type: "time", position: 150, duration: Number.POSITIVE_INFINITY });
    expect(s).toMatchObject({ position: 100, duration: 100 });
    s = reduce(s, { type: "duration", duration: 101.5 });
    expect(s.duration).toBe(101.5);
    s = reduce(s, { type: "ended" });
    expect(s).toMatchObject({ playing: false, position: 101.5 });
  });

  it("remembers delivery, level, volume and normalization", () => {
    let s = initialPlayerState({ volume: 2, normalize: false });
    expect(s).toMatchObject({ volume: 1, normalize: false });
    s = reduce(s, { type: "delivery", delivery: "hls" });
    s = reduce(s, { type: "level", bitrate: 128000 });
    expect(s).toMatchObject({ delivery: "hls", bitrate: 128000 });
    s = reduce(s, { type: "mute", muted: true });
    s = reduce(s, { type: "volume", volume: 0.3 });
    expect(s).toMatchObject({ volume: 0.3, muted: false });
    s = reduce(s, { type: "error", message: "x" });
    expect(s).toMatchObject({ playing: false, error: "x" });
  });
});

describe("navigation", () => {
  const list = [
    track("a"),
    track("b", { status: "processing", playable: false }),
    track("c"),
    track("d", { status: "failed", playable: false }),
  ];

  it("skips tracks that cannot play", () => {
    expect(isPlayable(list[1])).toBe(false);
    expect(neighbour(list, "a", 1)?.id).toBe("c");
    expect(neighbour(list, "c", -1)?.id).toBe("a");
    expect(neighbour(list, "c", 1)).toBeNull();
    expect(neighbour(list, "a", -1)).toBeNull();
  });

  it("starts from the top when the current track left the list", () => {
    expect(neighbour(list, "gone", 1)?.id).toBe("a");
    expect(neighbour(list, null, 1)?.id).toBe("a");
    expect(neighbour([], "a", 1)).toBeNull();
  });

  it("plays a track still processing once it is playable", () => {
    expect(isPlayable(track("e", { status: "processing", playable: true }))).toBe(true);
  });

  it("restarts on previous after a few seconds, and clamps seeks", () => {
    expect(previousRestarts(10)).toBe(true);
    expect(previousRestarts(1)).toBe(false);
    expect(seekTarget(10, -15, 100)).toBe(0);
    expect(seekTarget(95, 10, 100)).toBe(100);
  });

  it("names tracks from tags, then the file", () => {
    expect(trackTitle(track("a", { title: "Song" }))).toBe("Song");
    expect(trackTitle(track("a"))).toBe("a.flac");
    expect(trackSubtitle(track("a", { artist: "X", album: "Y" }))).toBe("X — Y");
    expect(trackSubtitle(track("a", { album: "Y" }))).toBe("Y");
  });
});
