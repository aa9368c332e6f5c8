/**
 * Lyrics in the page: reading and saving them (GET/PUT/DELETE /api/tracks/{id}/lyrics),
 * which line and word play at a time, the tap-to-sync editor's state, and lyrics files
 * dropped with audio on the upload page. The server parses LRC (media/lyrics.py); the
 * page only writes it.
 */
import type { components } from "./api-types";
import { request } from "./http";

type Schemas = components["schemas"];
export type Lyrics = Schemas["LyricsOut"];
export type LyricLine = Schemas["LyricLineOut"];
export type LyricWord = Schemas["LyricWordOut"];

const path = (trackId: string) => `/api/tracks/${encodeURIComponent(trackId)}/lyrics`;

export function getLyrics(trackId: string): Promise<Lyrics> {
  return request<Lyrics>(path(trackId));
}

/** Replace a track's lyrics (plain text or LRC); an empty text removes them. */
export function saveLyrics(trackId: string, text: string): Promise<Lyrics> {
  return request<Lyrics>(path(trackId), { method: "PUT", json: { text } });
}

export function removeLyrics(trackId: string): Promise<void> {
  return request<void>(path(trackId), { method: "DELETE" });
}

/** The longest text the server takes (characters). */
export const MAX_LYRICS_CHARS = 100_000;

/**
 * The index of the line playing at `ms`: the last one started by then; -1 before the
 * first (or for plain lyrics). Lines come sorted by time; binary search, as this runs
 * on every animation frame.
 */
