/** Playlists shaped as the API sends them, for the tests. */
import type { Playlist } from "../lib/playlists";

export function playlist(id: string, over: Partial<Playlist> = {}): Playlist {
  return {
    id,
    name: `List ${id}`,
    description: "",
    visibility: "private",
    kind: "static",
    owner_id: "me",
    owner_name: "me",
    role: "owner",
    item_count: 0,
    duration: 0,
    cover: null,
    version: 1,
    liked: false,
    rules: null,
    created_at: "2025-01-01T00:00:00Z",
    updated_at: "2025-01-01T00:00:00Z",
    ...over,
  };
}
