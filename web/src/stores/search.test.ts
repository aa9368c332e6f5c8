import { afterEach, describe, expect, it, vi } from "vitest";
import { search, emptyAnswer } from "../lib/search";
import { json } from "../testing/fetch";
import { routedFetch } from "../testing/server";
import { ManualTimers, settle } from "../testing/timers";
import { track } from "../testing/tracks";
import { SearchBox, TYPING_PAUSE_MS } from "./search.svelte";

afterEach(() => vi.unstubAllGlobals());

/** A server that answers each query with one track named after it. */
function setup() {
  const received = routedFetch({
    "GET /api/search": (r) => {
      const q = r.query.get("q") ?? "";
      return json(200, { ...emptyAnswer(q), tracks: [track(`t-${q}`)], top: { kind: "track", id: `t-${q}` } });
    },
  });
  const timers = new ManualTimers();
  const box = new SearchBox((q, signal) => search(q, { limit: 5, signal }), true, timers);
  return { received, timers, box };
}

describe("SearchBox", () => {
  it("asks when typing pauses, and makes the best match active", async () => {
    const t = setup();
    t.box.input("h");
    t.box.input("ho");
    expect(t.timers.delays).toEqual([TYPING_PAUSE_MS]);
    expect(t.box.loading).toBe(true);
    t.timers.fire();
    await settle();
    expect(t.received.map((r) => r.query.get("q"))).toEqual(["ho"]);
    expect(t.box.options.map((o) => o.key)).toEqual(["t:t-ho", "more"]);
    expect(t.box.active).toBe(0);
    expect(t.box.loading).toBe(false);
    t.box.move("ArrowDown");
    expect(t.box.active).toBe(1);
  });

  it("Enter before the answer came asks at once and takes the best match of the whole text", async () => {
    const t = setup();
    t.box.input("hon");
    const picked = await t.box.enter();
    expect(picked?.key).toBe("t:t-hon");
    expect(t.received.map((r) => r.query.get("q"))).toEqual(["hon"]);
    t.timers.fire(); // the debounce was cancelled: nothing more is sent
    await settle();
    expect(t.received).toHaveLength(1);
  });

  it("shows why a search failed", async () => {
    routedFetch({});
    const box = new SearchBox((q, signal) => search(q, { signal }), false, new ManualTimers());
    box.input("x");
    await box.enter();
    expect(box.error).toBeTruthy();
    expect(box.loading).toBe(false);
  });
});
