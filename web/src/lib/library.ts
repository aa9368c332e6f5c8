/** The track list as the page holds it: merging pages and polls, and when to poll. */
import type { Track } from "./api";
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
