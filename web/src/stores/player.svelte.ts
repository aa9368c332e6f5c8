/**
 * The player: what is loaded and where it is (a reducer over the audio engine's events,
 * lib/player.ts), the play order, and the person's commands. The play order is the list
 * something was last played from (an album in disc and track order, a playlist, the
 * track list as sorted), or the library's list, newest first, until then. It drives an Engine (lib/engine.ts in the page, a fake in the tests) and
 * never touches the DOM.
 */
import type { Track } from "../lib/api";
import type { GainSettings } from "../lib/engine";
import type { KeyCommand } from "../lib/keys";
import type { Repeat } from "../lib/queue";
import {
  type PlayerEvent,
  type PlayerState,
  initialPlayerState,
  isPlayable,
  neighbour,
  previousRestarts,
  reduce,
  seekTarget,
} from "../lib/player";
import type { Preferences } from "./preferences.svelte";

/** What the player needs of the audio engine. */
export interface Engine {
  /** Load `track`; with `autoplay` it starts as soon as it can. */
  load(track: Track, autoplay: boolean): void;
  play(): void;
  pause(): void;
  seek(seconds: number): void;
  setGain(settings: GainSettings): void;
}

/** Seconds an arrow key or a media key's skip moves. */
export const SKIP_S = 5;
/** How much an arrow key moves the volume. */
export const VOLUME_STEP = 0.05;

/**
 * The page's play queue (stores/queue.svelte.ts), kept on the server: when the player has
 * one, it plays in the queue's order and every "play these" goes through it.
 */
export interface PlayQueue {
  readonly tracks: readonly Track[];
  /** The current entry; -1: none. */
  readonly index: number;
  readonly shuffle: boolean;
  readonly repeat: Repeat;
  replace(tracks: readonly Track[], index?: number): Track | null;
  append(tracks: readonly Track[]): void;
  playNext(tracks: readonly Track[]): void;
  remove(at: number): void;
  /** The player loaded this track: the queue's current entry follows it. */
  follow(trackId: string | null | undefined): void;
  /** Make the entry at `at` current; returns its track. */
  jump(at: number): Track | null;
  /** The entry after (+1) or before (-1) the current one in the play order; null: none. */
  step(direction: 1 | -1, auto?: boolean, playable?: (track: Track) => boolean): number | null;
  setShuffle(on: boolean): void;
  cycleRepeat(): void;
}

/** A loaded track gave way to another: where it was left, and whether it played to its end. */
export interface Left {
  track: Track;
  position: number;
  ended: boolean;
}

export class Player {
  state = $state.raw<PlayerState>(initialPlayerState());
  /** The list played from; null: the library's. */
  private list = $state.raw<readonly Track[] | null>(null);
  private engine: Engine | null = null;
  private playQueue: PlayQueue | null = null;
  /** A restored track's second, applied once its media can seek (see `restore`). */
  private startAt: { id: string; at: number } | null = null;
  /** Whether the loaded track played to its end (a radio tells a skip from a full play). */
  private ended = false;
  private leaveListeners = new Set<(left: Left) => void>();

  /**
   * @param prefs volume, mute and normalization, applied to the engine on each change.
   * @param queue the play order, read when a track ends or next/previous is pressed.
   * @param onchange told each new state (the page updates the Media Session with it).
   */
  constructor(
    readonly prefs: Preferences,
    private readonly queue: () => readonly Track[],
    private readonly onchange: (state: PlayerState) => void = () => {},
  ) {}

  /** Play in the queue's order from now on; what plays through the player goes into it. */
  useQueue(queue: PlayQueue): void {
    this.playQueue = queue;
  }

  /** The play order now: the queue, else the list last played from, else the library's. */
  get order(): readonly Track[] {
    if (this.playQueue?.tracks.length) return this.playQueue.tracks;
    return this.list ?? this.queue();
  }

  /** The loaded track as the list has it now (newer urls and status), else the copy. */
  get current(): Track | null {
    const id = this.state.track?.id;
    if (!id) return null;
    return this.order.find((t) => t.id === id) ?? this.queue().find((t) => t.id === id) ?? this.state.track;
  }

  get hasNext(): boolean {
    const queue = this.steppingQueue();
    if (queue) return queue.step(1, false, isPlayable) !== null;
    return neighbour(this.order, this.state.track?.id ?? null, 1) !== null;
  }

