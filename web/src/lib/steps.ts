/**
 * Processing steps as the server names them (`progress.step` on a track), in words for
 * a person.
 *
 * SERVER_STEPS is every value the server can send, and where it comes from:
 *   queue/leases.py      queued (also the job row's default), starting, done, failed
 *   ingest/pipeline.py   reading tags, publishing
 *   media/pipeline.py    encoding, fingerprinting, done
 *   library/service.py   done for a ready track; the blob's status when there is no job:
 *                        uploaded, processing, ready, failed (models/blob.py BlobStatus)
 * steps.test.ts reads those sources and fails when this list no longer matches them.
 */
export const SERVER_STEPS = [
  "uploaded",
  "queued",
  "starting",
  "processing",
  "reading tags",
  "encoding",
  "fingerprinting",
  "publishing",
  "done",
  "ready",
  "failed",
] as const;

export type ServerStep = (typeof SERVER_STEPS)[number];

/** A label for each step the server sends, and for no other. */
export const STEP_LABELS: Readonly<Record<ServerStep, string>> = {
  uploaded: "Queued",
  queued: "Queued",
  starting: "Starting",
  processing: "Processing",
  "reading tags": "Reading tags",
  encoding: "Encoding",
  fingerprinting: "Fingerprinting",
  publishing: "Finishing",
  done: "Done",
  ready: "Ready",
  failed: "Failed",
};

/** Steps before any work: their 0% says nothing, so it is not shown. */
const NOT_STARTED = new Set<string>(["uploaded", "queued", "starting"]);

function isServerStep(step: string): step is ServerStep {
  return Object.hasOwn(STEP_LABELS, step);
}

/** A step name from the server, as a person reads it; an unknown one verbatim, humanised. */
export function stepLabel(step: string | null | undefined): string {
  if (!step) return "Processing";
  const key = step.toLowerCase();
  if (isServerStep(key)) return STEP_LABELS[key];
  const words = step.replace(/[_.-]+/g, " ").replace(/\s+/g, " ").trim();
  return words ? words[0].toUpperCase() + words.slice(1) : "Processing";
}

/** "Encoding 42%"; just "Queued" while nothing has started. */
export function progressText(step: string | null | undefined, percent: number): string {
  const label = stepLabel(step);
  const waiting = !step || NOT_STARTED.has(step.toLowerCase());
  return waiting && percent <= 0 ? label : `${label} ${Math.round(percent)}%`;
}
