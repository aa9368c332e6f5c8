import { describe, expect, it } from "vitest";
import { ApiError } from "../lib/http";
import type { ItemPage, PlaylistItem } from "../lib/playlists";
import { playlist } from "../testing/playlists";
import { settle } from "../testing/timers";
import { track } from "../testing/tracks";
import { FakeSource } from "../testing/events";
import { ManualTimers } from "../testing/timers";
import { LiveEvents } from "./events.svelte";
import { followPlaylists } from "./playlists";
import { CHANGED_NOTICE, EVENT_DEBOUNCE_MS, type PlaylistApi, PlaylistView } from "./playlist.svelte";

const item = (id: string): PlaylistItem => ({
  id: `i-${id}`,
  position: id,
  track: track(id),
  added_by: "me",
  added_at: "2025-01-01T00:00:00Z",
});

/** A server holding one playlist, answering as the contract says. */
function fakeServer(ids: string[]) {
  let items = ids.map(item);
  let version = 1;
  const calls: string[] = [];
  let refuseMove: ApiError | null = null;
  let refuseRemove: ApiError | null = null;
  let name = "List";
  let gets = 0;
  let hidden = false;
  let held: Promise<void> | null = null;
  const page = (offset: number, limit: number): ItemPage => ({
    items: items.slice(offset, offset + limit),
    total: items.length,
    version,
  });
  const api: PlaylistApi = {
    getPlaylist: async (id) => {
      gets += 1;
      if (hidden) throw new ApiError(404, "Not found.");
      return playlist(id, { name, item_count: items.length });
    },
    listItems: async (_id, offset = 0, limit = 500) => page(offset, limit),
    updatePlaylist: async (id, change) => {
      calls.push(`update ${JSON.stringify(change)}`);
      return playlist(id, { name: change.name ?? "List" });
    },
    deletePlaylist: async () => void calls.push("delete"),
    duplicatePlaylist: async (id) => playlist(`${id}-copy`),
    removeItems: async (_id, itemIds) => {
      calls.push(`remove ${itemIds.join(",")}`);
      if (refuseRemove) throw refuseRemove;
      items = items.filter((i) => !itemIds.includes(i.id));
      return { version: ++version };
    },
    moveItem: async (_id, itemId, after) => {
      calls.push(`move ${itemId} after ${after}`);
      if (held) await held;
      if (refuseMove) throw refuseMove;
      const moving = items.find((i) => i.id === itemId)!;
      items = items.filter((i) => i !== moving);
      items.splice(after === null ? 0 : items.findIndex((i) => i.id === after) + 1, 0, moving);
      return { item: moving, version: ++version };
    },
    addItems: async (_id, trackIds) => {
      const added = trackIds.map(item);
      items = [...items, ...added];
      return { items: added, version: ++version };
    },
  };
  return {
    api,
    calls,
    order: () => items.map((i) => i.track.id).join(""),
    change: (next: string[]) => {
      items = next.map(item);
      version += 1;
    },
    refuseMove: (e: ApiError | null) => (refuseMove = e),
    rename: (next: string) => (name = next),
    gets: () => gets,
    hide: () => (hidden = true),
    /** Moves wait until the returned function is called. */
    holdMoves: () => {
      let release = () => {};
      held = new Promise((resolve) => (release = resolve));
      return () => {
        held = null;
        release();
      };
    },
    refuseRemove: (e: ApiError | null) => (refuseRemove = e),
  };
}

const shown = (view: PlaylistView) => view.items.map((i) => i.track.id).join("");

