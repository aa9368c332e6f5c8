/**
 * The server's change feed (GET /api/events, server-sent events), so a page sees what
 * other tabs, devices and the server's workers change without a reload.
 *
 * The kinds read: `track` and `playlist` ({id, action: created|updated|deleted}),
 * `queue` ({version, device}: the person's queue was saved), `live` ({track_id,
 * listeners}: how many listen to a track now) and `charts` ({window}: a chart changed);
 * a malformed one is dropped. The connection is the page's own
 * to keep: on any error it is closed and opened again after 1, 2, 4 … up to 60 seconds
 * (the browser's own retry would hammer a server that answers 404 or 503), and after a
 * reconnection `resync` handlers run, since events sent in the gap are lost.
 */
import type { Timers } from "./library.svelte";

export type TrackAction = "created" | "updated" | "deleted";
export interface TrackEvent {
  id: string;
  action: TrackAction;
}

/** What the feed needs of an EventSource (a fake one in the tests). */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}

export const MAX_BACKOFF_MS = 60_000;
const ACTIONS = new Set<string>(["created", "updated", "deleted"]);

/** A track event's data, or null for anything else. */
export function parseTrackEvent(data: unknown): TrackEvent | null {
  if (typeof data !== "string") return null;
  try {
    const value: unknown = JSON.parse(data);
    if (!value || typeof value !== "object") return null;
    const { id, action } = value as Record<string, unknown>;
    return typeof id === "string" && typeof action === "string" && ACTIONS.has(action)
      ? { id, action: action as TrackAction }
      : null;
  } catch {
    return null;
  }
}

export interface PlaylistEvent {
  id: string;
  action: TrackAction;
}

export interface QueueEvent {
  version: number;
  device: string | null;
}

/** A queue event's data, or null for anything else. */
export function parseQueueEvent(data: unknown): QueueEvent | null {
  if (typeof data !== "string") return null;
  try {
    const value: unknown = JSON.parse(data);
    if (!value || typeof value !== "object") return null;
    const { version, device } = value as Record<string, unknown>;
    if (typeof version !== "number") return null;
    return { version, device: typeof device === "string" ? device : null };
  } catch {
    return null;
  }
}

export interface LiveEvent {
  track_id: string;
  listeners: number;
}

/** A live event's data, or null for anything else. */
export function parseLiveEvent(data: unknown): LiveEvent | null {
  const value = parseObject(data);
  if (!value) return null;
  const { track_id, listeners } = value;
  return typeof track_id === "string" && typeof listeners === "number" && listeners >= 0
    ? { track_id, listeners }
    : null;
}

export interface ChartsEvent {
  window: string;
}

/** A charts event's data, or null for anything else. */
export function parseChartsEvent(data: unknown): ChartsEvent | null {
  const value = parseObject(data);
  return value && typeof value.window === "string" ? { window: value.window } : null;
}

function parseObject(data: unknown): Record<string, unknown> | null {
  if (typeof data !== "string") return null;
  try {
    const value: unknown = JSON.parse(data);
    return value && typeof value === "object" ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function backoff(attempt: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.max(0, attempt));
}

export class LiveEvents {
  /** The feed is open now. */
  connected = $state(false);

  private source: EventSourceLike | null = null;
  private timer: unknown = undefined;
  private attempt = 0;
  private everOpened = false;
  private stopped = true;
  private readonly trackHandlers = new Set<(event: TrackEvent) => void>();
  private readonly playlistHandlers = new Set<(event: PlaylistEvent) => void>();
  private readonly queueHandlers = new Set<(event: QueueEvent) => void>();
  private readonly resyncHandlers = new Set<() => void>();
  private readonly liveHandlers = new Set<(event: LiveEvent) => void>();
  private readonly chartsHandlers = new Set<(event: ChartsEvent) => void>();

  constructor(
    private readonly open: (url: string) => EventSourceLike,
    private readonly timers: Timers,
    private readonly url = "/api/events",
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.timers.clear(this.timer);
    this.source?.close();
    this.source = null;
    this.connected = false;
  }

  onTrack(handler: (event: TrackEvent) => void): () => void {
    this.trackHandlers.add(handler);
    return () => this.trackHandlers.delete(handler);
  }

  onPlaylist(handler: (event: PlaylistEvent) => void): () => void {
    this.playlistHandlers.add(handler);
    return () => this.playlistHandlers.delete(handler);
  }

  onQueue(handler: (event: QueueEvent) => void): () => void {
    this.queueHandlers.add(handler);
    return () => this.queueHandlers.delete(handler);
  }

  onLive(handler: (event: LiveEvent) => void): () => void {
    this.liveHandlers.add(handler);
    return () => this.liveHandlers.delete(handler);
  }

  onCharts(handler: (event: ChartsEvent) => void): () => void {
    this.chartsHandlers.add(handler);
    return () => this.chartsHandlers.delete(handler);
  }

  /** After a reconnection: what changed in the gap is unknown, refetch. */
  onResync(handler: () => void): () => void {
    this.resyncHandlers.add(handler);
    return () => this.resyncHandlers.delete(handler);
  }

  private connect(): void {
    let source: EventSourceLike;
    try {
      source = this.open(this.url);
    } catch {
      this.retry();
      return;
    }
    this.source = source;
    source.addEventListener("open", () => {
      if (this.source !== source) return;
      this.connected = true;
      this.attempt = 0;
      if (this.everOpened) for (const handler of this.resyncHandlers) handler();
      this.everOpened = true;
    });
    source.addEventListener("error", () => {
      if (this.source !== source) return;
      source.close();
      this.source = null;
      this.connected = false;
      this.retry();
    });
    source.addEventListener("track", (event) => {
      if (this.source !== source) return;
      const parsed = parseTrackEvent(event.data);
      if (parsed) for (const handler of this.trackHandlers) handler(parsed);
    });
    source.addEventListener("playlist", (event) => {
      if (this.source !== source) return;
      // Same shape as a track event: {id, action}.
      const parsed = parseTrackEvent(event.data);
      if (parsed) for (const handler of this.playlistHandlers) handler(parsed);
    });
    source.addEventListener("queue", (event) => {
      if (this.source !== source) return;
      const parsed = parseQueueEvent(event.data);
      if (parsed) for (const handler of this.queueHandlers) handler(parsed);
    });
    source.addEventListener("live", (event) => {
      if (this.source !== source) return;
      const parsed = parseLiveEvent(event.data);
      if (parsed) for (const handler of this.liveHandlers) handler(parsed);
    });
    source.addEventListener("charts", (event) => {
      if (this.source !== source) return;
      const parsed = parseChartsEvent(event.data);
      if (parsed) for (const handler of this.chartsHandlers) handler(parsed);
    });
  }

  private retry(): void {
    if (this.stopped) return;
    const delay = backoff(this.attempt);
    this.attempt += 1;
    this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      if (!this.stopped) this.connect();
    }, delay);
  }
}
