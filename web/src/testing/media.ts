/** An <audio> element the tests move by hand: its clock, flags and events. */
import type { MediaLike } from "../lib/plays";

export class FakeMedia implements MediaLike {
  currentTime = 0;
  paused = true;
  seeking = false;
  ended = false;
  private listeners = new Map<string, Set<() => void>>();

  addEventListener(type: string, listener: () => void): void {
    const set = this.listeners.get(type) ?? new Set();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: () => void): void {
    this.listeners.get(type)?.delete(listener);
  }

  fire(type: string): void {
    for (const listener of this.listeners.get(type) ?? []) listener();
  }

  play(): void {
    this.paused = false;
    this.ended = false;
    this.fire("playing");
  }

  pause(): void {
    this.paused = true;
    this.fire("pause");
  }

  /** Playback moved to `time` (a timeupdate). */
  at(time: number): void {
    this.currentTime = time;
    this.fire("timeupdate");
  }

  /** A seek to `time`: seeking, the jump, seeked. */
  seek(time: number): void {
    this.seeking = true;
    this.currentTime = time;
    this.fire("seeking");
    this.fire("timeupdate");
    this.seeking = false;
    this.fire("seeked");
  }

  /** Played to its end: the pause the element fires there, then ended. */
  end(time: number): void {
    this.currentTime = time;
    this.fire("timeupdate");
    this.paused = true;
    this.ended = true;
    this.fire("pause");
    this.fire("ended");
  }
}
