/**
 * The page's state, by concern, wired together in one place:
 *
 *   uploads ──(a file is processing: poll now)──► library
 *   library ──(tracks learnt on each refresh)──► uploads (processing progress), hls.js preload
 *   library ──(the play order)──► player ◄── preferences (volume, mute, normalization)
 *
 * Components read these and call their methods; none holds state of its own beyond
 * what it draws.
 *
 * Above them sits the account (account.svelte.ts): who is signed in. The page makes a
 * new set of these for each person (components/Shell.svelte), so nothing of one
 * person's library, queue or player outlives their session. The settings and admin
 * pages make their own stores (settings.svelte.ts, admin.svelte.ts) when first opened.
 */
import type { Track, TrackPage, UploadState, Visibility } from "../lib/api";
import type { PlayerState } from "../lib/player";
import { isPlayable } from "../lib/player";
import type { Transport } from "../lib/uploads";
import { Library, type Timers } from "./library.svelte";
import { Player } from "./player.svelte";
import { Preferences } from "./preferences.svelte";
import { Uploads } from "./uploads.svelte";

export { Library, Player, Preferences, Uploads };

export interface PageDeps {
  api: {
    listTracks(limit: number, cursor?: string | null): Promise<TrackPage>;
    getTrack(id: string): Promise<Track>;
    updateTrack(id: string, change: { visibility: Visibility }): Promise<Track>;
    deleteTrack(id: string): Promise<void>;
    getUpload(url: string): Promise<UploadState>;
    discardUpload(url: string): Promise<void>;
  };
  transport: Transport;
  storage: Storage;
  /** The signed-in person's id (null for a visitor listening to public tracks). */
  owner?: string | null;
  timers?: Timers;
  /** Told each new player state (the Media Session). */
  onplayer?: (state: PlayerState) => void;
  /** Some track can be played: a chance to load the player's code ahead of the click. */
  onplayable?: () => void;
}

export interface Stores {
  library: Library;
  uploads: Uploads;
  preferences: Preferences;
  player: Player;
}

export function createStores(deps: PageDeps): Stores {
  const uploads: Uploads = new Uploads(deps.transport, deps.storage, deps.api, {
    onprocessing: () => library.poll(0),
    owner: deps.owner,
  });
  const library: Library = new Library(deps.api, {
    timers: deps.timers,
    watching: () => uploads.processingTrackIds(),
    onrefresh: (tracks) => {
      uploads.applyTracks(tracks);
      if (library.tracks.some(isPlayable)) deps.onplayable?.();
    },
  });
  const preferences = new Preferences(deps.storage);
  const player = new Player(preferences, () => library.tracks, deps.onplayer);
  return { library, uploads, preferences, player };
}
