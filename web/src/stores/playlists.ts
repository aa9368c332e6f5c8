/**
 * The playlists page following the change feed: a playlist made, changed or deleted
 * elsewhere (another tab, a collaborator) loads the list again, once for a burst.
 */
import type { Timers } from "./library.svelte";
import { EVENT_DEBOUNCE_MS, type PlaylistFeed } from "./playlist.svelte";

/** Calls `reload` (debounced) on every playlist event and after a reconnection; returns the unsubscribe. */
export function followPlaylists(feed: PlaylistFeed, timers: Timers, reload: () => void): () => void {
  let timer: unknown = undefined;
  const soon = () => {
    timers.clear(timer);
    timer = timers.set(reload, EVENT_DEBOUNCE_MS);
  };
  const offPlaylist = feed.onPlaylist(soon);
  const offResync = feed.onResync(soon);
  return () => {
    timers.clear(timer);
    offPlaylist();
    offResync();
  };
}
