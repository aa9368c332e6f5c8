import { describe, expect, it } from "vitest";
import type { Track } from "../lib/api";
import type { PlayerState } from "../lib/player";
import { FakeEngine } from "../testing/engine";
import { MemoryStorage } from "../testing/storage";
import { processing, track } from "../testing/tracks";
import { Player } from "./player.svelte";
import { Preferences } from "./preferences.svelte";
import { Queue, localQueueApi } from "./queue.svelte";
import { ManualTimers } from "../testing/timers";

function setup(list: Track[] = [track("c"), track("b"), track("a")]) {
  const storage = new MemoryStorage();
  const states: PlayerState[] = [];
  const prefs = new Preferences(storage);
  let tracks = list;
  const player = new Player(prefs, () => tracks, (s) => states.push(s));
  const engine = new FakeEngine(player.dispatch);
  player.attach(engine);
  return {
    player,
    engine,
    prefs,
    storage,
    states,
    setTracks: (next: Track[]) => (tracks = next),
  };
}

describe("Player", () => {
  it("plays a track from the list, and pauses and resumes it from its button", () => {
    const { player, engine, states } = setup();
    player.play(track("b"));
    expect(engine.calls).toEqual(["load b autoplay"]);
    expect(player.state).toMatchObject({ playing: true, duration: 180 });
    expect(player.state.track?.id).toBe("b");
    expect(states.at(-1)).toBe(player.state);
    player.play(track("b"));
    player.play(track("b"));
    expect(engine.calls).toEqual(["load b autoplay", "pause", "play"]);
  });

  it("starts the first playable track when Play is pressed with nothing loaded", () => {
    const { player, engine } = setup([processing("d", "encoding", 10), track("c")]);
    expect(player.canStart).toBe(true);
    player.toggle();
    expect(engine.calls).toEqual(["load c autoplay"]);
  });

  it("loads on press without playing, only while nothing plays", () => {
    const { player, engine } = setup();
    player.prepare(track("a"));
    expect(engine.calls).toEqual(["load a"]);
    expect(player.state.playing).toBe(false);
    player.play(track("a"));
    expect(engine.calls).toEqual(["load a", "play"]);
    player.prepare(track("b"));
    player.prepare(processing("x", "queued", 0));
    expect(engine.calls).toEqual(["load a", "play"]);
  });

  it("goes through the list in order and on to the next when a track ends", () => {
    const { player, engine } = setup();
    player.play(track("c"));
    expect(player.hasNext).toBe(true);
    player.next();
    player.dispatch({ type: "ended" });
    expect(engine.calls).toEqual(["load c autoplay", "load b autoplay", "load a autoplay"]);
    expect(player.hasNext).toBe(false);
    // At the end of the list: Next goes to the end of this track, an end stops.
    player.next();
    expect(engine.calls.at(-1)).toBe("seek 180");
    player.dispatch({ type: "ended" });
    expect(engine.calls.at(-1)).toBe("seek 180");
  });

  it("restarts the track on Previous after its first seconds, else goes back one", () => {
    const { player, engine } = setup();
    player.play(track("b"));
    player.seek(10);
    player.previous();
    expect(engine.calls.slice(-1)).toEqual(["seek 0"]);
    player.previous();
    expect(engine.calls.at(-1)).toBe("load c autoplay");
  });

  it("shows the track as the list has it now", () => {
    const { player, setTracks } = setup([processing("a", "encoding", 50, { playable: true })]);
    player.play(processing("a", "encoding", 50, { playable: true }));
    expect(player.current?.urls.waveform).toBeNull();
    setTracks([track("a", { urls: { ...track("a").urls, waveform: "/w/a" } })]);
    expect(player.current?.urls.waveform).toBe("/w/a");
    setTracks([]);
    expect(player.current?.id).toBe("a");
  });

  it("applies and keeps volume, mute and normalization", () => {
    const { player, engine, storage } = setup();
    expect(engine.gain).toEqual({ volume: 0.8, muted: false, normalize: true });
    player.setMuted(true);
    expect(engine.gain?.muted).toBe(true);
    player.command("quieter");
    expect(engine.gain).toEqual({ volume: 0.75, muted: false, normalize: true });
    player.setNormalize(false);
    expect(engine.gain?.normalize).toBe(false);
    expect(new Preferences(storage).current).toEqual({ volume: 0.75, muted: false, normalize: false });
  });

  it("answers the keyboard: skip five seconds within the track, play and pause", () => {
    const { player, engine } = setup();
    player.command("forward");
    expect(engine.calls).toEqual([]);
    player.play(track("a"));
    player.command("forward");
    player.command("forward");
    player.command("back");
    expect(engine.calls.slice(1)).toEqual(["seek 5", "seek 10", "seek 5"]);
    player.command("toggle");
    expect(engine.calls.at(-1)).toBe("pause");
    player.seekBy(-60);
    expect(engine.calls.at(-1)).toBe("seek 0");
  });

  it("keeps the whole length of a track still being encoded on the seek bar", () => {
    const live = processing("live", "encoding", 20, { playable: true, duration: 600 });
    const { player } = setup([live]);
    player.play(live);
    player.dispatch({ type: "duration", duration: 42 });
    player.dispatch({ type: "time", position: 3, duration: 42 });
    expect(player.state).toMatchObject({ position: 3, duration: 600 });
    player.seekBy(5);
    expect(player.state.position).toBe(8);
  });

  it("follows the list it played from: an album in its order, then the library again", () => {
    const album = [track("d1"), track("d2"), track("d3")];
    const { player, engine } = setup();
    player.playFrom(album, album[1]);
    expect(engine.calls).toEqual(["load d2 autoplay"]);
    player.next();
    player.previous();
    expect(engine.calls.slice(1)).toEqual(["load d3 autoplay", "load d2 autoplay"]);
    expect(player.hasNext).toBe(true);
    player.dispatch({ type: "ended" });
    expect(engine.calls.at(-1)).toBe("load d3 autoplay");
    expect(player.hasNext).toBe(false);
  });

  it("adds to the end of the play order, once, and forgets deleted tracks", () => {
    const { player, engine } = setup();
    player.playFrom([track("x")]);
    player.enqueue([track("x"), track("y"), track("z")]);
    expect(player.order.map((t) => t.id)).toEqual(["x", "y", "z"]);
    player.forget("y");
    player.next();
    expect(engine.calls.at(-1)).toBe("load z autoplay");
  });

  it("shuffles every playable track into the play order", () => {
    const { player } = setup();
    const list = [track("1"), track("2"), track("3"), processing("4", "encoding", 10)];
    player.shuffle(list, () => 0);
    expect(new Set(player.order.map((t) => t.id))).toEqual(new Set(["1", "2", "3"]));
    expect(player.state.track?.id).toBe(player.order[0].id);
  });
});

