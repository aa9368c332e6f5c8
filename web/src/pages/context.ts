/** What every view of the library is handed by the shell (components/Shell.svelte). */
import type { Me } from "../lib/accounts";
import type { Track, Visibility } from "../lib/api";
import type { CatalogTrack } from "../lib/catalog";
import type { Stores } from "../stores";
import type { Changes } from "../stores/changes.svelte";
import type { LiveEvents } from "../stores/events.svelte";
import type { LiveCounts } from "../stores/live.svelte";
import type { Queue } from "../stores/queue.svelte";
import type { Radio } from "../stores/radio.svelte";

export interface ViewContext {
  stores: Stores;
  changes: Changes;
  /** The play queue (kept on the server): the player plays in its order. */
  queue: Queue;
  /** The radio playing in the queue, and starting one. */
  radio: Radio;
  /** The server's change feed: tracks, playlists, the queue. */
  events: LiveEvents;
  /** Who listens to what now (GET /api/live and the feed's `live` pushes). */
  live: LiveCounts;
  me: Me | null;
  /** A signed-in person adds music; a visitor only listens. */
  canUpload: boolean;
  /** The owner's badge for a track that is not the viewer's own, else null. */
  owner: (track: Track) => { text: string; spoken: string } | null;
  /** The view's name, for the tab's title (a page names the thing it shows). */
  settitle: (title: string | null) => void;
  /** Delete a track (throws ApiError); every view drops it. */
  remove: (track: Track) => Promise<void>;
  /** Change who may listen to a track (throws ApiError); every view shows the change. */
  setVisibility: (track: Track, visibility: Visibility) => Promise<void>;
  /** Tracks were edited here: every view shows them as they are now. */
  saved: (tracks: readonly CatalogTrack[]) => void;
}
