import { describe, expect, it } from "vitest";
import { ApiError, type Track, type TrackPage, type Visibility } from "../lib/api";
import { ManualTimers, settle } from "../testing/timers";
import { page, processing, track } from "../testing/tracks";
import { Library } from "./library.svelte";

/** The server as the library sees it: a list the test edits, and a log of calls. */
class FakeApi {
  tracks: Track[] = [];
  calls: string[] = [];
  down = false;
  later: Track[] = [];

  listTracks = async (limit: number, cursor?: string | null): Promise<TrackPage> => {
    this.calls.push(cursor ? `list ${limit} ${cursor}` : `list ${limit}`);
    if (this.down) throw new ApiError(0, "Could not reach the server.");
    if (cursor) return page(this.later, null, this.tracks.length + this.later.length);
    return page(this.tracks, this.later.length ? "next" : null, this.tracks.length + this.later.length);
  };

  getTrack = async (id: string): Promise<Track> => {
    this.calls.push(`get ${id}`);
    const found = [...this.tracks, ...this.later].find((t) => t.id === id);
    if (!found) throw new ApiError(404, "gone");
    return found;
  };

  updateTrack = async (id: string, change: { visibility: Visibility }): Promise<Track> => {
    this.calls.push(`patch ${id} ${change.visibility}`);
    const found = this.tracks.find((t) => t.id === id);
    if (!found) throw new ApiError(404, "gone");
    if (!found.editable) throw new ApiError(403, "Only the track's owner (or an admin) can change it.");
    const changed = { ...found, ...change };
    this.tracks = this.tracks.map((t) => (t.id === id ? changed : t));
    return changed;
  };

  deleteTrack = async (id: string): Promise<void> => {
    this.calls.push(`delete ${id}`);
    if (!this.tracks.some((t) => t.id === id)) throw new ApiError(404, "gone");
    this.tracks = this.tracks.filter((t) => t.id !== id);
  };
}

function setup(watching: string[] = []) {
  const api = new FakeApi();
  const timers = new ManualTimers();
  const learnt: string[][] = [];
  const library = new Library(api, {
    timers,
    watching: () => watching,
    onrefresh: (tracks) => learnt.push(tracks.map((t) => t.id)),
  });
  return { api, timers, learnt, library, watching };
}

describe("Library", () => {
  it("loads the first page and stops polling when nothing is being worked on", async () => {
    const { api, timers, library } = setup();
    api.tracks = [track("b"), track("a")];
    expect(library.loaded).toBe(false);
    await library.refresh();
    expect(library.tracks.map((t) => t.id)).toEqual(["b", "a"]);
    expect(library).toMatchObject({ loaded: true, total: 2, error: null, nextCursor: null });
    expect(timers.delays).toEqual([]);
    expect(api.calls).toEqual(["list 100"]);
  });

  it("polls every second while a track is processing, until it is ready", async () => {
    const { api, timers, library } = setup();
    api.tracks = [processing("a", "encoding", 40)];
    await library.refresh();
    expect(timers.delays).toEqual([1000]);
    api.tracks = [track("a")];
    timers.fire();
    await settle();
    expect(library.tracks[0].status).toBe("ready");
    expect(timers.delays).toEqual([]);
  });

  it("fetches a watched track that is not on the first page, and tells who watches", async () => {
    const { api, learnt, library, timers } = setup(["old"]);
    api.tracks = [track("new")];
    api.later = [processing("old", "encoding", 10)];
    await library.refresh();
    expect(api.calls).toEqual(["list 100", "get old"]);
    expect(learnt).toEqual([["new", "old"]]);
    // Someone still waits on it: keep polling.
    expect(timers.delays).toEqual([1000]);
  });

  it("says why the list failed and retries after five seconds", async () => {
    const { api, timers, library } = setup();
    api.down = true;
    await library.refresh();
    expect(library.error).toBe("Could not reach the server.");
    expect(library.loaded).toBe(false);
    expect(timers.delays).toEqual([5000]);
    api.down = false;
    timers.fire();
    await settle();
    expect(library).toMatchObject({ loaded: true, error: null });
  });

  it("never runs two refreshes at once; one asked for meanwhile runs right after", async () => {
    const { api, timers, library } = setup();
    const first = library.refresh();
    await library.refresh();
    await first;
    expect(api.calls).toEqual(["list 100"]);
    expect(timers.delays).toEqual([0]);
    timers.fire();
    await settle();
    expect(api.calls).toEqual(["list 100", "list 100"]);
  });

  it("merges new uploads on top and keeps later pages", async () => {
    const { api, library } = setup();
    api.tracks = [track("b", { created_at: "02" })];
    api.later = [track("a", { created_at: "01" })];
    await library.refresh();
    expect(library.nextCursor).toBe("next");
    await library.loadMore();
    expect(library.tracks.map((t) => t.id)).toEqual(["b", "a"]);
    expect(library.nextCursor).toBeNull();
    api.tracks = [track("c", { created_at: "03" }), track("b", { created_at: "02" })];
    await library.refresh();
    expect(library.tracks.map((t) => t.id)).toEqual(["c", "b", "a"]);
    expect(library.total).toBe(3);
  });

  it("stops polling when the page goes away", async () => {
    const { api, timers, library } = setup();
    api.tracks = [processing("a", "queued", 0)];
    await library.refresh();
    library.stop();
    expect(timers.delays).toEqual([]);
  });

  it("changes a track's visibility with what the server answered", async () => {
    const { api, library } = setup();
    api.tracks = [track("b"), track("a")];
    await library.refresh();
    await library.setVisibility(library.tracks[1], "public");
    expect(library.tracks.map((t) => [t.id, t.visibility])).toEqual([
      ["b", "private"],
      ["a", "public"],
    ]);
    expect(api.calls).toContain("patch a public");
  });

  it("keeps the list as it was when a change is refused, and says why", async () => {
    const { api, library } = setup();
    api.tracks = [track("a", { editable: false, owner_id: "someone-else", visibility: "public" })];
    await library.refresh();
    await expect(library.setVisibility(library.tracks[0], "private")).rejects.toThrow(/owner/);
    expect(library.tracks[0].visibility).toBe("public");
  });

  it("drops a deleted track at once, and one already deleted elsewhere too", async () => {
    const { api, library } = setup();
    api.tracks = [track("c"), track("b"), track("a")];
    await library.refresh();
    await library.delete(library.tracks[1]);
    expect(library.tracks.map((t) => t.id)).toEqual(["c", "a"]);
    expect(library.total).toBe(2);
    api.tracks = [track("c")]; // "a" went in another tab
    await library.delete(library.tracks[1]);
    expect(library.tracks.map((t) => t.id)).toEqual(["c"]);
  });

  it("keeps a track whose deletion failed", async () => {
    const { api, library } = setup();
    api.tracks = [track("a")];
    await library.refresh();
    api.deleteTrack = async () => {
      throw new ApiError(0, "Could not reach the server.");
    };
    await expect(library.delete(library.tracks[0])).rejects.toThrow(/reach/);
    expect(library.tracks.map((t) => t.id)).toEqual(["a"]);
  });
});