export function lineAt(lines: readonly { start_ms: number | null }[], ms: number): number {
  let low = 0;
  let high = lines.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const start = lines[mid].start_ms;
    if (start === null) return -1;
    if (start <= ms) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/** How many of the line's words have started by `ms` (enhanced LRC). */
export function wordsSung(line: LyricLine, ms: number): number {
  return lineAt(line.words, ms) + 1;
}

/**
 * Where playback is now, between the engine's time reports (a few per second): the last
 * reported position plus the time since, while playing. Taps and the highlight read it.
 */
export interface PlaybackClock {
  position: number;
  /** `performance.now()` when `position` was reported. */
  at: number;
  playing: boolean;
}

export function clockMs(clock: PlaybackClock, now: number): number {
  const seconds = clock.playing ? clock.position + Math.max(0, now - clock.at) / 1000 : clock.position;
  return Math.max(0, Math.round(seconds * 1000));
}

/** `mm:ss.xx` as LRC writes a time. */
export function lrcTime(ms: number): string {
  const centis = Math.floor(Math.max(0, ms) / 10);
  const minutes = Math.floor(centis / 6000);
  const seconds = Math.floor(centis / 100) % 60;
  const hundredths = centis % 100;
  return `${String(minutes).padStart(2, "0")}:${String(seconds).padStart(2, "0")}.${String(hundredths).padStart(2, "0")}`;
}

const TIME_TAG = /\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\]|<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>/g;
const META_LINE = /^\[[a-z#]+:[^\]]*\]$/i;

/**
 * The lines to sync from what the editor holds: LRC loses its times and metadata lines,
 * blank lines go (a verse break needs no time).
 */
export function linesToSync(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => !META_LINE.test(line))
    .map((line) => line.replace(TIME_TAG, "").replace(/\s+/g, " ").trim())
    .filter((line) => line.length > 0);
}

/**
 * Tap-to-sync: the person plays the track and taps (Space, Enter, a button) as each line
 * starts. States: `next` is the line the next tap stamps; `next === lines.length` means
 * every line has its time. Times never go backwards: a tap earlier than the line before
 * (a late correction) is stamped at that line's time.
 */
export interface SyncState {
  readonly lines: readonly string[];
  /** Start of each line in ms; null until tapped. */
  readonly times: readonly (number | null)[];
  readonly next: number;
}

export function startSync(lines: readonly string[], times: readonly (number | null)[] = []): SyncState {
  const stamped = lines.map((_, i) => times[i] ?? null);
  const next = stamped.findIndex((t) => t === null);
  return { lines: [...lines], times: stamped, next: next === -1 ? lines.length : next };
}

/** Stamp the next line at `ms`. */
export function tap(state: SyncState, ms: number): SyncState {
  if (state.next >= state.lines.length) return state;
  const before = state.next > 0 ? (state.times[state.next - 1] ?? 0) : 0;
  const times = [...state.times];
  times[state.next] = Math.max(before, Math.round(ms));
  return { ...state, times, next: state.next + 1 };
}

/** Take back the last tap. */
export function undoTap(state: SyncState): SyncState {
  if (state.next === 0) return state;
  const times = [...state.times];
  times[state.next - 1] = null;
  return { ...state, times, next: state.next - 1 };
}

/** Move one stamped line by `deltaMs`, kept between its neighbours. */
export function nudge(state: SyncState, index: number, deltaMs: number): SyncState {
  const time = state.times[index];
  if (time === null || time === undefined) return state;
  const low = index > 0 ? (state.times[index - 1] ?? 0) : 0;
  const following = state.times[index + 1];
  const high = following === null || following === undefined ? Number.POSITIVE_INFINITY : following;
  const times = [...state.times];
  times[index] = Math.min(high, Math.max(low, time + deltaMs));
  return { ...state, times };
}

/** Start again from `index`: it and the lines after lose their times. */
export function restartFrom(state: SyncState, index: number): SyncState {
  const at = Math.max(0, Math.min(index, state.lines.length));
  return { ...state, times: state.times.map((t, i) => (i >= at ? null : t)), next: at };
}

export function syncDone(state: SyncState): boolean {
  return state.lines.length > 0 && state.next >= state.lines.length;
}

/** The LRC text of a finished sync, as the server stores it. */
export function syncToLrc(state: SyncState): string {
  return state.lines
    .map((line, i) => ({ line, time: state.times[i] }))
    .filter((x): x is { line: string; time: number } => x.time !== null && x.time !== undefined)
    .map(({ line, time }) => `[${lrcTime(time)}]${line}`)
    .join("\n");
}

/** Names of lyrics files the upload page takes beside audio. */
export const LYRICS_EXTENSIONS = ["lrc", "txt"];

export function isLyricsFile(file: { name: string }): boolean {
  const dot = file.name.lastIndexOf(".");
  return dot > 0 && LYRICS_EXTENSIONS.includes(file.name.slice(dot + 1).toLowerCase());
}

/** A file's name without its extension, compared without case. */
export function stem(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return (dot > 0 ? base.slice(0, dot) : base).toLowerCase();
}

export interface Paired<F extends { name: string }> {
  /** Everything that is not a lyrics file, for the upload queue. */
  audio: F[];
  /** Lyrics files and the audio file of the same name they belong to. */
  lyrics: { file: F; audio: F }[];
  /** Lyrics files with no audio file of the same name in the same drop. */
  orphans: F[];
}

/**
 * Split dropped files into audio and the lyrics that go with it, by file name without
 * extension (`01 Song.flac` + `01 Song.lrc`). An `.lrc` beats a `.txt` of the same name;
 * the other is reported with the orphans, never dropped without a word.
 */
export function pairLyrics<F extends { name: string }>(files: readonly F[]): Paired<F> {
  const audio = files.filter((f) => !isLyricsFile(f));
  const byStem = new Map<string, F>();
  for (const file of audio) if (!byStem.has(stem(file.name))) byStem.set(stem(file.name), file);
  const lyrics: { file: F; audio: F }[] = [];
  const orphans: F[] = [];
  const texts = files.filter(isLyricsFile);
  // .lrc first, so it wins over a .txt of the same name.
  texts.sort((a, b) => Number(!a.name.toLowerCase().endsWith(".lrc")) - Number(!b.name.toLowerCase().endsWith(".lrc")));
  const taken = new Set<F>();
  for (const file of texts) {
    const match = byStem.get(stem(file.name));
    if (match && !taken.has(match)) {
      taken.add(match);
      lyrics.push({ file, audio: match });
    } else orphans.push(file);
  }
  return { audio, lyrics, orphans };
}

/** What became of a lyrics file dropped on the upload page, in words for the person. */
export type AttachmentState =
  | { phase: "waiting"; text: string }
  | { phase: "saving" }
  | { phase: "saved"; synced: boolean }
  | { phase: "failed"; reason: string }
  | { phase: "orphan" };

export interface Attachment {
  readonly id: number;
  readonly name: string;
  /** The audio file it goes with; null for an orphan. */
  readonly audioName: string | null;
  /** Upload keys above this one are from the drop that brought it. */
  readonly afterKey: number;
  readonly state: AttachmentState;
}

/**
 * The upload its audio became, once the server made a track of it (or gave up): the
 * newest upload of that name from the same drop.
 */
export function uploadFor(
  attachment: Attachment,
  items: readonly { key: number; name: string; phase: string; trackId: string | null; error: string | null }[],
): { trackId: string } | { failed: string } | null {
  const item = items.find((i) => i.key > attachment.afterKey && i.name === attachment.audioName);
  if (!item) return { failed: "its audio file was removed from the uploads." };
  if (item.trackId) return { trackId: item.trackId };
  if (item.phase === "failed") return { failed: `its audio file did not upload (${item.error ?? "failed"}).` };
  return null;
}

export function attachmentLine(a: Attachment): string {
  switch (a.state.phase) {
    case "waiting":
      return `Waiting for ${a.audioName} to upload; then saved as its lyrics.`;
    case "saving":
      return `Saving as the lyrics of ${a.audioName}…`;
    case "saved":
      return `Saved as the ${a.state.synced ? "synced " : ""}lyrics of ${a.audioName}.`;
    case "failed":
      return `Not saved: ${a.state.reason}`;
    case "orphan":
      return "Not saved: no audio file of the same name was in this drop. Drop it together with its audio, or add it on the track's page.";
  }
}
