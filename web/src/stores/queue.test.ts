import { afterEach, describe, expect, it, vi } from "vitest";
import type { Track } from "../lib/api";
import { ApiError, setCsrfToken } from "../lib/http";
import { type QueuePatch, type QueuePut, type SavedQueue, deviceLabel, deviceName, restoredTracks, sendQueueOnHide } from "../lib/queue";
import { fakeFetch, header } from "../testing/fetch";
import { MemoryStorage } from "../testing/storage";
import { ManualTimers, settle } from "../testing/timers";
import { track } from "../testing/tracks";
import { POSITION_EVERY_MS, Queue, type QueueApi, type QueuePlayer, SAVE_DELAY_MS } from "./queue.svelte";

const saved = (over: Partial<SavedQueue> = {}): SavedQueue => ({
  track_ids: [],
  tracks: [],
  current_index: 0,
  position_s: 0,
  shuffle: false,
  shuffle_order: null,
  repeat: "off",
  version: 1,
  device: "Firefox on Linux · aaaa",
  updated_at: null,
  dropped: 0,
  ...over,
});

/** The server's queue and every call made to it. */
function setup(initial: SavedQueue = saved()) {
  let stored = initial;
  const calls: { method: string; body?: QueuePut | QueuePatch }[] = [];
  const hidden: { method: string; body: QueuePut | QueuePatch }[] = [];
  let refusePut: ApiError | null = null;
  const api: QueueApi = {
    getQueue: async () => {
      calls.push({ method: "GET" });
      return stored;
    },
    putQueue: async (body) => {
      calls.push({ method: "PUT", body });
      if (refusePut) throw refusePut;
      stored = saved({
        ...body,
        tracks: body.track_ids.map((id) => track(id)),
        version: stored.version + 1,
        device: body.device ?? null,
      });
      return stored;
    },
    patchQueue: async (body) => {
      calls.push({ method: "PATCH", body });
      stored = {
        ...stored,
        current_index: body.current_index ?? stored.current_index,
        position_s: body.position_s ?? stored.position_s,
        device: body.device ?? stored.device,
      };
      return stored;
    },
    sendQueueOnHide: (method, body) => void hidden.push({ method, body }),
  };
  const player = {
    state: { track: null as Track | null, position: 0, playing: false as boolean },
    restored: [] as string[],
    restore(t: Track, position: number) {
      player.restored.push(`${t.id}@${position}`);
      player.state = { track: t, position, playing: false };
    },
  } satisfies QueuePlayer & { restored: string[] };
  const timers = new ManualTimers();
  const queue = new Queue(api, player, "Chrome on Android · bbbb", timers);
  return {
    queue,
    player,
    timers,
    calls,
    hidden,
    server: {
      get: () => stored,
      set: (next: SavedQueue) => (stored = next),
      refusePut: (e: ApiError | null) => (refusePut = e),
    },
  };
}

const ids = (tracks: readonly Track[]) => tracks.map((t) => t.id).join("");
const abc = () => ["a", "b", "c"].map((id) => track(id));

