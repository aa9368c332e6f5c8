import { describe, expect, it } from "vitest";
import type { Track } from "../lib/api";
import type { GainSettings } from "../lib/engine";
import type { PlayerEvent } from "../lib/player";
import { MemoryStorage } from "../testing/storage";
import { track } from "../testing/tracks";
import { type Engine, Player } from "./player.svelte";
import { Preferences } from "./preferences.svelte";

/** An engine that loads without knowing the length yet, as media does before its metadata. */
class SlowEngine implements Engine {
  calls: string[] = [];
  constructor(private readonly emit: (event: PlayerEvent) => void) {}
  load(t: Track, autoplay: boolean) {
    this.calls.push(`load ${t.id}${autoplay ? " autoplay" : ""}`);
    this.emit({ type: "load", track: t });
  }
  play() {
    this.calls.push("play");
  }
  pause() {}
  seek(seconds: number) {
    this.calls.push(`seek ${seconds}`);
    this.emit({ type: "time", position: seconds });
  }
  setGain(_settings: GainSettings) {}
}

describe("Player.restore", () => {
  it("loads a track paused, shows the saved second, and seeks there once the media can", () => {
    const player = new Player(new Preferences(new MemoryStorage()), () => [track("a")]);
    const engine = new SlowEngine(player.dispatch);
    player.attach(engine);
    player.restore(track("a", { duration: 200 }), 83);
    expect(engine.calls).toEqual(["load a"]);
    expect(player.state).toMatchObject({ playing: false, position: 83 });
    player.dispatch({ type: "duration", duration: 200 });
    expect(engine.calls).toEqual(["load a", "seek 83"]);
    // Only once.
    player.dispatch({ type: "duration", duration: 200 });
    expect(engine.calls).toHaveLength(2);
  });

  it("forgets the second when another track is loaded first", () => {
    const player = new Player(new Preferences(new MemoryStorage()), () => [track("a"), track("b")]);
    const engine = new SlowEngine(player.dispatch);
    player.attach(engine);
    player.restore(track("a"), 30);
    player.play(track("b"));
    player.dispatch({ type: "duration", duration: 100 });
    expect(engine.calls).toEqual(["load a", "load b autoplay"]);
  });
});
