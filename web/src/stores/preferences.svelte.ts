/**
 * The person's playback preferences: volume, mute and loudness normalization, kept in
 * this browser (lib/prefs.ts) and saved on every change.
 */
import { type Prefs, loadPrefs, savePrefs } from "../lib/prefs";

export const DEFAULT_VOLUME = 0.8;

export class Preferences {
  /** The slider, 0..1. */
  volume = $state(DEFAULT_VOLUME);
  muted = $state(false);
  normalize = $state(true);

  constructor(private readonly storage?: Pick<Storage, "getItem" | "setItem">) {
    const saved = loadPrefs(storage);
    this.volume = clamp01(saved.volume ?? DEFAULT_VOLUME);
    this.muted = saved.muted ?? false;
    this.normalize = saved.normalize ?? true;
  }

  /** A plain copy, for the audio engine and for storage. */
  get current(): Prefs {
    return { volume: this.volume, muted: this.muted, normalize: this.normalize };
  }

  /** Moving the volume unmutes, as on any player. */
  setVolume(volume: number): void {
    this.volume = clamp01(volume);
    this.muted = false;
    this.save();
  }

  setMuted(muted: boolean): void {
    this.muted = muted;
    this.save();
  }

  setNormalize(normalize: boolean): void {
    this.normalize = normalize;
    this.save();
  }

  private save(): void {
    savePrefs(this.storage, this.current);
  }
}

function clamp01(v: number): number {
  return Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : DEFAULT_VOLUME;
}
