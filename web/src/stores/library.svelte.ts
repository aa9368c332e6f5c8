/**
 * The library: the track list as shown (newest first, merged from the first page on
 * each refresh, lib/library.ts), and its polling while the server works on something.
 *
 * Polling: a refresh asks for the first page; it polls again after POLL_MS while a shown
 * track is being processed or someone waits on a track (`watching`: the uploads queue),
 * after 5 × POLL_MS when the list could not be loaded, and not at all otherwise. Refreshes
 * never overlap: one asked for during another runs right after it.
 */
import { ApiError, type Track, type TrackPage, type Visibility } from "../lib/api";
import { appendPage, mergeFirstPage, needsPolling } from "../lib/library";

/** The calls the library makes (lib/api.ts in the page). */
export interface LibraryApi {
  listTracks(limit: number, cursor?: string | null): Promise<TrackPage>;
  getTrack(id: string): Promise<Track>;
  updateTrack(id: string, change: { visibility: Visibility }): Promise<Track>;
  deleteTrack(id: string): Promise<void>;
}

/** setTimeout's shape, so the tests can run the clock themselves. */
export interface Timers {
  set(run: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface LibraryOptions {
  pageSize?: number;
  pollMs?: number;
  timers?: Timers;
  /**
   * Track ids someone waits on (uploads being processed); they are fetched even when they
   * are not on the first page (a file that was stored before is an older track).
   */
  watching?: () => readonly string[];
  /** Every track a refresh learnt about: the first page and the watched ones. */
  onrefresh?: (tracks: readonly Track[]) => void;
}

export const PAGE_SIZE = 100;
export const POLL_MS = 1000;

const browserTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class Library {
  tracks = $state.raw<readonly Track[]>([]);
  total = $state(0);
  nextCursor = $state<string | null>(null);
  /** The first page has arrived. */
  loaded = $state(false);
  /** Why the list could not be loaded, in words for a person. */
  error = $state<string | null>(null);

  private readonly pageSize: number;
  private readonly pollMs: number;
  private readonly timers: Timers;
  private readonly watching: () => readonly string[];
  private readonly onrefresh: (tracks: readonly Track[]) => void;
  private timer: unknown = undefined;
  private inFlight = false;
  private again = false;

  constructor(
    private readonly api: LibraryApi,
    options: LibraryOptions = {},
  ) {
    this.pageSize = options.pageSize ?? PAGE_SIZE;
    this.pollMs = options.pollMs ?? POLL_MS;
    this.timers = options.timers ?? browserTimers;
    this.watching = options.watching ?? (() => []);
    this.onrefresh = options.onrefresh ?? (() => {});
  }

  /** Refresh after `delay` ms, replacing any refresh already planned. */
  poll(delay: number): void {
    this.timers.clear(this.timer);
    this.timer = this.timers.set(() => void this.refresh(), delay);
  }

  /** Stop polling (the page is going away). */
  stop(): void {
    this.timers.clear(this.timer);
    this.timer = undefined;
  }

  async refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = true;
    try {
      const page = await this.api.listTracks(this.pageSize);
      this.tracks = this.loaded ? mergeFirstPage(this.tracks, page.items) : page.items;
      if (!this.loaded) this.nextCursor = page.next_cursor;
      this.total = page.total;
      this.loaded = true;
      this.error = null;
      const known = new Set(page.items.map((t) => t.id));
      const missing = this.watching().filter((id) => !known.has(id));
      const extra = await Promise.all(
        missing.map((id) => this.api.getTrack(id).catch(() => null)),
      );
      this.onrefresh([...page.items, ...extra.filter((t): t is Track => t !== null)]);
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : "The track list could not be loaded.";
    } finally {
      this.inFlight = false;
    }
    if (this.again) {
      this.again = false;
      this.poll(0);
    } else if (this.error || needsPolling(this.tracks, this.watching())) {
      this.poll(this.error ? this.pollMs * 5 : this.pollMs);
    }
  }

  /** Change who may listen to a track; throws ApiError (the row says why). */
  async setVisibility(track: Track, visibility: Visibility): Promise<void> {
    const changed = await this.api.updateTrack(track.id, { visibility });
    this.tracks = this.tracks.map((t) => (t.id === changed.id ? changed : t));
  }

  /** Delete a track; throws ApiError. Gone at once here, whatever the next poll says. */
  async delete(track: Track): Promise<void> {
    try {
      await this.api.deleteTrack(track.id);
    } catch (error) {
      // Already gone (deleted in another tab): that is what was asked for.
      if (!(error instanceof ApiError && error.status === 404)) throw error;
    }
    this.tracks = this.tracks.filter((t) => t.id !== track.id);
    this.total = Math.max(0, this.total - 1);
  }

  /** A track is gone (deleted elsewhere): out of the list at once. */
  drop(id: string): void {
    if (!this.tracks.some((t) => t.id === id)) return;
    this.tracks = this.tracks.filter((t) => t.id !== id);
    this.total = Math.max(0, this.total - 1);
  }

  /** A track as it is now (edited here): its copy replaced. */
  replace(track: Track): void {
    this.tracks = this.tracks.map((t) => (t.id === track.id ? track : t));
  }

  async loadMore(): Promise<void> {
    if (!this.nextCursor) return;
    try {
      const page = await this.api.listTracks(this.pageSize, this.nextCursor);
      this.tracks = appendPage(this.tracks, page.items);
      this.nextCursor = page.next_cursor;
    } catch (error) {
      this.error = error instanceof ApiError ? error.message : "More tracks could not be loaded.";
    }
  }
}
