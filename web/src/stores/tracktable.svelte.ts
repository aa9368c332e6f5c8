/**
 * The whole track list, sorted by any column, for a list drawn a window at a time
 * (lib/virtual.ts): rows are fetched by offset, a page at a time, as they come into view.
 * Only the pages nearest the view are kept (`KEPT_PAGES`); the others are dropped and
 * fetched again when they come back, so a long fling through 100 000 tracks costs what
 * is near the screen, in memory as in the work each frame does.
 *
 * Selection (for editing many tracks' tags at once) is by track id: a click selects one,
 * Ctrl/⌘-click adds or removes one, Shift-click the rows between the last click and this.
 */
import { ApiError } from "../lib/api";
import type { CatalogTrack, ListOptions, Order, Page, TrackSort } from "../lib/catalog";
import { type Range, pagesFor, span } from "../lib/virtual";

export type FetchPage = (options: ListOptions<TrackSort>) => Promise<Page<CatalogTrack>>;

export const TABLE_PAGE = 100;
/** Pages kept around the view; farther ones are dropped. */
export const KEPT_PAGES = 10;

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
  /** Selected rows of dropped pages, by index: a selection outlives scrolling away. */
  private selectedRows = new Map<number, CatalogTrack>();
  private inFlight = new Set<number>();
  private generation = 0;
  private anchor: number | null = null;
  private lastRange: Range = { start: 0, end: TABLE_PAGE };

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly pageSize = TABLE_PAGE,
    private readonly keptPages = KEPT_PAGES,
  ) {}

  /** How many pages are held now. */
  get pagesHeld(): number {
    return this.pages.size;
  }

  /** The row at `index`, once its page has arrived. */
  row(index: number): CatalogTrack | undefined {
    void this.arrived;
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize] ?? this.selectedRows.get(index);
  }

  /** Fetch the pages that hold `range` and are not here yet. */
  ensure(range: Range): void {
    this.lastRange = range;
    const wanted = this.loaded ? pagesFor(range, this.pageSize) : [Math.floor(range.start / this.pageSize)];
    for (const page of wanted) {
      if (this.pages.has(page) || this.inFlight.has(page)) continue;
      void this.fetch(page);
    }
    this.evict();
  }

  /** Drop the pages farthest from the view, keeping `keptPages` (and every one in view). */
  private evict(): void {
    if (this.pages.size <= this.keptPages) return;
    const inView = new Set(pagesFor(this.lastRange, this.pageSize));
    const middle = (this.lastRange.start + this.lastRange.end) / 2 / this.pageSize;
    const byDistance = [...this.pages.keys()].sort((a, b) => Math.abs(a + 0.5 - middle) - Math.abs(b + 0.5 - middle));
    const keep = Math.max(this.keptPages, inView.size);
    for (const page of byDistance.slice(keep)) {
      if (inView.has(page)) continue;
      const rows = this.pages.get(page) ?? [];
      if (this.selected.size) {
        rows.forEach((row, i) => {
          if (this.selected.has(row.id)) this.selectedRows.set(page * this.pageSize + i, row);
        });
      }
      this.pages.delete(page);
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
    this.selectedRows.clear();
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
    for (const [index, row] of this.selectedRows) {
      const fresh = byId.get(row.id);
      if (fresh) this.selectedRows.set(index, fresh);
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
    this.selectedRows.clear();
    this.anchor = null;
  }

  /** The selected tracks that were loaded, in list order. */
  selectedTracks(): CatalogTrack[] {
    const found = new Map<number, CatalogTrack>();
    for (const [index, row] of this.selectedRows) if (this.selected.has(row.id)) found.set(index, row);
    for (const [page, rows] of this.pages) {
      rows.forEach((row, i) => {
        if (this.selected.has(row.id)) found.set(page * this.pageSize + i, row);
      });
    }
    return [...found].sort((a, b) => a[0] - b[0]).map(([, row]) => row);
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
      this.evict();
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
