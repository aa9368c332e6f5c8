/**
 * Changes to tracks that every open view applies to the copies it holds: a track edited
 * or deleted here, or deleted elsewhere (the change feed), and a counter views refetch on
 * when the server says something changed that they cannot patch themselves.
 */
import type { CatalogTrack } from "../lib/catalog";

export class Changes {
  /** Tracks that are gone: views drop them. */
  gone = $state.raw<ReadonlySet<string>>(new Set());
  /** Tracks as they are now after an edit here: views show these copies. */
  edited = $state.raw<ReadonlyMap<string, CatalogTrack>>(new Map());
  /** Bumped when tracks were added or changed elsewhere: lists refetch. */
  version = $state(0);

  deleted(id: string): void {
    if (this.gone.has(id)) return;
    this.gone = new Set([...this.gone, id]);
  }

  saved(tracks: readonly CatalogTrack[]): void {
    const next = new Map(this.edited);
    for (const track of tracks) next.set(track.id, track);
    this.edited = next;
  }

  changedElsewhere(): void {
    this.version += 1;
  }

  /** `tracks` as they are now: without the gone ones, with the edited copies. */
  apply<T extends { id: string }>(tracks: readonly T[]): T[] {
    return tracks
      .filter((t) => !this.gone.has(t.id))
      .map((t) => (this.edited.get(t.id) as T | undefined) ?? t);
  }
}
