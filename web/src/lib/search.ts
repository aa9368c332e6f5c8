/**
 * Search as the page asks it (`GET /api/search`), and the list a person moves through:
 * the answer's groups (top result, tracks, artists, albums, playlists, lyric lines)
 * flattened into one run of options, so Up and Down cross the groups and Enter acts on
 * the one that is active.
 */
import type { Track } from "./api";
import type { components } from "./api-types";
import type { Album, Artist } from "./catalog";
import { formatTime } from "./format";
import { request } from "./http";
import type { Route } from "./route";

type Schemas = components["schemas"];

export type SearchPlaylist = Schemas["PlaylistOut"];
/** A lyric line that matched, with the time it starts (null: the lyrics are not synced). */
export type LyricsHit = Schemas["LyricHitOut"];
/** `corrected`: "did you mean", the query with its corrected words, when a correction was used. */
export type SearchAnswer = Schemas["SearchOut"];
export type TopKind = Schemas["TopOut"]["kind"];

/** What one may search for, in the order the groups are shown. */
export const SEARCH_TYPES = ["tracks", "artists", "albums", "playlists", "lyrics"] as const;
export type SearchType = (typeof SEARCH_TYPES)[number];

export const TYPE_NAMES: Record<SearchType, string> = {
  tracks: "Tracks",
  artists: "Artists",
  albums: "Albums",
  playlists: "Playlists",
  lyrics: "Lyrics",
};

/** The server's cap on `limit`. */
export const MAX_LIMIT = 50;

export function isSearchType(value: string | null | undefined): value is SearchType {
  return (SEARCH_TYPES as readonly string[]).includes(value ?? "");
}

export function search(
  q: string,
  options: { types?: readonly SearchType[]; limit?: number; signal?: AbortSignal } = {},
): Promise<SearchAnswer> {
  const params = new URLSearchParams({ q });
  if (options.types?.length) params.set("types", options.types.join(","));
  if (options.limit) params.set("limit", String(Math.min(MAX_LIMIT, options.limit)));
  return request(`/api/search?${params}`, { signal: options.signal });
}

export const emptyAnswer = (query = ""): SearchAnswer => ({
  query,
  corrected: null,
  top: null,
  tracks: [],
  albums: [],
  artists: [],
  playlists: [],
  lyrics: [],
});

/** One thing the person can pick. `key` is unique in the list (an element id is made from it). */
export type SearchOption =
  | { key: string; group: "top" | "tracks"; kind: "track"; track: Track }
  | { key: string; group: "top" | "artists"; kind: "artist"; artist: Artist }
  | { key: string; group: "top" | "albums"; kind: "album"; album: Album }
  | { key: string; group: "top" | "playlists"; kind: "playlist"; playlist: SearchPlaylist }
  | { key: string; group: "top" | "lyrics"; kind: "lyrics"; hit: LyricsHit }
  | { key: string; group: "more"; kind: "more"; query: string };

export type SearchGroup = SearchOption["group"];

export const GROUP_NAMES: Record<SearchGroup, string> = {
  top: "Top result",
  ...TYPE_NAMES,
  more: "More",
};

/** The answer's options in the order shown; the top result leads and is not repeated below. */
export function searchOptions(answer: SearchAnswer, options: { seeAll?: boolean } = {}): SearchOption[] {
  const all: SearchOption[] = [];
  let top: SearchOption | null = null;
  const wanted = answer.top;
  const add = (option: SearchOption, kind: TopKind, id: string) => {
    if (!top && wanted && wanted.kind === kind && wanted.id === id) top = { ...option, group: "top" } as SearchOption;
    else all.push(option);
  };
  for (const track of answer.tracks) add({ key: `t:${track.id}`, group: "tracks", kind: "track", track }, "track", track.id);
  for (const artist of answer.artists) add({ key: `ar:${artist.id}`, group: "artists", kind: "artist", artist }, "artist", artist.id);
  for (const album of answer.albums) add({ key: `al:${album.id}`, group: "albums", kind: "album", album }, "album", album.id);
  for (const playlist of answer.playlists)
    add({ key: `p:${playlist.id}`, group: "playlists", kind: "playlist", playlist }, "playlist", playlist.id);
  answer.lyrics.forEach((hit, at) =>
    add({ key: `l:${hit.track.id}:${at}`, group: "lyrics", kind: "lyrics", hit }, "lyrics", hit.track.id),
  );
  const list: SearchOption[] = top ? [top, ...all] : all;
  if (options.seeAll && list.length) list.push({ key: "more", group: "more", kind: "more", query: answer.query });
  return list;
}

/** The options cut into their groups, in order, for drawing; `index` is each one's place in the flat list. */
export function groupOptions(options: readonly SearchOption[]): { group: SearchGroup; items: { option: SearchOption; index: number }[] }[] {
  const groups: { group: SearchGroup; items: { option: SearchOption; index: number }[] }[] = [];
  options.forEach((option, index) => {
    const last = groups.at(-1);
    if (last?.group === option.group) last.items.push({ option, index });
    else groups.push({ group: option.group, items: [{ option, index }] });
  });
  return groups;
}