describe("Player with the page's queue", () => {
  it("plays in the queue's order, and what it plays goes into the queue", async () => {
    const { player, engine } = setup();
    const queue = new Queue(localQueueApi(), player, "test", new ManualTimers());
    player.useQueue(queue);
    const album = [track("1"), track("2"), track("3")];
    player.playFrom(album);
    expect(queue.tracks.map((t) => t.id)).toEqual(["1", "2", "3"]);
    expect(queue.index).toBe(0);
    player.next();
    expect(engine.calls.at(-1)).toBe("load 2 autoplay");
    expect(queue.index).toBe(1);
    player.enqueue([track("2"), track("x")]);
    player.playNext([track("y")]);
    expect(player.order.map((t) => t.id)).toEqual(["1", "2", "y", "3", "x"]);
    player.forget("y");
    player.next();
    expect(player.state.track?.id).toBe("3");
    expect(queue.index).toBe(2);
  });
});

describe("Player from a point in a track", () => {
  it("plays a track alone from a second (a lyric line), once its media can seek", () => {
    const { player, engine } = setup();
    const queue = new Queue(localQueueApi(), player, "test", new ManualTimers());
    player.useQueue(queue);
    player.playAt(track("song"), 83);
    expect(queue.tracks.map((t) => t.id)).toEqual(["song"]);
    expect(engine.calls).toEqual(["load song autoplay"]);
    player.dispatch({ type: "duration", duration: 180 });
    expect(engine.calls.at(-1)).toBe("seek 83");
    // The track already loaded: it jumps there and plays.
    player.playAt(track("song"), 12);
    expect(engine.calls.slice(-2)).toEqual(["seek 12", "play"]);
  });

  it("says which track was left, where, and whether it ended", () => {
    const { player } = setup([track("a"), track("b"), track("c")]);
    const left: string[] = [];
    const stop = player.onLeave((l) => left.push(`${l.track.id}@${l.position}${l.ended ? " ended" : ""}`));
    player.play(track("a"));
    player.dispatch({ type: "time", position: 7, duration: 180 });
    player.next();
    player.dispatch({ type: "time", position: 180, duration: 180 });
    player.dispatch({ type: "ended" });
    stop();
    player.next();
    expect(left).toEqual(["a@7", "b@180 ended"]);
  });
});

