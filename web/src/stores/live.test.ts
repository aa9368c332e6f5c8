import { describe, expect, it } from "vitest";
import type { LiveOut, LiveTrack } from "../lib/listening";
import { FakeSource } from "../testing/events";
import { ManualTimers, settle } from "../testing/timers";
import { track } from "../testing/tracks";
import { LiveEvents } from "./events.svelte";
import { BATCH, LiveCounts } from "./live.svelte";

function setUp(busiest: LiveTrack[] = []) {
  const asked: string[][] = [];
  const timers = new ManualTimers();
  const api = {
    getLive: async (ids: readonly string[] = []): Promise<LiveOut> => {
      asked.push([...ids]);
      return {
        total: busiest.reduce((n, e) => n + e.listeners, 0),
        tracks: busiest,
        counts: Object.fromEntries(ids.filter((id) => !id.startsWith("hidden")).map((id) => [id, id === "t1" ? 2 : 0])),
      };
    },
  };
  const live = new LiveCounts(api, timers);
  const sources: FakeSource[] = [];
  const feedTimers = new ManualTimers();
  const events = new LiveEvents((url) => {
    const source = new FakeSource(url);
    sources.push(source);
    return source;
  }, feedTimers);
  live.follow(events);
  events.start();
  return { live, asked, timers, sources, feedTimers };
}

describe("live counts", () => {
  it("asks once for the rows drawn together, in batches", async () => {
    const { live, asked, timers } = setUp();
    live.watch(["t1", "t2"]);
    live.watch(["t2", "t3", "hidden-1"]);
    const many = Array.from({ length: BATCH + 5 }, (_, i) => `m${i}`);
    live.watch(many);
    expect(asked).toEqual([]);
    timers.fire();
    await settle();
    expect(asked.map((ids) => ids.length)).toEqual([BATCH, 9]);
    expect(asked[0].slice(0, 4)).toEqual(["t1", "t2", "t3", "hidden-1"]);
    expect(live.count("t1")).toBe(2);
    expect(live.count("t2")).toBe(0);
    // Known now: a page showing them again asks nothing.
    live.watch(["t1", "t2"]);
    expect(timers.delays).toEqual([]);
  });

  it("follows the feed's pushes without asking again", async () => {
    const { live, asked, sources } = setUp();
    sources[0].fire("live", '{"track_id":"t9","listeners":1}');
    sources[0].fire("live", '{"track_id":"t9","listeners":2}');
    expect(live.count("t9")).toBe(2);
    sources[0].fire("live", '{"track_id":"t9","listeners":1}');
    expect(live.count("t9")).toBe(1);
    await settle();
    expect(asked).toEqual([]);
  });

  it("keeps the busiest list in order as counts move, and loads it again for a newcomer", async () => {
    const { live, asked, timers, sources } = setUp([
      { track: track("a"), listeners: 3 },
      { track: track("b"), listeners: 1 },
    ]);
    const release = live.showBusiest();
    await settle();
    expect(live.busiest.map((e) => e.track.id)).toEqual(["a", "b"]);
    expect(live.total).toBe(4);
    sources[0].fire("live", '{"track_id":"b","listeners":5}');
    expect(live.busiest.map((e) => [e.track.id, e.listeners])).toEqual([
      ["b", 5],
      ["a", 3],
    ]);
    expect(live.total).toBe(8);
    sources[0].fire("live", '{"track_id":"a","listeners":0}');
    expect(live.busiest.map((e) => e.track.id)).toEqual(["b"]);
    // A track not on the list: the list is asked for again, once.
    sources[0].fire("live", '{"track_id":"c","listeners":1}');
    sources[0].fire("live", '{"track_id":"d","listeners":1}');
    expect(asked).toHaveLength(1);
    timers.fire();
    await settle();
    expect(asked).toHaveLength(2);
    release();
    sources[0].fire("live", '{"track_id":"e","listeners":1}');
    expect(timers.delays).toEqual([]); // nobody shows the list: nothing to load
  });

  it("loads what is shown again after the feed reconnects", async () => {
    const { live, asked, timers, sources, feedTimers } = setUp();
    const release = live.watch(["t1"]);
    timers.fire();
    await settle();
    release();
    live.watch(["t2"]);
    timers.fire();
    await settle();
    sources[0].fire("open");
    sources[0].fire("error");
    feedTimers.fire(); // the feed's retry
    sources[1].fire("open");
    timers.fire();
    await settle();
    expect(asked.at(-1)).toEqual(["t2"]);
  });
});
