import { describe, expect, it } from "vitest";
import {
  clockMs,
  isLyricsFile,
  lineAt,
  linesToSync,
  lrcTime,
  nudge,
  pairLyrics,
  restartFrom,
  startSync,
  stem,
  syncDone,
  syncToLrc,
  tap,
  undoTap,
  wordsSung,
  uploadFor,
  attachmentLine,
} from "./lyrics";

const lines = [
  { start_ms: 1000, text: "one", words: [] },
  { start_ms: 2500, text: "two", words: [] },
  { start_ms: 2500, text: "two again", words: [] },
  { start_ms: 9000, text: "three", words: [] },
];

describe("the line playing at a time", () => {
  it("is none before the first line", () => {
    expect(lineAt(lines, 0)).toBe(-1);
    expect(lineAt(lines, 999)).toBe(-1);
  });
  it("is the last line started, inclusive of its start", () => {
    expect(lineAt(lines, 1000)).toBe(0);
    expect(lineAt(lines, 2499)).toBe(0);
    // Two lines at one time: the later one in the text shows (both started).
    expect(lineAt(lines, 2500)).toBe(2);
    expect(lineAt(lines, 8999)).toBe(2);
    expect(lineAt(lines, 9000)).toBe(3);
    expect(lineAt(lines, 10_000_000)).toBe(3);
  });
  it("is none for plain lyrics or none at all", () => {
    expect(lineAt([], 5000)).toBe(-1);
    expect(lineAt([{ start_ms: null }, { start_ms: null }], 5000)).toBe(-1);
  });
  it("agrees with a linear scan on many lines", () => {
    const many = Array.from({ length: 500 }, (_, i) => ({ start_ms: i * 700 + (i % 3) * 10 }));
    for (let ms = -5; ms < 500 * 700; ms += 97) {
      let expected = -1;
      many.forEach((l, i) => {
        if (l.start_ms <= ms) expected = i;
      });
      expect(lineAt(many, ms)).toBe(expected);
    }
  });
  it("counts the words sung so far", () => {
    const line = {
      start_ms: 1000,
      text: "Hel lo",
      words: [
        { start_ms: 1000, text: "Hel" },
        { start_ms: 1400, text: "lo" },
      ],
    };
    expect([900, 1000, 1399, 1400, 5000].map((ms) => wordsSung(line, ms))).toEqual([0, 1, 1, 2, 2]);
  });
});

describe("the playback clock", () => {
  it("runs on between reports while playing and stands while paused", () => {
    expect(clockMs({ position: 10, at: 1000, playing: true }, 1250)).toBe(10_250);
    expect(clockMs({ position: 10, at: 1000, playing: false }, 5000)).toBe(10_000);
    expect(clockMs({ position: 10, at: 1000, playing: true }, 900)).toBe(10_000);
  });
});

describe("LRC times", () => {
  it("writes mm:ss.xx like the server", () => {
    expect(lrcTime(0)).toBe("00:00.00");
    expect(lrcTime(62_345)).toBe("01:02.34");
    expect(lrcTime(6_000_000)).toBe("100:00.00");
    expect(lrcTime(-5)).toBe("00:00.00");
  });
});

describe("the lines to sync", () => {
  it("drops times, metadata and blank lines", () => {
    const text = "[ar:Someone]\r\n[00:01.00]One <00:01.50>two\n\n  Three  four \r[offset:+100]\n";
    expect(linesToSync(text)).toEqual(["One two", "Three four"]);
  });
  it("keeps bracketed text that is not a tag", () => {
    expect(linesToSync("[Chorus]\nla")).toEqual(["[Chorus]", "la"]);
  });
});

