/**
 * The whole track list, sorted by any column, for a list drawn a window at a time
 * (lib/virtual.ts): rows are fetched by offset, a page at a time, as they come into view,
 * and kept until the order changes. 100 000 tracks cost what is on screen.
 *
 * Selection (for editing many tracks' tags at once) is by track id: a click selects one,
 * Ctrl/⌘-click adds or removes one, Shift-click the rows between the last click and this.
 */
import { ApiError } from "../lib/api";
import type { CatalogTrack, ListOptions, Order, Page, TrackSort } from "../lib/catalog";
import { type Range, pagesFor, span } from "../lib/virtual";

export type FetchPage = (options: ListOptions<TrackSort>) => Promise<Page<CatalogTrack>>;

export const TABLE_PAGE = 100;

/** The order a column sorts in when first chosen: newest, longest and latest first. */
const FIRST_ORDER: Record<TrackSort, Order> = {
  added: "desc",
  year: "desc",
  duration: "desc",
  title: "asc",
  artist: "asc",
  album: "asc",
};

export class TrackTable {
  sort = $state<TrackSort>("added");
  order = $state<Order>("desc");
  total = $state(0);
  loaded = $state(false);
  error = $state<string | null>(null);
  selected = $state.raw<ReadonlySet<string>>(new Set());
  /** Bumped when a page arrives: rows are read through `row`, which depends on it. */
  private arrived = $state(0);
  private pages = new Map<number, CatalogTrack[]>();
  private inFlight = new Set<number>();
  private generation = 0;
  private anchor: number | null = null;
  private lastRange: Range = { start: 0, end: TABLE_PAGE };

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly pageSize = TABLE_PAGE,
  ) {}

  /** The row at `index`, once its page has arrived. */
  row(index: number): CatalogTrack | undefined {
    void this.arrived;
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** Fetch the pages that hold `range` and are not here yet. */
  ensure(range: Range): void {
    this.lastRange = range;
    const wanted = this.loaded ? pagesFor(range, this.pageSize) : [Math.floor(range.start / this.pageSize)];
    for (const page of wanted) {
      if (this.pages.has(page) || this.inFlight.has(page)) continue;
      void this.fetch(page);
    }
  }

  /** Sort by a column; the column sorted by now turns its order around. */
  sortBy(column: TrackSort): void {
    if (this.sort === column) this.order = this.order === "asc" ? "desc" : "asc";
    else {
      this.sort = column;
      this.order = FIRST_ORDER[column];
    }
    this.reload();
  }

  /** Forget every row and fetch what is in view again (the list changed). */
  reload(): void {
    this.generation += 1;
    this.pages.clear();
    this.inFlight.clear();
    this.anchor = null;
    this.arrived += 1;
    this.ensure(this.lastRange);
  }

  /** Rows edited here: their copies replaced where they are. */
  patch(tracks: readonly CatalogTrack[]): void {
    const byId = new Map(tracks.map((t) => [t.id, t]));
    for (const [page, rows] of this.pages) {
      if (rows.some((r) => byId.has(r.id))) this.pages.set(page, rows.map((r) => byId.get(r.id) ?? r));
    }
    this.arrived += 1;
  }

  /** A track is gone: out of the selection; the rows after it move up (refetched). */
  drop(id: string): void {
    if (this.selected.has(id)) this.selected = new Set([...this.selected].filter((s) => s !== id));
    this.reload();
  }

  /** A click on row `index` (the row, or its checkbox with `toggle`). */
  click(index: number, keys: { shift?: boolean; toggle?: boolean }): void {
    const track = this.row(index);
    if (!track) return;
    if (keys.shift && this.anchor !== null) {
      const ids = span(this.anchor, index)
        .map((i) => this.row(i)?.id)
        .filter((id): id is string => id !== undefined);
      this.selected = new Set([...(keys.toggle ? this.selected : []), ...ids]);
      return;
    }
    this.anchor = index;
    if (keys.toggle) {
      const next = new Set(this.selected);
      if (next.has(track.id)) next.delete(track.id);
      else next.add(track.id);
      this.selected = next;
    } else {
      this.selected = new Set([track.id]);
    }
  }

  clearSelection(): void {
    this.selected = new Set();
    this.anchor = null;
  }

  /** The selected tracks that are loaded, in list order. */
  selectedTracks(): CatalogTrack[] {
    const out: CatalogTrack[] = [];
    for (const [, rows] of [...this.pages].sort((a, b) => a[0] - b[0])) {
      for (const row of rows) if (this.selected.has(row.id)) out.push(row);
    }
    return out;
  }

  private async fetch(page: number): Promise<void> {
    const generation = this.generation;
    this.inFlight.add(page);
    try {
      const answer = await this.fetchPage({
        sort: this.sort,
        order: this.order,
        offset: page * this.pageSize,
        limit: this.pageSize,
      });
      if (generation !== this.generation) return;
      this.pages.set(page, answer.items);
      this.total = answer.total;
      this.error = null;
      const first = !this.loaded;
      this.loaded = true;
      this.arrived += 1;
      if (first) this.ensure(this.lastRange);
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = error instanceof ApiError ? error.message : "The track list could not be loaded.";
    } finally {
      if (generation === this.generation) this.inFlight.delete(page);
    }
  }
}