describe("Player with shuffle and repeat", () => {
  function withQueue(random = () => 0.5) {
    const t = setup();
    const queue = new Queue(localQueueApi(), t.player, "test", new ManualTimers(), random);
    t.player.useQueue(queue);
    return { ...t, queue };
  }
  const list = () => ["1", "2", "3", "4"].map((id) => track(id));

  it("repeat one plays the track again at its end; Next still moves on", () => {
    const { player, engine, queue } = withQueue();
    player.playFrom(list(), list()[1]);
    player.cycleRepeat();
    player.cycleRepeat();
    expect(player.repeatMode).toBe("one");
    player.dispatch({ type: "ended" });
    expect(engine.calls.slice(-2)).toEqual(["seek 0", "play"]);
    expect(player.state.track?.id).toBe("2");
    player.next();
    expect(engine.calls.at(-1)).toBe("load 3 autoplay");
    expect(queue.index).toBe(2);
  });

  it("repeat all wraps at the end of the queue; off stops there", () => {
    const { player, engine, queue } = withQueue();
    player.playFrom(list(), list()[3]);
    player.dispatch({ type: "ended" });
    expect(engine.calls).toEqual(["load 4 autoplay"]);
    expect(player.hasNext).toBe(false);
    player.cycleRepeat();
    expect(player.hasNext).toBe(true);
    player.dispatch({ type: "ended" });
    expect(engine.calls.at(-1)).toBe("load 1 autoplay");
    expect(queue.index).toBe(0);
    // Previous at the first track wraps back to the last.
    player.previous();
    expect(engine.calls.at(-1)).toBe("load 4 autoplay");
  });

  it("shuffle plays the rest in the shuffled order, the current track first", () => {
    const { player, engine, queue } = withQueue(() => 0);
    player.playFrom(list(), list()[2]);
    player.setShuffle(true);
    expect(player.shuffleOn).toBe(true);
    const order = queue.order ?? [];
    expect(order[0]).toBe(2);
    expect([...order].sort()).toEqual([0, 1, 2, 3]);
    const played = ["3"];
    for (let i = 1; i < 4; i++) {
      player.dispatch({ type: "ended" });
      played.push(player.state.track?.id ?? "");
    }
    expect(played).toEqual(order.map((at) => String(at + 1)));
    expect(player.hasNext).toBe(false);
    // Previous goes back along the same order.
    player.previous();
    expect(player.state.track?.id).toBe(String(order[2] + 1));
    expect(engine.calls.filter((c) => c.startsWith("load")).length).toBe(5);
  });
});
