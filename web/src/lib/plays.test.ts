import { describe, expect, it } from "vitest";
import { ApiError } from "./http";
import type { PlayIn, PlayOut } from "./listening";
import { PlayClock, PlayReporter, rungOfLevel } from "./plays";
import { FakeMedia } from "../testing/media";
import { ManualTimers } from "../testing/timers";
import { track } from "../testing/tracks";

/** A reporter on a fake element and clock, with the server's answers in the test's hands. */
function setUp(answer: (body: PlayIn) => PlayOut | Error | Promise<PlayOut> = (body) => ok(body)) {
  const media = new FakeMedia();
  const timers = new ManualTimers();
  const clock = { ms: 0 };
  const sent: PlayIn[] = [];
  const beacons: { url: string; body: Blob }[] = [];
  const logged: string[] = [];
  const counts: [string, number][] = [];
  let ids = 0;
  const reporter = new PlayReporter({
    media,
    timers,
    now: () => clock.ms,
    newId: () => `session-${++ids}`,
    post: async (body) => {
      sent.push(structuredClone(body));
      const result = await answer(body);
      if (result instanceof Error) throw result;
      return result;
    },
    beacon: (url, body) => {
      beacons.push({ url, body });
      return true;
    },
    log: (message) => logged.push(message),
    onlisteners: (id, n) => counts.push([id, n]),
  });
  /** Play on for `seconds` of real time at `rate`, a timeupdate every quarter second. */
  const play = (seconds: number, rate = 1) => {
    for (let i = 0; i < seconds * 4; i++) {
      clock.ms += 250;
      media.at(media.currentTime + 0.25 * rate);
    }
  };
  return { media, timers, clock, sent, beacons, logged, counts, reporter, play };
}

/** Let every queued event reach the fake server (chains of awaits, more than a few turns). */
const drain = () => new Promise((resolve) => setTimeout(resolve, 0));

function ok(body: PlayIn, over: Partial<PlayOut> = {}): PlayOut {
  return {
    session: body.session,
    token: `token-${body.session}`,
    counted: false,
    credited_ms: body.played_ms,
    count_after_ms: 30_000,
    heartbeat_s: 10,
    listeners: 1,
    ...over,
  };
}

function load(reporter: PlayReporter, id = "t1", delivery: "hls" | "mp3" = "mp3") {
  reporter.event({ type: "load", track: track(id) });
  reporter.event({ type: "delivery", delivery });
}

describe("PlayClock", () => {
  it("counts the media's steps, each capped by the real time that passed", () => {
    let now = 0;
    const clock = new PlayClock(() => now);
    clock.from(0);
    now = 1000;
    clock.tick(1); // 1 s heard in 1 s
    now = 2000;
    clock.tick(3); // a 2 s jump in 1 s: only 1 s
    now = 3000;
    clock.tick(3.5); // half a second heard in a second (slow rate, a stall)
    expect(clock.playedMs).toBe(2500);
  });

  it("counts nothing while stopped, nor backwards", () => {
    let now = 0;
    const clock = new PlayClock(() => now);
    clock.tick(5); // no anchor yet
    now = 5000;
    clock.tick(1); // backwards
    clock.stop();
    now = 9000;
    clock.tick(9);
    expect(clock.playedMs).toBe(0);
  });
});