describe("tap to sync", () => {
  const fresh = () => startSync(["one", "two", "three"]);

  it("stamps each line in turn, then is done", () => {
    let s = fresh();
    expect(s.next).toBe(0);
    expect(syncDone(s)).toBe(false);
    s = tap(s, 1000.4);
    s = tap(s, 2500);
    expect(s.times).toEqual([1000, 2500, null]);
    expect(syncDone(s)).toBe(false);
    s = tap(s, 4000);
    expect(syncDone(s)).toBe(true);
    // Taps past the end change nothing.
    expect(tap(s, 9000)).toBe(s);
    expect(syncToLrc(s)).toBe("[00:01.00]one\n[00:02.50]two\n[00:04.00]three");
  });

  it("never goes back in time", () => {
    let s = tap(fresh(), 5000);
    s = tap(s, 3000); // the person sought back, then tapped
    expect(s.times).toEqual([5000, 5000, null]);
  });

  it("undoes the last tap, and nothing before the first", () => {
    let s = tap(tap(fresh(), 1000), 2000);
    s = undoTap(s);
    expect(s.times).toEqual([1000, null, null]);
    expect(s.next).toBe(1);
    s = undoTap(undoTap(s));
    expect(s.times).toEqual([null, null, null]);
    expect(s.next).toBe(0);
  });

  it("nudges a line between its neighbours", () => {
    let s = tap(tap(tap(fresh(), 1000), 2000), 3000);
    s = nudge(s, 1, 250);
    expect(s.times).toEqual([1000, 2250, 3000]);
    s = nudge(s, 1, 5000);
    expect(s.times[1]).toBe(3000);
    s = nudge(s, 0, -5000);
    expect(s.times[0]).toBe(0);
    // An unstamped line has nothing to move.
    const partial = tap(fresh(), 1000);
    expect(nudge(partial, 2, 100)).toBe(partial);
    // The last line may move later without bound.
    expect(nudge(s, 2, 60_000).times[2]).toBe(63_000);
  });

  it("starts again from a line", () => {
    let s = tap(tap(tap(fresh(), 1000), 2000), 3000);
    s = restartFrom(s, 1);
    expect(s.times).toEqual([1000, null, null]);
    expect(s.next).toBe(1);
    s = tap(s, 2200);
    expect(s.times).toEqual([1000, 2200, null]);
  });

  it("resumes from existing times (editing a synced text)", () => {
    const s = startSync(["a", "b"], [1000, null]);
    expect(s.next).toBe(1);
    expect(syncDone(startSync(["a", "b"], [1000, 2000]))).toBe(true);
    expect(syncDone(startSync([]))).toBe(false);
  });

  it("writes only the stamped lines", () => {
    expect(syncToLrc(tap(fresh(), 1500))).toBe("[00:01.50]one");
  });
});

describe("lyrics files dropped with audio", () => {
  const f = (name: string) => ({ name });

  it("knows lyrics files and stems", () => {
    expect(isLyricsFile(f("a.LRC"))).toBe(true);
    expect(isLyricsFile(f("a.txt"))).toBe(true);
    expect(isLyricsFile(f("a.flac"))).toBe(false);
    expect(isLyricsFile(f(".lrc"))).toBe(false);
    expect(stem("Disc 1/01 Song.FLAC")).toBe("01 song");
    expect(stem("noext")).toBe("noext");
  });

  it("pairs by name, prefers .lrc, and reports the rest", () => {
    const files = [
      f("01 Song.flac"),
      f("01 song.txt"),
      f("01 Song.lrc"),
      f("02 Other.mp3"),
      f("03 Lonely.lrc"),
      f("cover.jpg"),
    ];
    const got = pairLyrics(files);
    expect(got.audio.map((x) => x.name)).toEqual(["01 Song.flac", "02 Other.mp3", "cover.jpg"]);
    expect(got.lyrics.map((x) => [x.file.name, x.audio.name])).toEqual([["01 Song.lrc", "01 Song.flac"]]);
    expect(got.orphans.map((x) => x.name)).toEqual(["03 Lonely.lrc", "01 song.txt"]);
  });
});

describe("lyrics files waiting for their upload", () => {
  const waiting = {
    id: 1,
    name: "a.lrc",
    audioName: "a.flac",
    afterKey: 3,
    state: { phase: "waiting" as const, text: "[00:01.00]x" },
  };
  const item = (key: number, phase: string, trackId: string | null = null, error: string | null = null) => ({
    key,
    name: "a.flac",
    phase,
    trackId,
    error,
  });

  it("waits while the audio uploads, then names its track", () => {
    expect(uploadFor(waiting, [item(4, "uploading")])).toBeNull();
    expect(uploadFor(waiting, [item(4, "processing", "t1")])).toEqual({ trackId: "t1" });
    // An older upload of the same name (an earlier drop) is not it.
    expect(uploadFor(waiting, [item(2, "ready", "old")])).toEqual({
      failed: "its audio file was removed from the uploads.",
    });
  });

  it("gives up with the audio, in words", () => {
    const got = uploadFor(waiting, [item(4, "failed", null, "This file is empty.")]);
    expect(got).toEqual({ failed: "its audio file did not upload (This file is empty.)." });
    expect(attachmentLine({ ...waiting, state: { phase: "failed", reason: "x." } })).toBe("Not saved: x.");
    expect(attachmentLine({ ...waiting, audioName: null, state: { phase: "orphan" } })).toMatch(/no audio file of the same name/);
    expect(attachmentLine({ ...waiting, state: { phase: "saved", synced: true } })).toBe("Saved as the synced lyrics of a.flac.");
  });
});
