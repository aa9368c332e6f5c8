import { describe, expect, it } from "vitest";
import { MemoryStorage } from "../testing/storage";
import { Preferences } from "./preferences.svelte";

describe("Preferences", () => {
  it("starts from the defaults in a new browser", () => {
    expect(new Preferences(new MemoryStorage()).current).toEqual({
      volume: 0.8,
      muted: false,
      normalize: true,
    });
    expect(new Preferences(undefined).current.volume).toBe(0.8);
  });

  it("saves every change and reads it back in the next page", () => {
    const storage = new MemoryStorage();
    const prefs = new Preferences(storage);
    prefs.setMuted(true);
    prefs.setNormalize(false);
    expect(new Preferences(storage).current).toEqual({ volume: 0.8, muted: true, normalize: false });
    prefs.setVolume(0.3);
    expect(prefs.muted).toBe(false);
    expect(new Preferences(storage).current).toEqual({ volume: 0.3, muted: false, normalize: false });
  });

  it("keeps the volume between 0 and 1", () => {
    const storage = new MemoryStorage();
    const prefs = new Preferences(storage);
    prefs.setVolume(1.4);
    expect(prefs.volume).toBe(1);
    prefs.setVolume(-1);
    expect(prefs.volume).toBe(0);
    storage.setItem("tonearm.player", JSON.stringify({ volume: 7 }));
    expect(new Preferences(storage).volume).toBe(1);
  });

  it("ignores what it cannot read", () => {
    const storage = new MemoryStorage();
    storage.setItem("tonearm.player", "{not json");
    expect(new Preferences(storage).current.normalize).toBe(true);
    const full = { getItem: () => null, setItem: () => {
      throw new DOMException("full", "QuotaExceededError");
    } };
    expect(() => new Preferences(full).setVolume(0.5)).not.toThrow();
  });
});