export type NavKey = "ArrowDown" | "ArrowUp" | "Home" | "End" | "PageDown" | "PageUp";

/**
 * The active option after a key: Down and Up step and wrap around (from none, Down
 * takes the first and Up the last); Home and End go to either end; Page keys jump to the
 * next group's first option or the previous group's. -1: none (an empty list).
 */
export function moveActive(options: readonly SearchOption[], active: number, key: NavKey): number {
  const n = options.length;
  if (n === 0) return -1;
  switch (key) {
    case "ArrowDown":
      return active < 0 || active >= n - 1 ? 0 : active + 1;
    case "ArrowUp":
      return active <= 0 ? n - 1 : active - 1;
    case "Home":
      return 0;
    case "End":
      return n - 1;
    case "PageDown": {
      const group = options[active]?.group;
      const next = options.findIndex((o, i) => i > active && o.group !== group);
      return next === -1 ? n - 1 : next;
    }
    case "PageUp": {
      if (active <= 0) return 0;
      const group = options[active].group;
      let at = active;
      // To the start of this group, or of the one before when already at its start.
      while (at > 0 && options[at - 1].group === group) at--;
      if (at !== active) return at;
      const before = options[at - 1].group;
      while (at > 0 && options[at - 1].group === before) at--;
      return at;
    }
  }
}

export function isNavKey(key: string): key is NavKey {
  return ["ArrowDown", "ArrowUp", "Home", "End", "PageDown", "PageUp"].includes(key);
}

/** A line's time as a person reads it ("found at 1:23"); null for an unsynced line. */
export function lineTime(startMs: number | null | undefined): string | null {
  return startMs === null || startMs === undefined ? null : formatTime(startMs / 1000);
}

/** What picking an option does, in the page. */
export interface PickActions {
  /** Play a track from its start. */
  play(track: Track): void;
  /** Play a track from `seconds` in (a lyric line). */
  playAt(track: Track, seconds: number): void;
  open(route: Route): void;
}

/**
 * Pick an option: a track plays (`page`: its page opens instead), a lyric line plays its
 * track from the line, an artist, album or playlist opens, "see all" opens the search page.
 */
export function pickOption(option: SearchOption, actions: PickActions, page = false): void {
  switch (option.kind) {
    case "track":
      return page ? actions.open({ page: "track", id: option.track.id }) : actions.play(option.track);
    case "lyrics": {
      const { track, start_ms } = option.hit;
      if (page) return actions.open({ page: "track", id: track.id });
      return start_ms === null ? actions.play(track) : actions.playAt(track, start_ms / 1000);
    }
    case "artist":
      return actions.open({ page: "artist", id: option.artist.id });
    case "album":
      return actions.open({ page: "album", id: option.album.id });
    case "playlist":
      return actions.open({ page: "playlist", id: option.playlist.id });
    case "more":
      return actions.open({ page: "search", q: option.query, type: null });
  }
}

/**
 * As-you-type search without races: each query waits `delay` ms for the next keystroke,
 * the request it replaces is aborted, and an answer that arrives after a newer query was
 * asked is dropped, so what shows always belongs to the latest text.
 */
export class LatestQuery<T> {
  private timer: unknown = undefined;
  private asked = 0;
  private controller: AbortController | null = null;

  constructor(
    private readonly ask: (q: string, signal: AbortSignal) => Promise<T>,
    private readonly show: (q: string, answer: T) => void,
    private readonly failed: (q: string, error: unknown) => void,
    private readonly timers: { set(run: () => void, ms: number): unknown; clear(handle: unknown): void },
    readonly delay = 100,
  ) {}

  /** The text changed: ask for it after the pause (an empty text is answered at once, empty). */
  set(q: string, empty: T): void {
    this.cancel();
    const mine = ++this.asked;
    if (!q.trim()) {
      this.show(q, empty);
      return;
    }
    this.timer = this.timers.set(() => void this.run(q, mine), this.delay);
  }

  /** Ask now (Enter pressed before the pause ended). */
  now(q: string): Promise<void> {
    this.cancel();
    return this.run(q, ++this.asked);
  }

  /** Stop waiting and abort the request in flight; a late answer is dropped. */
  cancel(): void {
    this.timers.clear(this.timer);
    this.timer = undefined;
    this.controller?.abort();
    this.controller = null;
  }

  private async run(q: string, mine: number): Promise<void> {
    this.timer = undefined;
    const controller = new AbortController();
    this.controller = controller;
    try {
      const answer = await this.ask(q, controller.signal);
      if (mine === this.asked) this.show(q, answer);
    } catch (error) {
      if (mine === this.asked && !controller.signal.aborted) this.failed(q, error);
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }
}