describe("PlaylistView", () => {
  it("loads the playlist and every page of its entries", async () => {
    const ids = Array.from({ length: 1203 }, (_, n) => `t${n}`);
    const server = fakeServer(ids);
    const view = new PlaylistView("p", server.api);
    await view.load();
    expect(view.items).toHaveLength(1203);
    expect(view.playlist?.item_count).toBe(1203);
    expect(view.loaded).toBe(true);
  });

  it("moves an entry at once and tells the server what it now follows", async () => {
    const server = fakeServer(["a", "b", "c", "d"]);
    const view = new PlaylistView("p", server.api);
    await view.load();
    const done = view.move(3, 1);
    expect(shown(view)).toBe("adbc");
    await done;
    expect(server.calls).toEqual(["move i-d after i-a"]);
    expect(server.order()).toBe("adbc");
    await view.move(1, 0);
    expect(server.calls.at(-1)).toBe("move i-d after null");
    expect(server.order()).toBe("dabc");
  });

  it("undoes a move the server could not place, reloads and says so", async () => {
    const server = fakeServer(["a", "b", "c"]);
    const view = new PlaylistView("p", server.api);
    await view.load();
    server.change(["c", "a", "x"]);
    server.refuseMove(new ApiError(409, "reload", "reload"));
    await view.move(0, 2);
    expect(shown(view)).toBe("cax");
    expect(view.notice).toBe(CHANGED_NOTICE);
    expect(view.error).toBeNull();
  });

  it("undoes a move refused for another reason and shows why", async () => {
    const server = fakeServer(["a", "b", "c"]);
    const view = new PlaylistView("p", server.api);
    await view.load();
    server.refuseMove(new ApiError(404, "This no longer exists on the server."));
    await view.move(0, 2);
    expect(shown(view)).toBe("abc");
    expect(view.error).toBe("This no longer exists on the server.");
  });

  it("removes the selection, and puts it back when refused", async () => {
    const server = fakeServer(["a", "b", "c"]);
    const view = new PlaylistView("p", server.api);
    await view.load();
    view.toggleSelected("i-a", true);
    view.toggleSelected("i-c", true);
    await view.remove();
    expect(shown(view)).toBe("b");
    expect(view.selected.size).toBe(0);
    expect(server.calls).toEqual(["remove i-a,i-c"]);

    server.refuseRemove(new ApiError(403, "You are not allowed to do this."));
    await expect(view.remove(["i-b"])).rejects.toThrow();
    expect(shown(view)).toBe("b");
    expect(view.total).toBe(1);
    expect(view.error).toBe("You are not allowed to do this.");
  });

  it("reloads the entries after new rules, for the new count", async () => {
    const server = fakeServer(["a"]);
    const view = new PlaylistView("p", server.api);
    await view.load();
    server.change(["a", "b", "c"]);
    await view.saveRules({ match: "all", rules: [], sort: { field: "added", order: "desc" }, limit: null });
    expect(view.total).toBe(3);
    expect(server.calls[0]).toMatch(/^update \{"rules"/);
    await settle();
  });
});

describe("PlaylistView following the change feed", () => {
  /** The page's feed over a fake EventSource, and the view following it. */
  async function followed(ids: string[]) {
    const server = fakeServer(ids);
    const view = new PlaylistView("p", server.api);
    await view.load();
    const timers = new ManualTimers();
    const sources: FakeSource[] = [];
    const live = new LiveEvents((url) => {
      const source = new FakeSource(url);
      sources.push(source);
      return source;
    }, timers);
    live.start();
    sources[0].fire("open");
    const deleted: string[] = [];
    const stop = view.follow(live, timers, () => deleted.push(view.id));
    const send = (id: string, action: string) => sources.at(-1)!.fire("playlist", JSON.stringify({ id, action }));
    const gets = server.gets;
    return { server, view, timers, sources, send, deleted, stop, gets };
  }

  it("reloads the header and entries once for a burst of updates to this playlist", async () => {
    const t = await followed(["a", "b"]);
    t.server.rename("Renamed elsewhere");
    t.server.change(["b", "a", "c"]);
    t.send("p", "updated");
    t.send("other", "updated");
    t.send("p", "updated");
    t.send("p", "updated");
    expect(t.timers.delays).toEqual([EVENT_DEBOUNCE_MS]);
    expect(shown(t.view)).toBe("ab");
    const before = t.gets();
    t.timers.fire();
    await settle();
    expect(t.gets()).toBe(before + 1);
    expect(shown(t.view)).toBe("bac");
    expect(t.view.playlist?.name).toBe("Renamed elsewhere");
    expect(t.view.total).toBe(3);
  });

  it("ignores other playlists, and stops following when told", async () => {
    const t = await followed(["a"]);
    t.send("other", "updated");
    t.send("other", "deleted");
    expect(t.timers.delays).toEqual([]);
    expect(t.deleted).toEqual([]);
    t.stop();
    t.send("p", "deleted");
    t.send("p", "updated");
    expect(t.deleted).toEqual([]);
    expect(t.timers.delays).toEqual([]);
  });

  it("leaves when the playlist is deleted elsewhere, not when this page deleted it", async () => {
    const t = await followed(["a"]);
    t.send("p", "updated");
    t.send("p", "deleted");
    expect(t.deleted).toEqual(["p"]);
    // The pending reload is dropped: there is nothing left to load.
    expect(t.timers.delays).toEqual([]);

    // Made private by its owner: an update this viewer can no longer load also leaves.
    const hiddenNow = await followed(["a"]);
    hiddenNow.server.hide();
    hiddenNow.send("p", "updated");
    hiddenNow.timers.fire();
    await settle();
    expect(hiddenNow.deleted).toEqual(["p"]);

    const own = await followed(["a"]);
    await own.view.delete();
    own.send("p", "deleted");
    expect(own.deleted).toEqual([]);
  });

  it("does not reload over a change of its own still on its way, and reloads after it", async () => {
    const t = await followed(["a", "b", "c"]);
    const release = t.server.holdMoves();
    const moved = t.view.move(2, 0);
    expect(shown(t.view)).toBe("cab");
    // Someone else adds a track meanwhile.
    t.server.change(["a", "b", "c", "x"]);
    t.send("p", "updated");
    t.timers.fire();
    await settle();
    // The optimistic order stays while the move is unanswered.
    expect(shown(t.view)).toBe("cab");
    release();
    await moved;
    await settle();
    expect(t.server.order()).toBe("cabx");
    expect(shown(t.view)).toBe("cabx");
  });

  it("reloads after the feed reconnects (events sent in the gap are lost)", async () => {
    const t = await followed(["a"]);
    t.server.change(["a", "b"]);
    t.sources[0].fire("error");
    t.timers.fire(); // the reconnection
    t.sources[1].fire("open");
    expect(t.timers.delays).toEqual([EVENT_DEBOUNCE_MS]);
    t.timers.fire();
    await settle();
    expect(shown(t.view)).toBe("ab");
  });
});

describe("the playlists page following the change feed", () => {
  it("loads the list again, once for a burst, on created, updated and deleted", () => {
    const timers = new ManualTimers();
    const sources: FakeSource[] = [];
    const live = new LiveEvents((url) => {
      const source = new FakeSource(url);
      sources.push(source);
      return source;
    }, timers);
    live.start();
    sources[0].fire("open");
    let loads = 0;
    const stop = followPlaylists(live, timers, () => (loads += 1));
    for (const action of ["created", "updated", "deleted"]) {
      sources[0].fire("playlist", JSON.stringify({ id: `p-${action}`, action }));
      sources[0].fire("playlist", JSON.stringify({ id: "q", action }));
      expect(timers.delays).toEqual([EVENT_DEBOUNCE_MS]);
      timers.fire();
    }
    expect(loads).toBe(3);
    sources[0].fire("playlist", "not json");
    expect(timers.delays).toEqual([]);
    stop();
    sources[0].fire("playlist", JSON.stringify({ id: "p", action: "created" }));
    expect(timers.delays).toEqual([]);
    expect(loads).toBe(3);
  });
});
