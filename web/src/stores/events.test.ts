import { describe, expect, it } from "vitest";
import { FakeSource } from "../testing/events";
import { ManualTimers } from "../testing/timers";
import { Changes } from "./changes.svelte";
import {
  LiveEvents,
  MAX_BACKOFF_MS,
  backoff,
  parseChartsEvent,
  parseLiveEvent,
  parseQueueEvent,
  parseTrackEvent,
} from "./events.svelte";

function setup() {
  const sources: FakeSource[] = [];
  const timers = new ManualTimers();
  const live = new LiveEvents((url) => {
    const s = new FakeSource(url);
    sources.push(s);
    return s;
  }, timers);
  return { live, sources, timers };
}

describe("the change feed", () => {
  it("reads track events and drops anything else", () => {
    expect(parseTrackEvent('{"id":"t1","action":"deleted"}')).toEqual({ id: "t1", action: "deleted" });
    expect(parseTrackEvent('{"id":"t1","action":"exploded"}')).toBeNull();
    expect(parseTrackEvent('{"id":5,"action":"created"}')).toBeNull();
    expect(parseTrackEvent("not json")).toBeNull();
    expect(parseTrackEvent(undefined)).toBeNull();
  });

  it("hands track events to its subscribers", () => {
    const { live, sources } = setup();
    const seen: string[] = [];
    live.onTrack((e) => seen.push(`${e.action} ${e.id}`));
    live.start();
    expect(sources[0].url).toBe("/api/events");
    sources[0].fire("open");
    expect(live.connected).toBe(true);
    sources[0].fire("track", '{"id":"a","action":"created"}');
    sources[0].fire("track", "{broken");
    sources[0].fire("playlist", '{"id":"p","action":"created"}');
    expect(seen).toEqual(["created a"]);
  });

  it("hands playlist and queue events to theirs", () => {
    const { live, sources } = setup();
    const seen: string[] = [];
    live.onPlaylist((e) => seen.push(`playlist ${e.action} ${e.id}`));
    live.onQueue((e) => seen.push(`queue ${e.version} ${e.device}`));
    live.start();
    sources[0].fire("playlist", '{"id":"p","action":"updated"}');
    sources[0].fire("queue", '{"version":4,"device":"Firefox · ab12"}');
    sources[0].fire("queue", '{"version":5,"device":null}');
    sources[0].fire("queue", '{"version":"5"}');
    sources[0].fire("track", '{"id":"t","action":"created"}');
    expect(seen).toEqual(["playlist updated p", "queue 4 Firefox · ab12", "queue 5 null"]);
    expect(parseQueueEvent("nope")).toBeNull();
  });

  it("reconnects after 1, 2, 4 … seconds, and resyncs once open again", () => {
    const { live, sources, timers } = setup();
    let resyncs = 0;
    live.onResync(() => (resyncs += 1));
    live.start();
    sources[0].fire("open");
    sources[0].fire("error");
    expect(sources[0].closed).toBe(true);
    expect(timers.delays).toEqual([1000]);
    timers.fire();
    sources[1].fire("error");
    expect(timers.delays).toEqual([2000]);
    timers.fire();
    sources[2].fire("open");
    expect(resyncs).toBe(1);
    sources[2].fire("error");
    expect(timers.delays).toEqual([1000]);
    expect(backoff(20)).toBe(MAX_BACKOFF_MS);
  });

  it("stops for good", () => {
    const { live, sources, timers } = setup();
    live.start();
    sources[0].fire("error");
    live.stop();
    expect(timers.delays).toEqual([]);
    expect(sources).toHaveLength(1);
  });
});

describe("changes to tracks", () => {
  it("drop gone tracks and show edited copies", () => {
    const changes = new Changes();
    const list = [{ id: "a", title: "A" }, { id: "b", title: "B" }];
    changes.deleted("a");
    changes.saved([{ id: "b", title: "Bee" } as never]);
    expect(changes.apply(list)).toEqual([{ id: "b", title: "Bee" }]);
  });

  it("reads live and charts events and hands them on", () => {
    expect(parseLiveEvent('{"track_id":"t1","listeners":2}')).toEqual({ track_id: "t1", listeners: 2 });
    expect(parseLiveEvent('{"track_id":"t1","listeners":-1}')).toBeNull();
    expect(parseLiveEvent('{"track_id":1,"listeners":2}')).toBeNull();
    expect(parseChartsEvent('{"window":"24h"}')).toEqual({ window: "24h" });
    expect(parseChartsEvent("[]")).toBeNull();
    const { live, sources } = setup();
    const seen: string[] = [];
    live.onLive((e) => seen.push(`${e.track_id}=${e.listeners}`));
    live.onCharts((e) => seen.push(`charts ${e.window}`));
    live.start();
    sources[0].fire("live", '{"track_id":"t1","listeners":3}');
    sources[0].fire("live", "garbage");
    sources[0].fire("charts", '{"window":"7d"}');
    expect(seen).toEqual(["t1=3", "charts 7d"]);
  });
});
