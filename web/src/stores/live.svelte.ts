/**
 * Live listener counts: how many people listen to each track now, and the busiest tracks.
 *
 * Counts are loaded for the tracks a page shows (GET /api/live?tracks=…, batched: every
 * row's badge asks, one request goes) and then follow the server's `live` pushes on the
 * page's one change feed (stores/events.svelte.ts), so they move without a reload and
 * without polling. After the feed reconnects, what is shown is loaded again (pushes in the
 * gap are lost).
 */
import { getContext, hasContext, setContext } from "svelte";
import type { LiveOut, LiveTrack } from "../lib/listening";
import type { LiveEvents } from "./events.svelte";
import type { Timers } from "./library.svelte";

export interface LiveApi {
  getLive(ids?: readonly string[]): Promise<LiveOut>;
}

/** Ids in one request (the query string stays short). */
export const BATCH = 100;
/** Rows drawn together ask together. */
const GATHER_MS = 30;
/** A track not on the busiest list started: the list is loaded again after this. */
const RELOAD_MS = 500;

export class LiveCounts {
  /** Listeners by track id, where known. */
  private counts = $state<Record<string, number>>({});
  /** The busiest tracks now, busiest first (loaded while a page shows them). */
  busiest = $state.raw<LiveTrack[]>([]);
  /** Everyone listening now. */
  total = $state(0);
  /** The busiest list was answered (or refused) at least once. */
  loaded = $state(false);
  /** The busiest list could not be loaded. */
  error = $state<string | null>(null);

  private readonly watched = new Map<string, number>();
  private readonly wanted = new Set<string>();
  private gatherTimer: unknown = undefined;
  private reloadTimer: unknown = undefined;
  private showing = 0;

  constructor(
    private readonly api: LiveApi,
    private readonly timers: Timers,
  ) {}

  /** How many listen to `id` now; 0 while unknown. */
  count(id: string): number {
    return this.counts[id] ?? 0;
  }

  /** A page shows these tracks: load their counts; returns the release. */
  watch(ids: readonly string[]): () => void {
    for (const id of ids) {
      this.watched.set(id, (this.watched.get(id) ?? 0) + 1);
      if (!(id in this.counts)) this.want(id);
    }
    return () => {
      for (const id of ids) {
        const left = (this.watched.get(id) ?? 1) - 1;
        if (left > 0) this.watched.set(id, left);
        else this.watched.delete(id);
      }
    };
  }

  /** A page shows the busiest tracks: load them and keep them current; returns the release. */
  showBusiest(): () => void {
    this.showing += 1;
    void this.loadBusiest();
    return () => {
      this.showing -= 1;
    };
  }

  /** What the server says now of one track (a push, or a play's answer). */
  set(id: string, listeners: number): void {
    if (this.counts[id] === listeners) return;
    this.counts[id] = listeners;
    const at = this.busiest.findIndex((entry) => entry.track.id === id);
    if (at >= 0) {
      this.total = Math.max(0, this.total + listeners - this.busiest[at].listeners);
      const changed = this.busiest.map((entry, i) => (i === at ? { ...entry, listeners } : entry));
      this.busiest = changed.filter((entry) => entry.listeners > 0).sort((a, b) => b.listeners - a.listeners);
    } else if (listeners > 0 && this.showing > 0) {
      this.reloadSoon();
    }
  }

  /** Take the pushes of `events`; returns the unsubscribe. */
  follow(events: Pick<LiveEvents, "onLive" | "onResync">): () => void {
    const offLive = events.onLive((event) => this.set(event.track_id, event.listeners));
    const offResync = events.onResync(() => this.reload());
    return () => {
      offLive();
      offResync();
    };
  }

  /** Everything shown, loaded again. */
  reload(): void {
    for (const id of this.watched.keys()) this.want(id);
    if (this.showing > 0) void this.loadBusiest();
  }

  stop(): void {
    this.timers.clear(this.gatherTimer);
    this.timers.clear(this.reloadTimer);
    this.gatherTimer = this.reloadTimer = undefined;
  }

  async loadBusiest(): Promise<void> {
    try {
      this.take(await this.api.getLive());
      this.error = null;
    } catch (error) {
      this.error = error instanceof Error ? error.message : "Who listens now could not be loaded.";
    } finally {
      this.loaded = true;
    }
  }

  private take(answer: LiveOut): void {
    this.total = answer.total;
    this.busiest = answer.tracks.filter((entry) => entry.listeners > 0);
    for (const entry of answer.tracks) this.counts[entry.track.id] = entry.listeners;
    Object.assign(this.counts, answer.counts);
  }

  private want(id: string): void {
    this.wanted.add(id);
    if (this.gatherTimer !== undefined) return;
    this.gatherTimer = this.timers.set(() => {
      this.gatherTimer = undefined;
      void this.flush();
    }, GATHER_MS);
  }

  private async flush(): Promise<void> {
    const ids = [...this.wanted];
    this.wanted.clear();
    for (let at = 0; at < ids.length; at += BATCH) {
      const batch = ids.slice(at, at + BATCH);
      try {
        const answer = await this.api.getLive(batch);
        Object.assign(this.counts, answer.counts);
      } catch {
        // A badge is a nicety: without an answer it shows nothing, and pushes still come.
      }
    }
  }

  private reloadSoon(): void {
    if (this.reloadTimer !== undefined) return;
    this.reloadTimer = this.timers.set(() => {
      this.reloadTimer = undefined;
      if (this.showing > 0) void this.loadBusiest();
    }, RELOAD_MS);
  }
}

const KEY = Symbol("live counts");

/** Hand the page's counts to the components under this one (Shell does, once). */
export function provideLive(live: LiveCounts): void {
  setContext(KEY, live);
}

/** The page's counts; null outside a page that has them (a component's own test). */
export function liveCounts(): LiveCounts | null {
  return hasContext(KEY) ? getContext<LiveCounts>(KEY) : null;
}
