import { afterEach, describe, expect, it, vi } from "vitest";
import { json } from "../testing/fetch";
import { routedFetch } from "../testing/server";
import { ManualTimers, settle } from "../testing/timers";
import { track } from "../testing/tracks";
import type { Album, Artist } from "./catalog";
import {
  LatestQuery,
  type SearchAnswer,
  type SearchOption,
  emptyAnswer,
  groupOptions,
  lineTime,
  moveActive,
  pickOption,
  search,
  searchOptions,
} from "./search";

const artist = (id: string, name: string): Artist => ({
  id,
  name,
  album_count: 1,
  track_count: 3,
  cover: null,
  liked: false,
  created_at: "2025-01-01T00:00:00Z",
});

const album = (id: string, title: string): Album => ({
  id,
  title,
  artist_id: "ar1",
  artist_name: "Röyksopp",
  compilation: false,
  year: 2001,
  genres: [],
  track_count: 10,
  duration: 2400,
  cover: null,
  liked: false,
  created_at: "2025-01-01T00:00:00Z",
});

const answer = (over: Partial<SearchAnswer> = {}): SearchAnswer => ({
  ...emptyAnswer("royk"),
  tracks: [track("t1", { title: "Eple" }), track("t2", { title: "Poor Leno" })],
  artists: [artist("ar1", "Röyksopp")],
  albums: [album("al1", "Melody A.M.")],
  lyrics: [{ track: track("t3", { title: "So Easy" }), line: "royksopp forever", start_ms: 83_000 }],
  top: { kind: "artist", id: "ar1" },
  ...over,
});

const keys = (options: SearchOption[]) => options.map((o) => `${o.group}:${o.key}`);

afterEach(() => vi.unstubAllGlobals());

describe("search options", () => {
  it("puts the top result first, once, then the groups in order, then 'see all'", () => {
    const options = searchOptions(answer(), { seeAll: true });
    expect(keys(options)).toEqual([
      "top:ar:ar1",
      "tracks:t:t1",
      "tracks:t:t2",
      "albums:al:al1",
      "lyrics:l:t3:0",
      "more:more",
    ]);
    expect(groupOptions(options).map((g) => [g.group, g.items.map((i) => i.index)])).toEqual([
      ["top", [0]],
      ["tracks", [1, 2]],
      ["albums", [3]],
      ["lyrics", [4]],
      ["more", [5]],
    ]);
  });

  it("has no 'see all' for an answer without results, and no top when none is named", () => {
    expect(searchOptions(emptyAnswer("zzz"), { seeAll: true })).toEqual([]);
    expect(keys(searchOptions(answer({ top: null }))).slice(0, 2)).toEqual(["tracks:t:t1", "tracks:t:t2"]);
  });

  it("tells a lyric line's time", () => {
    expect(lineTime(null)).toBeNull();
    expect(lineTime(83_000)).toBe("1:23");
  });
});

describe("picking", () => {
  it("plays a track, plays a lyric line's track from the line, opens the rest", () => {
    const done: string[] = [];
    const actions = {
      play: (t: { id: string }) => done.push(`play ${t.id}`),
      playAt: (t: { id: string }, s: number) => done.push(`play ${t.id} at ${s}`),
      open: (r: { page: string }) => done.push(`open ${JSON.stringify(r)}`),
    };
    for (const option of searchOptions(answer(), { seeAll: true })) pickOption(option, actions);
    pickOption(searchOptions(answer())[1], actions, true);
    expect(done).toEqual([
      'open {"page":"artist","id":"ar1"}',
      "play t1",
      "play t2",
      'open {"page":"album","id":"al1"}',
      "play t3 at 83",
      'open {"page":"search","q":"royk","type":null}',
      'open {"page":"track","id":"t1"}',
    ]);
  });
});

