/** An audio engine for the tests: records what it is asked and answers with the events a real one sends. */
import type { Track } from "../lib/api";
import type { GainSettings } from "../lib/engine";
import type { PlayerEvent } from "../lib/player";
import type { Engine } from "../stores/player.svelte";

export class FakeEngine implements Engine {
  calls: string[] = [];
  gain: GainSettings | null = null;
  constructor(private readonly emit: (event: PlayerEvent) => void) {}

  load(track: Track, autoplay: boolean): void {
    this.calls.push(`load ${track.id}${autoplay ? " autoplay" : ""}`);
    this.emit({ type: "load", track });
    if (autoplay) this.emit({ type: "play" });
  }
  play(): void {
    this.calls.push("play");
    this.emit({ type: "play" });
  }
  pause(): void {
    this.calls.push("pause");
    this.emit({ type: "pause" });
  }
  seek(seconds: number): void {
    this.calls.push(`seek ${seconds}`);
    this.emit({ type: "time", position: seconds });
  }
  setGain(settings: GainSettings): void {
    this.gain = settings;
  }
}