describe("Queue", () => {
  it("restores the saved queue: same track, same second, paused", async () => {
    const t = setup(saved({ track_ids: ["a", "b", "c"], tracks: abc(), current_index: 1, position_s: 83, version: 7 }));
    await t.queue.start();
    expect(ids(t.queue.tracks)).toBe("abc");
    expect(t.queue.index).toBe(1);
    expect(t.player.restored).toEqual(["b@83"]);
    expect(t.queue.version).toBe(7);
    // Restoring saves nothing back.
    t.timers.fire();
    await settle();
    expect(t.calls.map((c) => c.method)).toEqual(["GET"]);
  });

  it("skips tracks one may no longer see, and starts the next one from its top", () => {
    const answer = restoredTracks({ track_ids: ["a", "gone", "c"], tracks: [track("a"), track("c")], current_index: 1 });
    expect(ids(answer.tracks)).toBe("ac");
    expect(answer).toMatchObject({ index: 1, same: false });
    expect(restoredTracks({ track_ids: ["a", "gone"], tracks: [track("a")], current_index: 1 }).index).toBe(0);
  });

  it("saves the whole queue a second after the last change", async () => {
    const t = setup();
    await t.queue.start();
    t.queue.replace(abc(), 0);
    t.queue.append([track("d")]);
    expect(t.timers.delays).toContain(SAVE_DELAY_MS);
    expect(t.timers.delays.filter((d) => d === SAVE_DELAY_MS)).toHaveLength(1);
    expect(t.calls.filter((c) => c.method === "PUT")).toHaveLength(0);
    await t.queue.save();
    const puts = t.calls.filter((c) => c.method === "PUT");
    expect(puts).toHaveLength(1);
    expect(puts[0].body).toMatchObject({
      track_ids: ["a", "b", "c", "d"],
      current_index: 0,
      device: "Chrome on Android · bbbb",
      base_version: 1,
    });
    expect(t.queue.version).toBe(2);
  });

  it("tells the server only which entry is current when that is all that changed", async () => {
    const t = setup(saved({ track_ids: ["a", "b"], tracks: [track("a"), track("b")], current_index: 0 }));
    await t.queue.start();
    t.player.state = { track: track("b"), position: 0, playing: true };
    t.queue.follow("b");
    expect(t.queue.index).toBe(1);
    t.timers.fire();
    await settle();
    expect(t.calls.slice(1)).toEqual([
      { method: "PATCH", body: { current_index: 1, position_s: 0, device: "Chrome on Android · bbbb" } },
    ]);
  });

  it("tells the server where playback is every 15 s, only when it moved", async () => {
    const t = setup(saved({ track_ids: ["a", "b"], tracks: [track("a"), track("b")], current_index: 0, position_s: 10 }));
    await t.queue.start();
    expect(t.timers.delays).toEqual([POSITION_EVERY_MS]);
    t.player.state = { track: track("a"), position: 10.2, playing: true };
    t.timers.fire();
    await settle();
    expect(t.calls.filter((c) => c.method === "PATCH")).toHaveLength(0); // still second 10
    t.player.state = { track: track("a"), position: 25.4, playing: true };
    t.timers.fire();
    await settle();
    expect(t.calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
      { current_index: 0, position_s: 25.4, device: "Chrome on Android · bbbb" },
    ]);
    expect(t.timers.delays).toEqual([POSITION_EVERY_MS]);
  });

  it("sends the position with keepalive when the page is hidden, and unsaved changes whole", async () => {
    const t = setup(saved({ track_ids: ["a"], tracks: [track("a")], position_s: 3 }));
    await t.queue.start();
    t.player.state = { track: track("a"), position: 61, playing: true };
    const doc = Object.assign(new EventTarget(), { visibilityState: "hidden" as DocumentVisibilityState });
    const win = new EventTarget();
    const unbind = t.queue.bindPage(doc, win as unknown as Window);
    doc.dispatchEvent(new Event("visibilitychange"));
    win.dispatchEvent(new Event("pagehide")); // the same second: not sent twice
    expect(t.hidden).toEqual([
      { method: "PATCH", body: { current_index: 0, position_s: 61, device: "Chrome on Android · bbbb" } },
    ]);
    t.queue.append([track("b")]);
    win.dispatchEvent(new Event("pagehide"));
    expect(t.hidden[1]).toMatchObject({ method: "PUT", body: { track_ids: ["a", "b"], position_s: 61 } });
    unbind();
    win.dispatchEvent(new Event("pagehide"));
    expect(t.hidden).toHaveLength(2);
  });

  it("keeps the current track current through edits", async () => {
    const t = setup();
    await t.queue.start();
    t.queue.replace([...abc(), track("d")], 2);
    t.queue.move(2, 0);
    expect(ids(t.queue.tracks)).toBe("cabd");
    expect(t.queue.current?.id).toBe("c");
    t.queue.remove(1);
    expect(t.queue.current?.id).toBe("c");
    t.queue.playNext([track("x")]);
    expect(ids(t.queue.tracks)).toBe("cxbd");
    t.queue.follow("b");
    expect(t.queue.index).toBe(2);
    t.queue.remove(2);
    expect(t.queue.current?.id).toBe("d");
    t.queue.remove(2);
    expect(t.queue.current?.id).toBe("x");
    t.queue.clear();
    expect(t.queue.index).toBe(-1);
  });

  it("loads another device's newer queue while nothing plays here", async () => {
    const t = setup(saved({ track_ids: ["a"], tracks: [track("a")], version: 3 }));
    await t.queue.start();
    // Its own save, coming back as an event: nothing to do.
    t.queue.remoteChanged({ version: 4, device: t.queue.device });
    await settle();
    expect(t.calls.map((c) => c.method)).toEqual(["GET"]);
    t.server.set(saved({ track_ids: ["b", "c"], tracks: [track("b"), track("c")], current_index: 1, position_s: 40, version: 5 }));
    t.queue.remoteChanged({ version: 5, device: "Firefox on Linux · aaaa" });
    await settle();
    expect(ids(t.queue.tracks)).toBe("bc");
    expect(t.player.restored.at(-1)).toBe("c@40");
    expect(t.queue.offer).toBeNull();
  });

  it("offers it while this device plays; keeping one's own saves it over the other", async () => {
    const t = setup(saved({ track_ids: ["a"], tracks: [track("a")], version: 3 }));
    await t.queue.start();
    t.player.state = { track: track("a"), position: 5, playing: true };
    t.server.set(saved({ track_ids: ["z"], tracks: [track("z")], version: 6 }));
    t.queue.remoteChanged({ version: 6, device: "Firefox on Linux · aaaa" });
    await settle();
    expect(t.queue.offer?.version).toBe(6);
    expect(ids(t.queue.tracks)).toBe("a");
    t.queue.keepMine();
    await t.queue.save();
    expect(t.calls.at(-1)).toMatchObject({ method: "PUT", body: { track_ids: ["a"], base_version: 6 } });
    expect(t.queue.offer).toBeNull();
  });

  it("ignores a newer version that only moved the position of the same list", async () => {
    const t = setup(saved({ track_ids: ["a"], tracks: [track("a")], version: 3 }));
    await t.queue.start();
    t.server.set(saved({ track_ids: ["a"], tracks: [track("a")], position_s: 99, version: 4 }));
    await t.queue.checkRemote();
    expect(t.queue.version).toBe(4);
    expect(t.player.restored).toEqual(["a@0"]);
  });

  it("asks, instead of overwriting, when a save is refused for a newer queue", async () => {
    const t = setup(saved({ version: 3 }));
    await t.queue.start();
    t.queue.replace([track("a")]);
    t.server.set(saved({ track_ids: ["q"], tracks: [track("q")], version: 9 }));
    t.server.refusePut(new ApiError(409, "The queue changed."));
    await t.queue.save();
    expect(t.queue.offer?.track_ids).toEqual(["q"]);
    expect(ids(t.queue.tracks)).toBe("a");
    t.queue.acceptOffer();
    expect(ids(t.queue.tracks)).toBe("q");
  });

  it("keeps a failed save for the next change, and says why", async () => {
    const t = setup();
    await t.queue.start();
    t.queue.replace([track("a")]);
    t.server.refusePut(new ApiError(0, "Could not reach the server. Check your connection and try again."));
    await t.queue.save();
    expect(t.queue.error).toMatch(/reach the server/);
    t.server.refusePut(null);
    await t.queue.save();
    expect(t.server.get().track_ids).toEqual(["a"]);
    expect(t.queue.error).toBeNull();
  });
});