describe("keyboard model", () => {
  const options = searchOptions(answer(), { seeAll: true }); // top, t1, t2, al1, lyric, more

  it("steps through every group with Down and Up, wrapping at both ends", () => {
    const walk: number[] = [];
    let active = -1;
    for (let i = 0; i < 7; i++) walk.push((active = moveActive(options, active, "ArrowDown")));
    expect(walk).toEqual([0, 1, 2, 3, 4, 5, 0]);
    expect(moveActive(options, -1, "ArrowUp")).toBe(5);
    expect(moveActive(options, 0, "ArrowUp")).toBe(5);
    expect(moveActive(options, 3, "ArrowUp")).toBe(2);
  });

  it("jumps between groups with Page Down and Page Up, and to the ends with Home and End", () => {
    expect(moveActive(options, 0, "PageDown")).toBe(1); // top -> tracks
    expect(moveActive(options, 1, "PageDown")).toBe(3); // tracks -> albums
    expect(moveActive(options, 5, "PageDown")).toBe(5);
    expect(moveActive(options, 2, "PageUp")).toBe(1); // to the start of tracks
    expect(moveActive(options, 1, "PageUp")).toBe(0); // to the group before
    expect(moveActive(options, 3, "Home")).toBe(0);
    expect(moveActive(options, 0, "End")).toBe(5);
  });

  it("has nothing to make active in an empty list", () => {
    expect(moveActive([], -1, "ArrowDown")).toBe(-1);
  });
});

describe("search()", () => {
  it("asks for the text, the types and the limit, capped at the server's 50", async () => {
    const received = routedFetch({ "GET /api/search": () => json(200, answer()) });
    await search("ac/dc t.n.t", { types: ["tracks", "lyrics"], limit: 80 });
    expect(received[0].query.get("q")).toBe("ac/dc t.n.t");
    expect(received[0].query.get("types")).toBe("tracks,lyrics");
    expect(received[0].query.get("limit")).toBe("50");
  });
});

describe("LatestQuery", () => {
  /** A server whose answers the test releases one by one, in any order. */
  function setup() {
    const timers = new ManualTimers();
    const pending = new Map<string, { resolve: (a: SearchAnswer) => void; signal: AbortSignal }>();
    const shown: string[] = [];
    const failed: string[] = [];
    const latest = new LatestQuery<SearchAnswer>(
      (q, signal) => new Promise((resolve) => pending.set(q, { resolve, signal })),
      (q, a) => shown.push(`${q}=${a.query}`),
      (q) => failed.push(q),
      timers,
      100,
    );
    const release = async (q: string) => {
      pending.get(q)!.resolve(emptyAnswer(q));
      await settle();
    };
    return { timers, pending, shown, failed, latest, release };
  }

  it("waits for a pause in the typing, then asks once for the text as it is", () => {
    const t = setup();
    t.latest.set("r", emptyAnswer());
    t.latest.set("ro", emptyAnswer());
    t.latest.set("roy", emptyAnswer());
    expect(t.timers.delays).toEqual([100]);
    expect(t.pending.size).toBe(0);
    t.timers.fire();
    expect([...t.pending.keys()]).toEqual(["roy"]);
  });

  it("never shows an older answer over a newer one, and aborts the request it replaced", async () => {
    const t = setup();
    t.latest.set("ro", emptyAnswer());
    t.timers.fire();
    t.latest.set("roy", emptyAnswer());
    expect(t.pending.get("ro")!.signal.aborted).toBe(true);
    t.timers.fire();
    await t.release("roy");
    await t.release("ro"); // the slow, older answer arrives last
    expect(t.shown).toEqual(["roy=roy"]);
  });

  it("answers an empty text at once, with nothing, and drops what was on its way", async () => {
    const t = setup();
    t.latest.set("x", emptyAnswer());
    t.timers.fire();
    t.latest.set("  ", emptyAnswer("  "));
    await t.release("x");
    expect(t.shown).toEqual(["  =  "]);
    expect(t.timers.delays).toEqual([]);
  });

  it("reports a failure of the latest request only", async () => {
    const timers = new ManualTimers();
    const failed: string[] = [];
    const latest = new LatestQuery<SearchAnswer>(
      (q) => Promise.reject(new Error(q)),
      () => {},
      (q) => failed.push(q),
      timers,
    );
    await latest.now("boom");
    expect(failed).toEqual(["boom"]);
  });
});
