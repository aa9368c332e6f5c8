import { describe, expect, it } from "vitest";
import { track } from "../testing/tracks";
import {
  initialPlayerState,
  lengthShown,
  isPlayable,
  neighbour,
  previousRestarts,
  reachableTime,
  reduce,
  seekTarget,
  shownDuration,
  trackSubtitle,
  trackTitle,
} from "./player";

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

  it("remembers delivery, level and errors", () => {
    let s = initialPlayerState();
    s = reduce(s, { type: "delivery", delivery: "hls" });
    s = reduce(s, { type: "level", bitrate: 128000 });
    expect(s).toMatchObject({ delivery: "hls", bitrate: 128000 });
    s = reduce(s, { type: "play" });
    s = reduce(s, { type: "error", message: "x" });
    expect(s).toMatchObject({ playing: false, error: "x" });
  });
});

describe("a track still being encoded", () => {
  // 10 minutes long by the probe; 40 s encoded so far.
  const encoding = track("live", { status: "processing", playable: true, duration: 600 });

  it("shows the probe's length while the media knows only the encoded part", () => {
    let s = reduce(initialPlayerState(), { type: "load", track: encoding });
    expect(s.duration).toBe(600);
    s = reduce(s, { type: "duration", duration: 40 });
    expect(s).toMatchObject({ duration: 600, mediaDuration: 40 });
    s = reduce(s, { type: "time", position: 12, duration: 40 });
    expect(s).toMatchObject({ position: 12, duration: 600 });
    // A live stream reports Infinity: still the probe.
    s = reduce(s, { type: "time", position: 13, duration: Number.POSITIVE_INFINITY });
    expect(s).toMatchObject({ position: 13, duration: 600, mediaDuration: 40 });
  });

  it("takes the media's length once it knows the whole track", () => {
    let s = reduce(initialPlayerState(), { type: "load", track: encoding });
    s = reduce(s, { type: "duration", duration: 600.4 });
    expect(s.duration).toBe(600.4);
    s = reduce(s, { type: "ended" });
    expect(s.position).toBe(600.4);
  });

  it("picks the longer of the probe and the media, ignoring unusable values", () => {
    expect(shownDuration(600, 40)).toBe(600);
    expect(shownDuration(600, Number.POSITIVE_INFINITY)).toBe(600);
    expect(shownDuration(600, null)).toBe(600);
    expect(shownDuration(600, 601)).toBe(601);
    expect(shownDuration(null, 42)).toBe(42);
    expect(shownDuration(0, Number.NaN)).toBe(0);
  });

  it("seeks no further than what is encoded so far", () => {
    expect(reachableTime(300, 40)).toBe(40);
    expect(reachableTime(30, 40)).toBe(30);
    // Nothing seekable known yet, or a finished track: the target as asked.
    expect(reachableTime(300, null)).toBe(300);
    expect(reachableTime(300, 0)).toBe(300);
    expect(reachableTime(300, Number.POSITIVE_INFINITY)).toBe(300);
    expect(reachableTime(-3, 40)).toBe(0);
    expect(reachableTime(Number.NaN, 40)).toBe(0);
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

  it("shows the probe's length, as the lists do, whatever the stream's own says", () => {
    let s = reduce(initialPlayerState(), { type: "load", track: track("a", { duration: 185.6 }) });
    s = reduce(s, { type: "duration", duration: 186.04 });
    expect(s.duration).toBe(186.04);
    expect(lengthShown(s)).toBe(185.6);
    expect(lengthShown({ track: null, duration: 12 })).toBe(12);
  });
});
