/**
 * The play queue: what plays, in which order, and which is current; kept on the server so
 * another device (or this one after a reload) carries on from the same track and second.
 *
 * Saving: the whole queue (PUT) a second after the last change to it; where playback is
 * (PATCH, a few bytes) every 15 s while it moves, and once more as the page is hidden or
 * closed (a keepalive request, which outlives the page). Loading: `start()` restores the
 * saved queue, its track loaded paused at the saved second.
 *
 * Another device saved a newer queue (the `queue` event, or a look when this page gets
 * the focus again): while nothing plays here it is loaded; while this device plays, the
 * person is offered it (`offer`), and keeping this one saves it over the other.
 */
import type { Track } from "../lib/api";
import * as queueApi from "../lib/queue";
import { type QueuePatch, type QueuePut, type Repeat, type SavedQueue, deviceName, restoredTracks } from "../lib/queue";
import { isPermutation, nextRepeat, orderMoved, orderWithInserted, orderWithout, shuffledOrder, stepIndex } from "../lib/playorder";
import { followIndex, moveEntry } from "../lib/reorder";
import type { RadioSeed } from "../lib/radio";
import type { Timers } from "./library.svelte";

/** The radio the queue plays (stores/radio.svelte.ts keeps it going). */
export interface RadioInfo {
  id: string;
  title: string;
  seed: RadioSeed;
}

export type QueueApi = Pick<typeof queueApi, "getQueue" | "putQueue" | "patchQueue" | "sendQueueOnHide">;

/** What the queue needs of the player. */
export interface QueuePlayer {
  readonly state: { readonly track: Track | null; readonly position: number; readonly playing: boolean };
  /** Load `track` paused at `position` seconds. */
  restore(track: Track, position: number): void;
}

export const SAVE_DELAY_MS = 1000;
export const POSITION_EVERY_MS = 15_000;

