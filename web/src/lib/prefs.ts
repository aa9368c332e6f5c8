/** The person's playback preferences, kept in this browser. */
const KEY = "tonearm.player";

export interface Prefs {
  volume: number;
  muted: boolean;
  normalize: boolean;
}

export function loadPrefs(storage: Pick<Storage, "getItem"> | undefined): Partial<Prefs> {
  try {
    const raw = storage?.getItem(KEY);
    if (!raw) return {};
    const value = JSON.parse(raw) as Partial<Record<keyof Prefs, unknown>>;
    const prefs: Partial<Prefs> = {};
    if (typeof value.volume === "number") prefs.volume = value.volume;
    if (typeof value.muted === "boolean") prefs.muted = value.muted;
    if (typeof value.normalize === "boolean") prefs.normalize = value.normalize;
    return prefs;
  } catch {
    return {};
  }
}

export function savePrefs(storage: Pick<Storage, "setItem"> | undefined, prefs: Prefs): void {
  try {
    storage?.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // private mode or full: preferences are a nicety
  }
}
