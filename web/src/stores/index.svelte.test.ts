import { flushSync } from "svelte";
import { describe, expect, it } from "vitest";
import { ApiError, type Track, type TrackPage, type UploadState } from "../lib/api";
import { MemoryStorage } from "../testing/storage";
import { ManualTimers, settle } from "../testing/timers";
import { FakeTransport, file } from "../testing/transport";
import { page, processing, track } from "../testing/tracks";
import { createStores } from "./index";

function setup() {
  const server = { tracks: [] as Track[] };
  const api = {
    listTracks: async (): Promise<TrackPage> => page(server.tracks),
    getTrack: async (id: string): Promise<Track> => {
      const found = server.tracks.find((t) => t.id === id);
      if (!found) throw new ApiError(404, "gone");
      return found;
    },
    updateTrack: async (id: string): Promise<Track> => track(id),
    deleteTrack: async () => {},
    getUpload: async (): Promise<UploadState> => {
      throw new ApiError(404, "gone");
    },
    discardUpload: async () => {},
  };
  const transport = new FakeTransport();
  const timers = new ManualTimers();
  let playable = 0;
  const stores = createStores({
    api,
    transport,
    storage: new MemoryStorage(),
    timers,
    onplayable: () => (playable += 1),
  });
  return { server, transport, timers, stores, playable: () => playable };
}

describe("the page's stores together", () => {
  it("follow an upload from its last byte to a playable track", async () => {
    const { server, transport, timers, stores, playable } = setup();
    const { library, uploads, player } = stores;
    await library.refresh();
    expect(timers.delays).toEqual([]);

    uploads.add([file("a.flac")]);
    server.tracks = [processing("t1", "encoding", 30)];
    transport.run("a.flac").events.done({ trackId: "t1", deduplicated: false });
    // The upload is processing: the library looks at once.
    expect(timers.delays).toEqual([0]);
    timers.fire();
    await settle();
    expect(uploads.items[0]).toMatchObject({ phase: "processing", step: "encoding", percent: 30 });
    expect(timers.delays).toEqual([1000]);
    expect(playable()).toBe(0);
    expect(player.canStart).toBe(false);

    server.tracks = [track("t1")];
    timers.fire();
    await settle();
    expect(uploads.items[0].phase).toBe("ready");
    expect(library.tracks.map((t) => t.status)).toEqual(["ready"]);
    expect(player.canStart).toBe(true);
    expect(playable()).toBe(1);
    expect(timers.delays).toEqual([]);
  });

  it("are reactive: what reads them is told of each change", async () => {
    const { server, stores } = setup();
    const seen: string[] = [];
    const stop = $effect.root(() => {
      $effect(() => {
        seen.push(`${stores.library.tracks.length} tracks, next: ${stores.player.hasNext}`);
      });
    });
    flushSync();
    server.tracks = [track("b"), track("a")];
    await stores.library.refresh();
    flushSync();
    stores.player.attach({ load() {}, play() {}, pause() {}, seek() {}, setGain() {} });
    stores.player.dispatch({ type: "load", track: track("a") });
    flushSync();
    expect(seen).toEqual(["0 tracks, next: false", "2 tracks, next: true", "2 tracks, next: false"]);
    stop();
  });
});