  /** Whether the queue plays shuffled. */
  get shuffleOn(): boolean {
    return this.playQueue?.shuffle ?? false;
  }

  get repeatMode(): Repeat {
    return this.playQueue?.repeat ?? "off";
  }

  /** Whether shuffle and repeat can be set (the page has a queue). */
  get hasQueue(): boolean {
    return this.playQueue !== null;
  }

  setShuffle(on: boolean): void {
    this.playQueue?.setShuffle(on);
  }

  cycleRepeat(): void {
    this.playQueue?.cycleRepeat();
  }

  /**
   * The queue, where it decides what comes next: it holds entries and its current one is
   * what is loaded (a track played from outside it goes by the list order instead).
   */
  private steppingQueue(): PlayQueue | null {
    const queue = this.playQueue;
    if (!queue?.tracks.length) return null;
    const loaded = this.state.track?.id;
    if (loaded && queue.tracks[queue.index]?.id !== loaded) return null;
    return queue;
  }

  /** Play the queue's entry `at` from its start (the one loaded: again). */
  private playEntry(queue: PlayQueue, at: number): void {
    if (at === queue.index && this.state.track?.id === queue.tracks[at]?.id) {
      this.engine?.seek(0);
      this.engine?.play();
      return;
    }
    const track = queue.jump(at);
    if (track) this.engine?.load(track, true);
  }

  /** Whether Play can start something with nothing loaded. */
  get canStart(): boolean {
    return this.order.some(isPlayable);
  }

  /**
   * Play `tracks` in their order, from `start` (else the first playable one): Next and
   * Previous then follow them.
   */
  playFrom(tracks: readonly Track[], start?: Track): void {
    const first = start ?? tracks.find(isPlayable);
    if (!first || !this.engine) return;
    if (this.playQueue) this.playQueue.replace(tracks, Math.max(0, tracks.indexOf(first)));
    else this.list = [...tracks];
    if (this.state.track?.id === first.id) {
      // A track's own button plays and pauses it; "Play all" only starts it.
      if (start) this.toggle();
      else if (!this.state.playing) this.engine.play();
      return;
    }
    this.engine.load(first, true);
  }

  /** Play `track` alone from `seconds` in (a lyric line a search found). */
  playAt(track: Track, seconds: number): void {
    if (!this.engine || !isPlayable(track)) return;
    if (this.state.track?.id === track.id) {
      this.engine.seek(seconds);
      this.engine.play();
      return;
    }
    if (this.playQueue) this.playQueue.replace([track], 0);
    else this.list = [track];
    this.startAt = seconds > 0 ? { id: track.id, at: seconds } : null;
    this.engine.load(track, true);
  }

  /** Play `tracks` in a random order. */
  shuffle(tracks: readonly Track[], random: () => number = Math.random): void {
    const order = tracks.filter(isPlayable);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    this.playFrom(order);
  }

  /** Add tracks at the end of the play order (ones already in it stay where they are). */
  enqueue(tracks: readonly Track[]): void {
    if (this.playQueue) {
      const ids = new Set(this.playQueue.tracks.map((t) => t.id));
      this.playQueue.append(tracks.filter((t) => !ids.has(t.id)));
      return;
    }
    const order = this.order;
    const ids = new Set(order.map((t) => t.id));
    this.list = [...order, ...tracks.filter((t) => !ids.has(t.id))];
  }

  /** Add tracks right after the one playing. */
  playNext(tracks: readonly Track[]): void {
    if (this.playQueue) this.playQueue.playNext(tracks);
    else {
      const order = [...this.order];
      order.splice(order.findIndex((t) => t.id === this.state.track?.id) + 1, 0, ...tracks);
      this.list = order;
    }
  }

  /** A track is gone (deleted): out of the play order. */
  forget(id: string): void {
    const queue = this.playQueue;
    if (queue) for (let at = queue.tracks.length - 1; at >= 0; at--) if (queue.tracks[at].id === id) queue.remove(at);
    if (this.list?.some((t) => t.id === id)) this.list = this.list.filter((t) => t.id !== id);
  }

  attach(engine: Engine): void {
    this.engine = engine;
    engine.setGain(this.prefs.current);
  }