describe("PlayReporter: played_ms", () => {
  it("adds what played, nothing for a seek forward", async () => {
    const { media, reporter, sent, play, timers } = setUp();
    load(reporter);
    media.play();
    play(5);
    media.seek(120);
    play(5);
    await drain();
    timers.fire(); // a heartbeat
    await drain();
    const progress = sent.find((b) => b.event === "progress");
    expect(progress?.played_ms).toBe(10_000);
    expect(progress?.position_ms).toBe(125_000);
  });

  it("adds nothing while paused, and a seek backwards replays count", async () => {
    const { media, reporter, sent, play, clock } = setUp();
    load(reporter);
    media.play();
    play(4);
    media.pause();
    clock.ms += 60_000; // away for a minute
    media.play();
    play(2);
    media.seek(0);
    play(3);
    reporter.stop();
    await drain();
    expect(sent.map((b) => b.event)).toEqual(["start", "pause", "progress", "end"]);
    expect(sent[1].played_ms).toBe(4000);
    expect(sent.at(-1)?.played_ms).toBe(9000);
  });

  it("counts real time at a fast rate, media time at a slow one", async () => {
    const fast = setUp();
    load(fast.reporter);
    fast.media.play();
    fast.play(8, 2);
    fast.reporter.stop();
    const slow = setUp();
    load(slow.reporter);
    slow.media.play();
    slow.play(8, 0.5);
    slow.reporter.stop();
    await drain();
    expect(fast.sent.at(-1)).toMatchObject({ event: "end", played_ms: 8000, position_ms: 16_000 });
    expect(slow.sent.at(-1)).toMatchObject({ event: "end", played_ms: 4000, position_ms: 4000 });
  });
});

describe("PlayReporter: events", () => {
  it("starts on the first audible frame, beats every heartbeat_s, pauses and ends", async () => {
    const { media, reporter, sent, play, timers, counts, clock } = setUp((body) => ok(body, { heartbeat_s: 5, listeners: 3 }));
    load(reporter, "t1", "hls");
    reporter.event({ type: "level", bitrate: 281_000, url: "/api/tracks/t1/hls/256k.m3u8?sig=x" });
    expect(sent).toEqual([]); // loaded, not yet heard
    media.play();
    await drain();
    expect(sent[0]).toMatchObject({ event: "start", session: "session-1", track_id: "t1", played_ms: 0, rung: "256k" });
    expect(sent[0].token).toBeUndefined();
    expect(timers.delays).toEqual([5000]); // the server's heartbeat
    play(5);
    timers.fire();
    await drain();
    expect(sent[1]).toMatchObject({ event: "progress", token: "token-session-1", played_ms: 5000 });
    media.pause();
    expect(timers.delays).toEqual([]); // no heartbeats while paused
    media.play();
    play(1);
    clock.ms += 1000;
    media.end(7);
    await drain();
    expect(sent.map((b) => b.event)).toEqual(["start", "progress", "pause", "progress", "end"]);
    expect(sent.every((b) => b.session === "session-1")).toBe(true);
    expect(sent.at(-1)).toMatchObject({ played_ms: 7000, position_ms: 7000 });
    expect(counts.at(-1)).toEqual(["t1", 3]);
    // Played again from the top: a new play.
    media.currentTime = 0;
    media.play();
    await drain();
    expect(sent.at(-1)).toMatchObject({ event: "start", session: "session-2", track_id: "t1" });
  });

  it("ends the last track's session on a track change, with where it was left", async () => {
    const { media, reporter, sent, play } = setUp();
    load(reporter, "t1");
    media.play();
    play(3);
    // The engine has already emptied the element when it says "load".
    media.currentTime = 0;
    load(reporter, "t2");
    media.play();
    await drain();
    // Each session's events in order; two sessions' may interleave.
    const of = (session: string) => sent.filter((b) => b.session === session);
    expect(of("session-1").map((b) => [b.event, b.rung])).toEqual([
      ["start", "mp3"],
      ["end", "mp3"],
    ]);
    expect(of("session-1")[1]).toMatchObject({ played_ms: 3000, position_ms: 3000 });
    expect(of("session-2")).toMatchObject([{ event: "start", track_id: "t2" }]);
  });

  it("holds events until the start answers, then sends them with its token", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { media, reporter, sent, play } = setUp(async (body) => {
      if (body.event === "start") await gate;
      return ok(body);
    });
    load(reporter);
    media.play();
    play(2);
    media.pause();
    await drain();
    expect(sent.map((b) => b.event)).toEqual(["start"]);
    release();
    await drain();
    expect(sent.map((b) => [b.event, b.token, b.played_ms])).toEqual([
      ["start", undefined, 0],
      ["pause", "token-session-1", 2000],
    ]);
  });

  it.each([429, 403, 409])("gives the session up after a %i, and playback goes on", async (status) => {
    const { media, reporter, sent, play, timers, logged } = setUp((body) =>
      body.event === "progress" ? new ApiError(status, "no") : ok(body),
    );
    load(reporter);
    media.play();
    play(10);
    await drain();
    timers.fire();
    await drain();
    play(10);
    timers.fire();
    media.pause();
    reporter.stop();
    await drain();
    expect(sent.map((b) => b.event)).toEqual(["start", "progress"]);
    expect(timers.delays).toEqual([]);
    expect(logged).toHaveLength(1);
    expect(media.paused).toBe(true); // only the test paused it
  });

  it("reports nothing for a play whose start was refused", async () => {
    const { media, reporter, sent, play, timers } = setUp((body) =>
      body.event === "start" ? new ApiError(401, "Sign in first.") : ok(body),
    );
    load(reporter);
    media.play();
    await drain();
    play(10);
    timers.fire();
    media.pause();
    await drain();
    expect(sent.map((b) => b.event)).toEqual(["start"]);
  });

  it("skips a heartbeat the network lost and goes on", async () => {
    let down = true;
    const { media, reporter, sent, play, timers } = setUp((body) =>
      body.event === "progress" && down ? new ApiError(0, "offline") : ok(body),
    );
    load(reporter);
    media.play();
    await drain();
    play(10);
    timers.fire();
    await drain();
    down = false;
    play(10);
    timers.fire();
    await drain();
    expect(sent.map((b) => [b.event, b.played_ms])).toEqual([
      ["start", 0],
      ["progress", 10_000],
      ["progress", 20_000],
    ]);
  });
});

