/**
 * The play queue as the server keeps it (one per person, shared by their devices): its
 * shape, the calls, and a saved queue turned back into what the page plays.
 */
import type { Track } from "./api";
import type { components } from "./api-types";
import { csrfHeaders, request } from "./http";
import { describeUserAgent } from "./useragent";

type Schemas = components["schemas"];

export type Repeat = Schemas["QueueOut"]["repeat"];

/** The saved queue; `tracks` are those of `track_ids` the viewer may still see (each once). */
export type SavedQueue = Schemas["QueueOut"];

/** `base_version`: the version this one replaces (the server refuses, 409, a stale one). */
export type QueuePut = Schemas["QueueIn"];

export type QueuePatch = Schemas["QueuePatch"];

export function getQueue(): Promise<SavedQueue> {
  return request("/api/queue");
}

export function putQueue(body: QueuePut): Promise<SavedQueue> {
  return request("/api/queue", { method: "PUT", json: body });
}

export function patchQueue(body: QueuePatch): Promise<SavedQueue> {
  return request("/api/queue", { method: "PATCH", json: body });
}

/** Browsers keep at most 64 KiB of keepalive bodies in flight. */
const KEEPALIVE_LIMIT = 60_000;

/**
 * Send while the page goes away (hidden, closed): a keepalive request outlives the page.
 * Best effort, never throws.
 */
export function sendQueueOnHide(method: "PUT" | "PATCH", body: QueuePut | QueuePatch): void {
  const text = JSON.stringify(body);
  try {
    void fetch("/api/queue", {
      method,
      keepalive: text.length < KEEPALIVE_LIMIT,
      credentials: "same-origin",
      headers: { "content-type": "application/json", accept: "application/json", ...csrfHeaders() },
      body: text,
    }).catch(() => {});
  } catch {
    // No fetch at all while unloading: nothing more to do.
  }
}

/**
 * The tracks of a saved queue that can still be shown, in its order, and which of them
 * is current: the saved current one, or the next one left when it is gone.
 */
export function restoredTracks(
  saved: Pick<SavedQueue, "track_ids" | "tracks" | "current_index"> & Partial<Pick<SavedQueue, "shuffle_order">>,
): {
  tracks: Track[];
  index: number;
  /** Whether the saved current track itself is there (else its position means nothing). */
  same: boolean;
  /** The saved shuffle order over the tracks kept; null: none was saved. */
  order: number[] | null;
} {
  const byId = new Map(saved.tracks.map((t) => [t.id, t]));
  const tracks: Track[] = [];
  const kept = new Map<number, number>();
  let index = -1;
  let same = false;
  saved.track_ids.forEach((id, at) => {
    const track = byId.get(id);
    if (!track) return;
    kept.set(at, tracks.length);
    if (index === -1 && at >= saved.current_index) {
      index = tracks.length;
      same = at === saved.current_index;
    }
    tracks.push(track);
  });
  if (index === -1) index = tracks.length - 1;
  const order = saved.shuffle_order ? saved.shuffle_order.flatMap((at) => (kept.has(at) ? [kept.get(at)!] : [])) : null;
  return { tracks, index, same, order };
}

const DEVICE_KEY = "tonearm.device";

/**
 * This tab's name for the server: what the person calls the device, and a tag that tells
 * two tabs apart (so a tab knows its own saves when they come back as events).
 */
export function deviceName(storage: Pick<Storage, "getItem" | "setItem"> | null, agent: string): string {
  const known = storage?.getItem(DEVICE_KEY);
  if (known) return known;
  const name = `${describeUserAgent(agent)} · ${Math.random().toString(36).slice(2, 6).padEnd(4, "0")}`;
  storage?.setItem(DEVICE_KEY, name);
  return name;
}

/** The device as a person reads it: without the tab's tag. */
export function deviceLabel(device: string | null | undefined): string {
  if (!device) return "another device";
  return device.replace(/ · [a-z0-9]{4}$/, "");
}
