/** The track list as the page holds it: merging pages and polls, and when to poll. */
import type { Track, Visibility } from "./api";
import { progressText, stepLabel } from "./steps";

/**
 * Merge a fresh first page into what is shown: fresh tracks replace their old copies,
 * new ones go on top, tracks from later pages stay, deleted ones (absent from a first
 * page that covers them) go. Newest first throughout.
 */
export function mergeFirstPage(shown: readonly Track[], fresh: readonly Track[]): Track[] {
  const freshIds = new Set(fresh.map((t) => t.id));
  const oldestFresh = fresh.at(-1)?.created_at;
  const kept = shown.filter(
    (t) =>
      !freshIds.has(t.id) &&
      // Older than everything in the fresh page: from a later page, keep it.
      oldestFresh !== undefined &&
      t.created_at < oldestFresh,
  );
  return [...fresh, ...kept];
}

/** Append a later page, skipping tracks already shown. */
export function appendPage(shown: readonly Track[], page: readonly Track[]): Track[] {
  const ids = new Set(shown.map((t) => t.id));
  return [...shown, ...page.filter((t) => !ids.has(t.id))];
}

/** Poll while the server is working on something shown, or on an upload we wait for. */
export function needsPolling(tracks: readonly Track[], waitingFor: readonly string[]): boolean {
  return (
    waitingFor.length > 0 || tracks.some((t) => t.status === "uploaded" || t.status === "processing")
  );
}

/** Short status text for a track row. */
export function statusText(track: Track): string {
  switch (track.status) {
    case "ready":
      return "Ready";
    case "failed":
      return "Failed";
    case "uploaded":
      return "Waiting to process";
    case "processing":
      return progressText(track.progress?.step, track.progress?.percent ?? 0);
    default:
      // A status this page does not know yet: say it as the server does.
      return stepLabel(track.status);
  }
}

export const VISIBILITIES: readonly { value: Visibility; label: string; hint: string }[] = [
  { value: "private", label: "Private", hint: "Only you" },
  { value: "unlisted", label: "Unlisted", hint: "Anyone with its link" },
  { value: "public", label: "Public", hint: "Everyone on this server" },
];

/**
 * The owner's badge on a track that is not the viewer's own: the owner's name where the
 * page knows it (admins see every account), else "Shared". None for one's own tracks,
 * for a visitor (everything shown is someone's public track) or an ownerless track.
 */
export function ownerBadge(
  track: Pick<Track, "owner_id"> & { owner_name?: string | null },
  viewerId: string | null,
  names: ReadonlyMap<string, string>,
): { text: string; spoken: string } | null {
  if (!viewerId || !track.owner_id || track.owner_id === viewerId) return null;
  const name = track.owner_name ?? names.get(track.owner_id);
  return name
    ? { text: name, spoken: `Shared by ${name}` }
    : { text: "Shared", spoken: "Shared by someone else" };
}
