import { describe, expect, it } from "vitest";
import type { CatalogTrack, ListOptions, TrackSort } from "../lib/catalog";
import { pagesFor, span, visibleRange } from "../lib/virtual";
import { settle } from "../testing/timers";
import { track } from "../testing/tracks";
import { KEPT_PAGES, TrackTable } from "./tracktable.svelte";

const TOTAL = 100_000;

function setup() {
  const asked: ListOptions<TrackSort>[] = [];
  const table = new TrackTable(async (options) => {
    asked.push(options);
    const offset = options.offset ?? 0;
    const limit = options.limit ?? 100;
    const items: CatalogTrack[] = [];
    for (let i = offset; i < Math.min(TOTAL, offset + limit); i++) items.push(track(`t${i}`));
    return { items, total: TOTAL };
  }, 100);
  return { table, asked };
}

describe("a window on a long list", () => {
  it("draws the rows in view and a few either side", () => {
    expect(visibleRange(0, 560, 56, TOTAL)).toEqual({ start: 0, end: 18 });
    expect(visibleRange(56 * 50_000, 560, 56, TOTAL)).toEqual({ start: 49_992, end: 50_018 });
    expect(visibleRange(-300, 560, 56, TOTAL)).toEqual({ start: 0, end: 13 });
    expect(visibleRange(56 * TOTAL, 560, 56, TOTAL).end).toBe(TOTAL);
    expect(visibleRange(0, 560, 56, 0)).toEqual({ start: 0, end: 0 });
  });

  it("knows the pages that hold them", () => {
    expect(pagesFor({ start: 95, end: 205 }, 100)).toEqual([0, 1, 2]);
    expect(pagesFor({ start: 0, end: 0 }, 100)).toEqual([]);
    expect(span(5, 2)).toEqual([2, 3, 4, 5]);
  });
});

describe("the track table", () => {
  it("fetches only the pages in view, once each", async () => {
    const { table, asked } = setup();
    table.ensure({ start: 0, end: 20 });
    await settle();
    expect(table.total).toBe(TOTAL);
    table.ensure({ start: 49_990, end: 50_030 });
    table.ensure({ start: 49_990, end: 50_030 });
    await settle();
    expect(asked.map((a) => a.offset)).toEqual([0, 49_900, 50_000]);
    expect(table.row(50_001)?.id).toBe("t50001");
    expect(table.row(70_000)).toBeUndefined();
  });

  it("sorts by a column, turning the order around on a second click", async () => {
    const { table, asked } = setup();
    table.ensure({ start: 0, end: 20 });
    await settle();
    table.sortBy("title");
    await settle();
    table.sortBy("title");
    await settle();
    expect(asked.slice(1).map((a) => `${a.sort} ${a.order} ${a.offset}`)).toEqual(["title asc 0", "title desc 0"]);
  });

  it("selects with a click, Ctrl-click and Shift-click", async () => {
    const { table } = setup();
    table.ensure({ start: 0, end: 20 });
    await settle();
    table.click(2, {});
    table.click(5, { shift: true });
    expect([...table.selected]).toEqual(["t2", "t3", "t4", "t5"]);
    table.click(9, { toggle: true });
    table.click(3, { toggle: true });
    expect(new Set(table.selected)).toEqual(new Set(["t2", "t4", "t5", "t9"]));
    expect(table.selectedTracks().map((t) => t.id)).toEqual(["t2", "t4", "t5", "t9"]);
    table.click(7, {});
    expect([...table.selected]).toEqual(["t7"]);
  });

  it("shows edited rows and drops deleted ones from the selection", async () => {
    const { table } = setup();
    table.ensure({ start: 0, end: 20 });
    await settle();
    table.patch([track("t3", { title: "Edited" })]);
    expect(table.row(3)?.title).toBe("Edited");
    table.click(3, {});
    table.drop("t3");
    expect(table.selected.size).toBe(0);
  });

  it("keeps only the pages near the view, and fetches a dropped one again when it comes back", async () => {
    const { table, asked } = setup();
    table.ensure({ start: 0, end: 20 });
    await settle();
    table.click(3, {});
    // A long fling: a window of 30 rows every 700 rows down to the end.
    for (let start = 0; start < TOTAL; start += 700) {
      table.ensure({ start, end: start + 30 });
      await settle();
      expect(table.pagesHeld).toBeLessThanOrEqual(KEPT_PAGES);
    }
    table.ensure({ start: TOTAL - 30, end: TOTAL });
    await settle();
    expect(table.pagesHeld).toBeLessThanOrEqual(KEPT_PAGES);
    // The nearest pages stay (the fling's last stops), the far ones went.
    expect(table.row(TOTAL - 1)?.id).toBe(`t${TOTAL - 1}`);
    expect(table.row(99_400)?.id).toBe("t99400");
    expect(table.row(50_000)).toBeUndefined();
    // The selected row outlives its page; the rest of that page does not.
    expect(table.row(4)).toBeUndefined();
    expect(table.selectedTracks().map((t) => t.id)).toEqual(["t3"]);
    // Back at the top: page 0 is fetched again.
    const before = asked.filter((a) => a.offset === 0).length;
    table.ensure({ start: 0, end: 20 });
    await settle();
    expect(asked.filter((a) => a.offset === 0).length).toBe(before + 1);
    expect(table.row(4)?.id).toBe("t4");
  });
});
