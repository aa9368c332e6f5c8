/**
 * The player: what is loaded and where it is (a reducer over the audio engine's events,
 * lib/player.ts), the play order (the library's list, newest first), and the person's
 * commands. It drives an Engine (lib/engine.ts in the page, a fake in the tests) and
 * never touches the DOM.
 */
import type { Track } from "../lib/api";
import type { GainSettings } from "../lib/engine";
import type { KeyCommand } from "../lib/keys";
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

export class Player {
  state = $state.raw<PlayerState>(initialPlayerState());
  private engine: Engine | null = null;
  /** A restored track's second, applied once its media can seek (see `restore`). */
  private startAt: { id: string; at: number } | null = null;

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

  /** The loaded track as the list has it now (newer urls and status), else the copy. */
  get current(): Track | null {
    const id = this.state.track?.id;
    if (!id) return null;
    return this.queue().find((t) => t.id === id) ?? this.state.track;
  }

  get hasNext(): boolean {
    return neighbour(this.queue(), this.state.track?.id ?? null, 1) !== null;
  }

  /** Whether Play can start something with nothing loaded. */
  get canStart(): boolean {
    return this.queue().some(isPlayable);
  }

  attach(engine: Engine): void {
    this.engine = engine;
    engine.setGain(this.prefs.current);
  }

  /** An event from the engine. */
  dispatch = (event: PlayerEvent): void => {
    this.state = reduce(this.state, event);
    this.seekToStart(event);
    this.onchange(this.state);
    if (event.type === "ended") this.next(true);
  };

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
      const first = neighbour(this.queue(), null, 1);
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
    const track = neighbour(this.queue(), this.state.track?.id ?? null, 1);
    if (track) this.engine?.load(track, true);
    else if (!auto) this.engine?.seek(this.state.duration);
  }

  /** Back to the start of this track, or to the previous one within its first seconds. */
  previous(): void {
    const track = neighbour(this.queue(), this.state.track?.id ?? null, -1);
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
