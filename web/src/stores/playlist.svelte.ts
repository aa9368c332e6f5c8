/**
 * One playlist as its page holds it: the playlist, its entries, and the person's changes
 * to them. Moves and removals show at once and are undone when the server refuses; a
 * move the server cannot place (the entry it was to follow is gone: someone else changed
 * the playlist meanwhile) reloads the playlist and says so.
 *
 * Changes made elsewhere (another tab, a collaborator) arrive as `playlist` events: an
 * update reloads the header and entries (once for a burst, and never over a change of
 * this page's own still on its way); a deletion sends the page away (`follow`).
 */
import type * as playlistsApi from "../lib/playlists";
import type { Playlist, PlaylistChange, PlaylistItem } from "../lib/playlists";
import { afterIdOf, moveEntry } from "../lib/reorder";
import type { SmartRules } from "../lib/smartrules";
import type { PlaylistEvent } from "./events.svelte";
import type { Timers } from "./library.svelte";

export type PlaylistApi = Pick<
  typeof playlistsApi,
  | "getPlaylist"
  | "listItems"
  | "updatePlaylist"
  | "deletePlaylist"
  | "duplicatePlaylist"
  | "removeItems"
  | "moveItem"
  | "addItems"
>;

export const CHANGED_NOTICE = "This playlist changed; reloaded";
export const DELETED_NOTICE = "That playlist was deleted.";
/** A burst of events (a drag, a bulk add elsewhere) reloads once. */
export const EVENT_DEBOUNCE_MS = 300;

/** What a page follows: the playlist events, and reconnections (events may be lost). */
export interface PlaylistFeed {
  onPlaylist(handler: (event: PlaylistEvent) => void): () => void;
  onResync(handler: () => void): () => void;
}

const message = (error: unknown) => (error instanceof Error ? error.message : "That did not work. Try again.");

export class PlaylistView {
  playlist = $state.raw<Playlist | null>(null);
  items = $state.raw<readonly PlaylistItem[]>([]);
  total = $state(0);
  version = $state(0);
  loaded = $state(false);
  /** Why the playlist could not be shown or the last change failed. */
  error = $state<string | null>(null);
  /** A word for the person that is no failure ("This playlist changed; reloaded"). */
  notice = $state<string | null>(null);
  /** Entries ticked for removal, by item id. */
  selected = $state.raw<ReadonlySet<string>>(new Set());

  /** Moves go to the server one after another, each relative to the order before it. */
  private moves: Promise<void> = Promise.resolve();
  /** This page's changes shown but not yet answered by the server. */
  private pending = 0;
  /** Bumps with every change shown before the server answers it. */
  private localChanges = 0;
  /** A reload was asked for while changes were pending: run it once they settle. */
  private reloadWanted = false;
  /** This page deleted the playlist (its own event is no news). */
  private deleting = false;
  /** What `follow` was told to do when the playlist goes. */
  private ondeleted: (() => void) | null = null;

  constructor(
    readonly id: string,
    private readonly api: PlaylistApi,
  ) {}

  get tracks() {
    return this.items.map((item) => item.track);
  }

  async load(): Promise<void> {
    try {
      const [playlist, items] = await Promise.all([this.api.getPlaylist(this.id), this.loadItems()]);
      this.show(playlist, items);
    } catch (error) {
      this.error = message(error);
    } finally {
      this.loaded = true;
    }
  }

  /**
   * Load again because it changed elsewhere. Waits for this page's own pending changes,
   * and drops an answer that a change made meanwhile would overwrite (then loads again).
   */
  async reload(): Promise<void> {
    if (this.pending > 0) {
      this.reloadWanted = true;
      return;
    }
    const before = this.localChanges;
    try {
      const [playlist, items] = await Promise.all([this.api.getPlaylist(this.id), this.loadItems()]);
      if (this.localChanges !== before) {
        this.reloadWanted = true;
        if (this.pending === 0) this.settled(0);
        return;
      }
      this.show(playlist, items);
    } catch (error) {
      // No longer there for this viewer (made private, or gone): leave as for a deletion.
      // Unreachable: keep what is shown.
      if ((error as { status?: number }).status === 404 && !this.deleting) this.ondeleted?.();
    }
  }

  /**
   * Follow the change feed: an update of this playlist reloads it (debounced), a
   * deletion calls `ondeleted`. Returns the unsubscribe.
   */
  follow(feed: PlaylistFeed, timers: Timers, ondeleted: () => void): () => void {
    let timer: unknown = undefined;
    this.ondeleted = ondeleted;
    const soon = () => {
      timers.clear(timer);
      timer = timers.set(() => void this.reload(), EVENT_DEBOUNCE_MS);
    };
    const offPlaylist = feed.onPlaylist((event) => {
      if (event.id !== this.id) return;
      if (event.action === "deleted") {
        timers.clear(timer);
        if (!this.deleting) ondeleted();
      } else if (event.action === "updated") soon();
    });
    const offResync = feed.onResync(soon);
    return () => {
      timers.clear(timer);
      this.ondeleted = null;
      offPlaylist();
      offResync();
    };
  }