describe("queue on the wire", () => {
  afterEach(() => {
    setCsrfToken(null);
    vi.unstubAllGlobals();
  });

  it("sends on page hide with keepalive and the CSRF token", () => {
    setCsrfToken("tok");
    const sent = fakeFetch(new Response(null, { status: 204 }));
    sendQueueOnHide("PATCH", { current_index: 2, position_s: 83 });
    expect(sent[0].url).toBe("/api/queue");
    expect(sent[0].init).toMatchObject({ method: "PATCH", keepalive: true, body: '{"current_index":2,"position_s":83}' });
    expect(header(sent[0].init, "X-CSRF-Token")).toBe("tok");
  });

  it("names this tab once, and reads the name back for people", () => {
    const storage = new MemoryStorage();
    const name = deviceName(storage, "Mozilla/5.0 (X11; Linux x86_64) Gecko/20100101 Firefox/128.0");
    expect(name).toMatch(/^Firefox on Linux · [a-z0-9]{4}$/);
    expect(deviceName(storage, "other")).toBe(name);
    expect(deviceLabel(name)).toBe("Firefox on Linux");
    expect(deviceLabel(null)).toBe("another device");
  });
});

describe("Queue shuffle and repeat", () => {
  it("saves shuffle (an order with the current track first) and repeat, and restores them after a reload", async () => {
    const t = setup();
    await t.queue.start();
    t.queue.replace(["a", "b", "c", "d", "e"].map((id) => track(id)), 2);
    t.queue.setShuffle(true);
    t.queue.cycleRepeat();
    expect(t.queue.repeat).toBe("all");
    await t.queue.save();
    const put = t.calls.filter((c) => c.method === "PUT").at(-1)?.body as QueuePut;
    expect(put).toMatchObject({ shuffle: true, repeat: "all", current_index: 2 });
    expect([...(put.shuffle_order ?? [])].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(put.shuffle_order?.[0]).toBe(2);

    // The page reloads: a new queue over the same server.
    const again = setup(t.server.get());
    await again.queue.start();
    expect(again.queue.shuffle).toBe(true);
    expect(again.queue.repeat).toBe("all");
    expect(again.queue.order).toEqual(put.shuffle_order);
    expect(again.queue.step(1)).toBe(put.shuffle_order?.[1]);

    // Shuffle off: the list order again, and no order sent.
    again.queue.setShuffle(false);
    await again.queue.save();
    const off = again.calls.filter((c) => c.method === "PUT").at(-1)?.body as QueuePut;
    expect(off).toMatchObject({ shuffle: false, shuffle_order: null });
    expect(again.queue.step(1)).toBe(3);
  });

  it("keeps the shuffled order whole as entries come and go", async () => {
    const t = setup();
    await t.queue.start();
    t.queue.replace(abc(), 1);
    t.queue.setShuffle(true);
    t.queue.append([track("d"), track("e")]);
    t.queue.playNext([track("n")]);
    expect(ids(t.queue.tracks)).toBe("abncde");
    // "Play next" means next, shuffled or not.
    expect(t.queue.step(1)).toBe(2);
    t.queue.remove(0);
    t.queue.move(0, 3);
    await t.queue.save();
    const put = t.calls.filter((c) => c.method === "PUT").at(-1)?.body as QueuePut;
    expect([...(put.shuffle_order ?? [])].sort()).toEqual([0, 1, 2, 3, 4]);
    // The current track (b) is still first in the order.
    expect(put.track_ids[put.shuffle_order?.[0] ?? -1]).toBe("b");
  });

  it("carries a saved order over to the tracks still there", () => {
    const answer = restoredTracks({
      track_ids: ["a", "gone", "c", "d"],
      tracks: [track("a"), track("c"), track("d")],
      current_index: 2,
      shuffle_order: [3, 1, 2, 0],
    });
    expect(answer.order).toEqual([2, 1, 0]);
  });
});

describe("Queue: play an entry next", () => {
  it("puts it right after the current one, in the list and in the shuffled order", async () => {
    const t = setup();
    await t.queue.start();
    t.queue.replace(["a", "b", "c", "d", "e"].map((id) => track(id)), 1);
    t.queue.playNextAt(4);
    expect(ids(t.queue.tracks)).toBe("abecd");
    expect(t.queue.step(1)).toBe(2);
    t.queue.setShuffle(true);
    t.queue.playNextAt(0);
    expect(ids(t.queue.tracks)).toBe("baecd");
    expect(t.queue.index).toBe(0);
    expect(t.queue.tracks[t.queue.step(1) ?? -1].id).toBe("a");
    expect([...(t.queue.order ?? [])].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