const browserTimers: Timers = {
  set: (run, ms) => setTimeout(run, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const message = (error: unknown) => (error instanceof Error ? error.message : "The queue could not be saved.");

export class Queue {
  tracks = $state.raw<readonly Track[]>([]);
  /** The current entry's index; -1 when the queue is empty. */
  index = $state(-1);
  shuffle = $state(false);
  /** While shuffle is on: the indexes of `tracks` in the order they play. */
  order = $state.raw<readonly number[] | null>(null);
  repeat = $state<Repeat>("off");
  /** Restored from the server (or found empty there). */
  loaded = $state(false);
  /** A newer queue another device saved, offered while this one plays. */
  offer = $state.raw<SavedQueue | null>(null);
  /** Why the last save failed. */
  error = $state<string | null>(null);
  /**
   * The radio this queue plays, topped up as it goes; null: none. Anything that replaces
   * or clears the list ends it (the radio lives in this page: a reload keeps the tracks).
   */
  radio = $state.raw<RadioInfo | null>(null);

  /** The server's version of what this page holds. */
  version = 0;
  private readonly timers: Timers;
  private saveTimer: unknown = undefined;
  private tickTimer: unknown = undefined;
  private dirty = false;
  private saving: Promise<void> | null = null;
  /** What the server was last told of the position: [index, whole second]. */
  private sentAt: [number, number] = [-1, -1];
  private started = false;

  constructor(
    private readonly api: QueueApi,
    private readonly player: QueuePlayer,
    readonly device: string,
    timers?: Timers,
    private readonly random: () => number = Math.random,
  ) {
    this.timers = timers ?? browserTimers;
  }

  get current(): Track | null {
    return this.tracks[this.index] ?? null;
  }

  // ---- what the person does ------------------------------------------------------------

  /** Play a list from one of its tracks: it becomes the queue. Returns the track to play. */
  replace(tracks: readonly Track[], index = 0): Track | null {
    this.radio = null;
    this.tracks = [...tracks];
    this.index = tracks.length ? Math.min(Math.max(0, index), tracks.length - 1) : -1;
    if (this.shuffle) this.order = shuffledOrder(tracks.length, this.index, this.random);
    this.changed();
    return this.current;
  }

  /** Add to the end. */
  append(tracks: readonly Track[]): void {
    if (!tracks.length) return;
    const at = this.tracks.length;
    this.tracks = [...this.tracks, ...tracks];
    if (this.index === -1) this.index = 0;
    if (this.order) this.order = orderWithInserted(this.order, at, tracks.length, this.index, false, this.random);
    this.changed();
  }

  /** Add right after the current track. */
  playNext(tracks: readonly Track[]): void {
    if (!tracks.length) return;
    const next = [...this.tracks];
    const at = this.index + 1;
    next.splice(at, 0, ...tracks);
    this.tracks = next;
    if (this.index === -1) this.index = 0;
    if (this.order) this.order = orderWithInserted(this.order, at, tracks.length, this.index, true, this.random);
    this.changed();
  }

  remove(at: number): void {
    if (at < 0 || at >= this.tracks.length) return;
    this.tracks = this.tracks.filter((_, i) => i !== at);
    if (this.order) this.order = orderWithout(this.order, at);
    if (at < this.index || this.index >= this.tracks.length) this.index -= 1;
    if (this.tracks.length === 0) this.index = -1;
    else if (this.index < 0) this.index = 0;
    this.changed();
  }

  move(from: number, to: number): void {
    if (from === to || from < 0 || from >= this.tracks.length) return;
    const target = Math.min(Math.max(0, to), this.tracks.length - 1);
    this.tracks = moveEntry(this.tracks, from, target);
    this.index = followIndex(this.index, from, target);
    if (this.order) this.order = orderMoved(this.order, from, target);
    this.changed();
  }

  /** The entry at `at` plays right after the current one (shuffled or not). */
  playNextAt(at: number): void {
    if (at < 0 || at >= this.tracks.length || at === this.index) return;
    const to = at < this.index ? this.index : this.index + 1;
    this.move(at, to);
    if (!this.order) return;
    const landed = Math.min(to, this.tracks.length - 1);
    const rest = this.order.filter((i) => i !== landed);
    rest.splice(rest.indexOf(this.index) + 1, 0, landed);
    this.order = rest;
  }

  clear(): void {
    this.radio = null;
    this.tracks = [];
    this.index = -1;
    if (this.order) this.order = [];
    this.changed();
  }

  /** Make the entry at `at` current; returns its track, for the page to play. */
  jump(at: number): Track | null {
    if (at < 0 || at >= this.tracks.length) return null;
    this.index = at;
    this.changed(false);
    return this.current;
  }

  setRepeat(repeat: Repeat): void {
    this.repeat = repeat;
    this.changed();
  }

  /** off -> all -> one -> off. */
  cycleRepeat(): void {
    this.setRepeat(nextRepeat(this.repeat));
  }

  /** Shuffle on: the rest plays in a random order after the current track; off: in list order. */
  setShuffle(on: boolean): void {
    if (on === this.shuffle) return;
    this.shuffle = on;
    this.order = on ? shuffledOrder(this.tracks.length, this.index, this.random) : null;
    this.changed();
  }

  /**
   * The entry to play after (+1) or before (-1) the current one, in the play order and
   * under the repeat mode; null: none. `auto`: the current track ended by itself.
   */
  step(direction: 1 | -1, auto = false, playable: (track: Track) => boolean = () => true): number | null {
    const order = this.shuffle ? this.order : null;
    return stepIndex({ length: this.tracks.length, index: this.index, order, repeat: this.repeat }, direction, auto, (at) =>
      playable(this.tracks[at]),
    );
  }

  /**
   * The player loaded `trackId` (next, previous, a click): it becomes current. The entry
   * at or after the current one wins over an earlier copy of the same track.
   */
  follow(trackId: string | null | undefined): void {
    if (!trackId || this.current?.id === trackId) return;
    const ahead = this.tracks.findIndex((t, i) => i > this.index && t.id === trackId);
    const at = ahead !== -1 ? ahead : this.tracks.findIndex((t) => t.id === trackId);
    if (at === -1) return;
    this.index = at;
    this.changed(false);
  }

  // ---- saving --------------------------------------------------------------------------

  /**
   * Something changed: save it a second after the last change. `list`: the entries or
   * the settings (the whole queue is sent); else only which one is current (a PATCH).
   */
  private changed(list = true): void {
    if (list) this.dirty = true;
    if (!this.started) return;
    this.timers.clear(this.saveTimer);
    this.saveTimer = this.timers.set(() => void (this.dirty ? this.save() : this.savePosition()), SAVE_DELAY_MS);
  }

  private body(): QueuePut {
    return {
      track_ids: this.tracks.map((t) => t.id),
      current_index: Math.max(0, this.index),
      position_s: this.position(),
      shuffle: this.shuffle,
      shuffle_order: this.shuffle ? this.validOrder() : null,
      repeat: this.repeat,
      device: this.device,
      base_version: this.version,
    };
  }

  /** The shuffled order, made anew if it went out of step with the list. */
  private validOrder(): number[] {
    if (isPermutation(this.order, this.tracks.length)) return this.order;
    const order = shuffledOrder(this.tracks.length, this.index, this.random);
    this.order = order;
    return order;
  }

  private position(): number {
    const { track, position } = this.player.state;
    return track && track.id === this.current?.id ? Math.round(position * 10) / 10 : 0;
  }

  /** Save the whole queue now (the debounce ends here). */
  async save(): Promise<void> {
    this.timers.clear(this.saveTimer);
    this.saveTimer = undefined;
    if (this.saving) await this.saving;
    if (!this.dirty) return;
    this.dirty = false;
    const body = this.body();
    this.saving = this.api.putQueue(body).then(
      (saved) => {
        this.version = saved.version;
        this.sentAt = [body.current_index, Math.floor(body.position_s)];
        this.error = null;
      },
      async (error: { status?: number }) => {
        if (error.status === 409) {
          // Another device saved first: see what it saved.
          await this.checkRemote(true);
        } else {
          this.dirty = true;
          this.error = message(error);
        }
      },
    );
    await this.saving;
    this.saving = null;
  }

  /** Tell the server where playback is, if that moved since it was last told. */
  async savePosition(): Promise<void> {
    if (this.index < 0 || this.dirty) return;
    const at: [number, number] = [this.index, Math.floor(this.position())];
    if (at[0] === this.sentAt[0] && at[1] === this.sentAt[1]) return;
    this.sentAt = at;
    try {
      const saved = await this.api.patchQueue({ current_index: at[0], position_s: this.position(), device: this.device });
      this.version = Math.max(this.version, saved.version);
    } catch {
      this.sentAt = [-1, -1]; // try again on the next tick
    }
  }

  private tick = () => {
    void this.savePosition();
    this.tickTimer = this.timers.set(this.tick, POSITION_EVERY_MS);
  };

  /** The page is being hidden or closed: send what the server lacks, with keepalive. */
  hidden(): void {
    if (!this.started) return;
    if (this.dirty) {
      this.timers.clear(this.saveTimer);
      this.dirty = false;
      this.api.sendQueueOnHide("PUT", this.body());
      return;
    }
    if (this.index < 0) return;
    const position = this.position();
    if (this.sentAt[0] === this.index && this.sentAt[1] === Math.floor(position)) return;
    this.sentAt = [this.index, Math.floor(position)];
    this.api.sendQueueOnHide("PATCH", { current_index: this.index, position_s: position, device: this.device });
  }

  // ---- loading -------------------------------------------------------------------------

  /** Restore the saved queue (its track paused at its second), then keep saving. */
  async start(): Promise<void> {
    try {
      const saved = await this.api.getQueue();
      // Something was queued while the saved queue loaded: the person's choice wins.
      if (!this.dirty) this.apply(saved, true);
      else this.version = saved.version;
    } catch {
      // No saved queue to be had: start empty, and save what the person queues.
    } finally {
      this.loaded = true;
      this.started = true;
      this.tickTimer = this.timers.set(this.tick, POSITION_EVERY_MS);
      if (this.dirty) this.changed();
    }
  }

  stop(): void {
    this.started = false;
    this.timers.clear(this.saveTimer);
    this.timers.clear(this.tickTimer);
  }

  private apply(saved: SavedQueue, restorePlayer: boolean): void {
    const { tracks, index, same, order } = restoredTracks(saved);
    this.radio = null;
    this.tracks = tracks;
    this.index = index;
    this.shuffle = saved.shuffle;
    this.order = saved.shuffle ? (isPermutation(order, tracks.length) ? order : shuffledOrder(tracks.length, index, this.random)) : null;
    this.repeat = saved.repeat;
    this.version = saved.version;
    this.offer = null;
    this.dirty = false;
    const track = this.current;
    const position = same ? saved.position_s : 0;
    this.sentAt = [index, Math.floor(position)];
    if (restorePlayer && track) this.player.restore(track, position);
  }

  /** The server says a queue was saved (the `queue` event). */
  remoteChanged(event: { version: number; device: string | null }): void {
    if (event.device === this.device || event.version <= this.version) return;
    void this.checkRemote();
  }

  /**
   * Look at the saved queue (on focus, after an event): a newer one from elsewhere is
   * loaded while nothing plays here, else offered. `conflict`: this page's save was
   * refused for it.
   */
  async checkRemote(conflict = false): Promise<void> {
    let saved: SavedQueue;
    try {
      saved = await this.api.getQueue();
    } catch {
      return;
    }
    if (saved.version <= this.version) return;
    const sameList = saved.track_ids.join("\n") === this.tracks.map((t) => t.id).join("\n");
    if (saved.device === this.device || (sameList && !conflict)) {
      // Only where it played moved (or this tab's own save): nothing to ask.
      this.version = saved.version;
      return;
    }
    if (!conflict && !this.player.state.playing) {
      this.apply(saved, true);
    } else {
      // This device plays, or holds changes the other save would undo: the person chooses.
      this.offer = saved;
      if (conflict) this.dirty = true;
    }
  }

  /** Take the offered queue: it replaces this one, paused where the other device was. */
  acceptOffer(): void {
    if (this.offer) this.apply(this.offer, true);
  }

  /** Keep this queue: it is saved over the other device's. */
  keepMine(): void {
    if (!this.offer) return;
    this.version = this.offer.version;
    this.offer = null;
    this.changed();
  }

  /** Hook the page's visibility: save on hide, look for a newer queue on return. */
  bindPage(doc: Pick<Document, "visibilityState" | "addEventListener" | "removeEventListener">, win: Pick<Window, "addEventListener" | "removeEventListener">): () => void {
    const visibility = () => {
      if (doc.visibilityState === "hidden") this.hidden();
      else void this.checkRemote();
    };
    const pagehide = () => this.hidden();
    const focus = () => void this.checkRemote();
    doc.addEventListener("visibilitychange", visibility);
    win.addEventListener("pagehide", pagehide);
    win.addEventListener("focus", focus);
    return () => {
      doc.removeEventListener("visibilitychange", visibility);
      win.removeEventListener("pagehide", pagehide);
      win.removeEventListener("focus", focus);
    };
  }
}

/**
 * The page's queue: the server's API, this tab's device name (kept across reloads). A
 * visitor (`signedIn` false) has no queue on the server: theirs lives in the page only.
 */
export function pageQueue(player: QueuePlayer, signedIn = true): Queue {
  return new Queue(signedIn ? queueApi : localQueueApi(), player, deviceName(sessionStorage, navigator.userAgent));
}

/** A queue kept by the page alone: nothing restored, every save accepted. */
export function localQueueApi(): QueueApi {
  let version = 0;
  const saved = (body: Partial<QueuePut> | QueuePatch): SavedQueue => ({
    track_ids: "track_ids" in body ? (body.track_ids ?? []) : [],
    tracks: [],
    current_index: body.current_index ?? 0,
    position_s: body.position_s ?? 0,
    shuffle: "shuffle" in body ? (body.shuffle ?? false) : false,
    shuffle_order: null,
    repeat: "repeat" in body ? (body.repeat ?? "off") : "off",
    version: ++version,
    device: body.device ?? null,
    updated_at: null,
    dropped: 0,
  });
  return {
    getQueue: () => Promise.reject(new Error("A visitor has no saved queue.")),
    putQueue: (body) => Promise.resolve(saved(body)),
    patchQueue: (body) => Promise.resolve(saved(body)),
    sendQueueOnHide: () => {},
  };
}