  /** A change shown ahead of the server's answer. */
  private started(): void {
    this.pending += 1;
    this.localChanges += 1;
  }

  /** One pending change answered (`by` 0: only look for a reload that waits). */
  private settled(by = 1): void {
    this.pending -= by;
    if (this.pending === 0 && this.reloadWanted) {
      this.reloadWanted = false;
      void this.reload();
    }
  }

  private show(playlist: Playlist, items: { items: PlaylistItem[]; total: number; version: number }): void {
    this.playlist = playlist;
    this.items = items.items;
    this.total = items.total;
    this.version = items.version;
    this.error = null;
    const present = new Set(items.items.map((i) => i.id));
    this.selected = new Set([...this.selected].filter((id) => present.has(id)));
  }

  /** Every entry, page by page (a playlist holds at most a few thousand). */
  private async loadItems() {
    const first = await this.api.listItems(this.id, 0, 500);
    const items = [...first.items];
    while (items.length < first.total) {
      const next = await this.api.listItems(this.id, items.length, 500);
      if (next.items.length === 0) break;
      items.push(...next.items);
    }
    return { items, total: first.total, version: first.version };
  }

  /** Move the entry at `from` to index `to`; shown at once, undone if refused. */
  move(from: number, to: number): Promise<void> {
    if (from === to || from < 0 || from >= this.items.length) return this.moves;
    const before = this.items;
    const after = moveEntry(before, from, to);
    const landed = Math.min(Math.max(0, to), after.length - 1);
    const item = before[from];
    this.items = after;
    this.notice = null;
    this.started();
    this.moves = this.moves.then(async () => {
      try {
        const answer = await this.api.moveItem(this.id, item.id, afterIdOf(after, landed));
        this.version = answer.version;
      } catch (error) {
        this.items = before;
        if ((error as { status?: number }).status === 409) {
          await this.load();
          this.notice = CHANGED_NOTICE;
        } else {
          this.error = message(error);
        }
      } finally {
        this.settled();
      }
    });
    return this.moves;
  }

  toggleSelected(itemId: string, on: boolean): void {
    const next = new Set(this.selected);
    if (on) next.add(itemId);
    else next.delete(itemId);
    this.selected = next;
  }

  selectAll(on: boolean): void {
    this.selected = on ? new Set(this.items.map((i) => i.id)) : new Set();
  }

  /** Remove entries (one, or the selection); shown at once, put back if refused. */
  async remove(itemIds: readonly string[] = [...this.selected]): Promise<void> {
    if (itemIds.length === 0) return;
    const gone = new Set(itemIds);
    const before = this.items;
    const beforeTotal = this.total;
    this.items = before.filter((i) => !gone.has(i.id));
    this.total = Math.max(0, beforeTotal - (before.length - this.items.length));
    this.selected = new Set([...this.selected].filter((id) => !gone.has(id)));
    this.started();
    try {
      const answer = await this.api.removeItems(this.id, itemIds);
      this.version = answer.version;
      if (this.playlist) this.playlist = { ...this.playlist, item_count: this.total };
    } catch (error) {
      this.items = before;
      this.total = beforeTotal;
      this.error = message(error);
      throw error;
    } finally {
      this.settled();
    }
  }

  /** Rename, describe, change who sees it. Thrown errors are for the form to show. */
  async update(change: PlaylistChange): Promise<void> {
    this.playlist = await this.api.updatePlaylist(this.id, change);
  }

  /**
   * New rules for a smart playlist, then its entries again: what the rules pick now.
   * A refusal is thrown (a ProblemError naming the rule) for the editor to show.
   */
  async saveRules(rules: SmartRules): Promise<void> {
    this.playlist = await this.api.updatePlaylist(this.id, { rules });
    await this.load();
  }

  async addTracks(trackIds: readonly string[]): Promise<void> {
    const answer = await this.api.addItems(this.id, trackIds);
    this.version = answer.version;
    await this.load();
  }

  async delete(): Promise<void> {
    this.deleting = true;
    try {
      await this.api.deletePlaylist(this.id);
    } catch (error) {
      this.deleting = false;
      throw error;
    }
  }

  duplicate(): Promise<Playlist> {
    return this.api.duplicatePlaylist(this.id);
  }
}