describe("PlayReporter: pagehide", () => {
  it("ends the session with a beacon of JSON, and sends nothing after", async () => {
    const { media, reporter, sent, beacons, play, timers } = setUp();
    load(reporter, "t1", "hls");
    reporter.event({ type: "level", bitrate: 140_000, url: null });
    media.play();
    await drain();
    play(12);
    reporter.pagehide();
    expect(beacons).toHaveLength(1);
    expect(beacons[0].url).toBe("/api/plays");
    expect(beacons[0].body.type).toBe("application/json");
    expect(JSON.parse(await beacons[0].body.text())).toEqual({
      event: "end",
      session: "session-1",
      token: "token-session-1",
      played_ms: 12_000,
      position_ms: 12_000,
      rung: "128k",
    });
    timers.fire();
    media.pause();
    await drain();
    expect(sent.map((b) => b.event)).toEqual(["start"]);
    reporter.pagehide();
    expect(beacons).toHaveLength(1);
  });

  it("opens a new session when the page comes back from the cache still playing", async () => {
    const { media, reporter, sent } = setUp();
    load(reporter);
    media.play();
    await drain();
    reporter.pagehide();
    reporter.pageshow(true);
    await drain();
    expect(sent.map((b) => [b.event, b.session])).toEqual([
      ["start", "session-1"],
      ["start", "session-2"],
    ]);
  });
});

describe("PlayReporter: made late", () => {
  it("reports a track that was already playing when it was made", async () => {
    const { media, reporter, sent } = setUp();
    media.paused = false; // playing before the reporter listened
    media.currentTime = 1.5;
    load(reporter, "t7");
    reporter.catchUp();
    await drain();
    expect(sent).toMatchObject([{ event: "start", track_id: "t7", position_ms: 1500 }]);
  });
});

describe("rungOfLevel", () => {
  it("reads the rung from the variant's name, else the nearest bitrate", () => {
    expect(rungOfLevel("https://x/api/tracks/a/hls/64k.m3u8?token=1", 999_999)).toBe("64k");
    expect(rungOfLevel(null, 71_000)).toBe("64k");
    expect(rungOfLevel(null, 141_000)).toBe("128k");
    expect(rungOfLevel(null, 199_000)).toBe("256k"); // a mono source's top rung
    expect(rungOfLevel(null, 282_000)).toBe("256k");
    expect(rungOfLevel("master.m3u8", null)).toBeNull();
  });
});