  /** An event from the engine. */
  dispatch = (event: PlayerEvent): void => {
    const before = this.state;
    const ended = this.ended;
    this.state = reduce(this.state, event);
    if (event.type === "load") {
      this.ended = false;
      this.playQueue?.follow(event.track.id);
    }
    if (event.type === "ended") this.ended = true;
    this.seekToStart(event);
    this.onchange(this.state);
    if (event.type === "load" && before.track && before.track.id !== event.track.id) {
      const left: Left = { track: before.track, position: before.position, ended };
      for (const listener of this.leaveListeners) listener(left);
    }
    if (event.type === "ended") this.next(true);
  };

  /** Be told each time the loaded track gives way to another one; returns the unsubscribe. */
  onLeave(listener: (left: Left) => void): () => void {
    this.leaveListeners.add(listener);
    return () => this.leaveListeners.delete(listener);
  }

  /** A track's play button: play it, or play/pause it if it is the one loaded. */
  play(track: Track): void {
    if (!this.engine) return;
    if (this.state.track?.id === track.id) {
      this.toggle();
      return;
    }
    this.engine.load(track, true);
  }

  /** A press on a play button: start loading while the finger is still down. */
  prepare(track: Track): void {
    if (!this.engine || this.state.playing || this.state.track?.id === track.id) return;
    if (!isPlayable(track)) return;
    this.engine.load(track, false);
  }

  toggle(): void {
    if (!this.engine) return;
    if (!this.state.track) {
      const first = neighbour(this.order, null, 1);
      if (first) this.play(first);
      return;
    }
    if (this.state.playing) this.engine.pause();
    else this.engine.play();
  }

  resume(): void {
    this.engine?.play();
  }

  pause(): void {
    this.engine?.pause();
  }

  /** The next playable track; at the end of the list a press goes to the end of this one. */
  next(auto = false): void {
    const queue = this.steppingQueue();
    if (queue) {
      const at = queue.step(1, auto, isPlayable);
      if (at !== null) this.playEntry(queue, at);
      else if (!auto) this.engine?.seek(this.state.duration);
      return;
    }
    const track = neighbour(this.order, this.state.track?.id ?? null, 1);
    if (track) this.engine?.load(track, true);
    else if (!auto) this.engine?.seek(this.state.duration);
  }

  /** Back to the start of this track, or to the previous one within its first seconds. */
  previous(): void {
    const queue = this.steppingQueue();
    if (queue) {
      const at = queue.step(-1, false, isPlayable);
      if (previousRestarts(this.state.position) || at === null) this.engine?.seek(0);
      else this.playEntry(queue, at);
      return;
    }
    const track = neighbour(this.order, this.state.track?.id ?? null, -1);
    if (previousRestarts(this.state.position) || !track) this.engine?.seek(0);
    else this.engine?.load(track, true);
  }

  seek(seconds: number): void {
    this.engine?.seek(seconds);
  }

  seekBy(delta: number): void {
    if (!this.state.track) return;
    this.engine?.seek(seekTarget(this.state.position, delta, this.state.duration));
  }

  setVolume(volume: number): void {
    this.prefs.setVolume(volume);
    this.engine?.setGain(this.prefs.current);
  }

  setMuted(muted: boolean): void {
    this.prefs.setMuted(muted);
    this.engine?.setGain(this.prefs.current);
  }

  setNormalize(normalize: boolean): void {
    this.prefs.setNormalize(normalize);
    this.engine?.setGain(this.prefs.current);
  }

  /**
   * Load `track` paused at `position` seconds (a restored queue): shown there at once,
   * and sought there as soon as the media knows its length.
   */
  restore(track: Track, position: number): void {
    if (!this.engine) return;
    this.startAt = position > 0 ? { id: track.id, at: position } : null;
    this.engine.load(track, false);
    if (this.startAt) this.state = reduce(this.state, { type: "time", position });
  }

  private seekToStart(event: PlayerEvent): void {
    const start = this.startAt;
    if (!start) return;
    if (event.type === "load" && event.track.id !== start.id) this.startAt = null;
    else if ((event.type === "duration" || event.type === "playing") && this.state.track?.id === start.id) {
      this.startAt = null;
      this.engine?.seek(start.at);
    }
  }

  /** A keyboard shortcut (lib/keys.ts). */
  command(command: KeyCommand): void {
    switch (command) {
      case "toggle":
        return this.toggle();
      case "back":
        return this.seekBy(-SKIP_S);
      case "forward":
        return this.seekBy(SKIP_S);
      case "louder":
        return this.setVolume(this.prefs.volume + VOLUME_STEP);
      case "quieter":
        return this.setVolume(this.prefs.volume - VOLUME_STEP);
    }
  }
}
