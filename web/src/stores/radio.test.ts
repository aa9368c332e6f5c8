import { afterEach, describe, expect, it, vi } from "vitest";
import type { Track } from "../lib/api";
import * as radioApi from "../lib/radio";
import { FakeEngine } from "../testing/engine";
import { json, noContent } from "../testing/fetch";
import { type Received, routedFetch } from "../testing/server";
import { MemoryStorage } from "../testing/storage";
import { ManualTimers, settle } from "../testing/timers";
import { track } from "../testing/tracks";
import { Player } from "./player.svelte";
import { Preferences } from "./preferences.svelte";
import { Queue, localQueueApi } from "./queue.svelte";
import { Radio } from "./radio.svelte";

const many = (prefix: string, n: number): Track[] => Array.from({ length: n }, (_, i) => track(`${prefix}${i}`));

/** A player over a queue, a radio on both, and a server that answers the radio's calls. */
function setup(first = many("r", 10), refills: Track[][] = [many("n", 10), many("m", 10)]) {
  const player = new Player(new Preferences(new MemoryStorage()), () => []);
  const engine = new FakeEngine(player.dispatch);
  player.attach(engine);
  const queue = new Queue(localQueueApi(), player, "test", new ManualTimers());
  player.useQueue(queue);
  const radio = new Radio(radioApi, queue, player);
  const received = routedFetch({
    "POST /api/radio": () => json(201, { id: "r1", seed: { kind: "track", id: "s" }, title: "Radio from Seed", tracks: first }),
    "POST /api/radio/r1/next": () => json(200, { tracks: refills.shift() ?? [] }),
    "POST /api/radio/r1/feedback": () => noContent(),
  });
  const feedback = () =>
    received.filter((r) => r.path.endsWith("/feedback")).map((r) => r.body as { track_id: string; action: string; position_s: number });
  const nexts = () => received.filter((r: Received) => r.path.endsWith("/next"));
  /** The player reaches `seconds` into the track playing. */
  const at = (seconds: number) => player.dispatch({ type: "time", position: seconds, duration: 180 });
  return { player, engine, queue, radio, received, feedback, nexts, at };
}

afterEach(() => vi.unstubAllGlobals());

describe("Radio", () => {
  it("starts from a seed: its tracks become the queue and the first one plays", async () => {
    const t = setup();
    await t.radio.start({ kind: "track", id: "s" });
    expect(t.received[0]).toMatchObject({ method: "POST", path: "/api/radio", body: { seed: { kind: "track", id: "s" } } });
    expect(t.queue.tracks.map((x) => x.id)).toEqual(many("r", 10).map((x) => x.id));
    expect(t.queue.radio).toEqual({ id: "r1", title: "Radio from Seed", seed: { kind: "track", id: "s" } });
    expect(t.engine.calls).toEqual(["load r0 autoplay"]);
  });

  it("appends the next tracks once fewer than three are left after the current one", async () => {
    const t = setup();
    await t.radio.start({ kind: "track", id: "s" });
    for (let i = 0; i < 6; i++) {
      t.at(200);
      t.player.dispatch({ type: "ended" });
    }
    await settle();
    // Playing r6: three (r7, r8, r9) are left, enough.
    expect(t.player.state.track?.id).toBe("r6");
    expect(t.nexts()).toHaveLength(0);
    t.at(200);
    t.player.dispatch({ type: "ended" });
    await settle();
    // Playing r7: two left, so ten more came.
    expect(t.nexts()).toHaveLength(1);
    expect(t.nexts()[0].query.get("count")).toBe("10");
    expect(t.queue.tracks).toHaveLength(20);
    expect(t.queue.tracks.at(-1)?.id).toBe("n9");
    // Endless: the refilled tracks are refilled in turn.
    for (let i = 0; i < 11; i++) t.player.next();
    await settle();
    expect(t.player.state.track?.id).toBe("n8");
    expect(t.nexts()).toHaveLength(2);
    expect(t.queue.tracks).toHaveLength(30);
  });

  it("asks once while a refill is on its way", async () => {
    const t = setup(many("r", 2));
    await t.radio.start({ kind: "track", id: "s" });
    await Promise.all([t.radio.refill(), t.radio.refill()]);
    expect(t.nexts()).toHaveLength(1);
    expect(t.queue.tracks).toHaveLength(12);
  });

  it("tells the radio of a skip within 30 s, of nothing after, and of a track heard to its end", async () => {
    const t = setup();
    await t.radio.start({ kind: "track", id: "s" });
    t.at(12.34);
    t.player.next(); // r0 left at 12 s: a skip
    t.at(45);
    t.player.next(); // r1 left at 45 s: neither
    t.at(180);
    t.player.dispatch({ type: "ended" }); // r2 heard to its end
    await settle();
    expect(t.feedback()).toEqual([
      { track_id: "r0", action: "skip", position_s: 12.3 },
      { track_id: "r2", action: "played", position_s: 180 },
    ]);
  });

  it("'not this' sends a dislike and skips, without a skip on top", async () => {
    const t = setup();
    await t.radio.start({ kind: "track", id: "s" });
    t.at(5);
    expect(t.radio.gave(t.player.state.track)).toBe(true);
    t.radio.dislike();
    await settle();
    expect(t.player.state.track?.id).toBe("r1");
    expect(t.feedback()).toEqual([{ track_id: "r0", action: "dislike", position_s: 5 }]);
  });

  it("ends when something else replaces the queue: no more feedback, no more tracks", async () => {
    const t = setup(many("r", 3));
    await t.radio.start({ kind: "track", id: "s" });
    await settle();
    const before = t.received.length;
    t.player.playFrom([track("album1"), track("album2")]);
    expect(t.queue.radio).toBeNull();
    t.player.next();
    await settle();
    expect(t.received.length).toBe(before);
    expect(t.radio.gave(t.player.state.track)).toBe(false);
  });

  it("drops tracks that arrive after the radio was stopped", async () => {
    const t = setup(many("r", 2));
    await t.radio.start({ kind: "track", id: "s" });
    const refill = t.radio.refill();
    t.radio.stop();
    await refill;
    expect(t.queue.tracks).toHaveLength(2);
    expect(t.queue.radio).toBeNull();
  });

  it("says so when nothing is similar yet, and leaves the queue alone", async () => {
    const t = setup([]);
    t.queue.replace([track("mine")]);
    await t.radio.start({ kind: "artist", id: "a" });
    expect(t.radio.error).toMatch(/analysed/);
    expect(t.queue.tracks.map((x) => x.id)).toEqual(["mine"]);
    expect(t.queue.radio).toBeNull();
  });
});
