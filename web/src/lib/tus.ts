/**
 * The tus transport for the upload queue, on tus-js-client (loaded on the first upload).
 *
 * Resuming: tus-js-client fingerprints each file (the person, name, type, size, date,
 * endpoint) and keeps its upload URL in localStorage until the upload finishes. Adding
 * the same file again — after a reload, or after a dropped connection gave up — asks the
 * server for its offset (HEAD) and sends only the rest. An upload URL works only for
 * the person who created it.
 *
 * Every request carries the session's CSRF token (read when the upload starts, so a
 * token renewed in between is used); a 401 tells the page the session is gone.
 */
import type { DetailedError, HttpRequest, HttpResponse } from "tus-js-client";
import { csrfHeaders, problemMessage, reportUnauthorized } from "./http";
import {
  type FileLike,
  type Transport,
  type TransportEvents,
  type UploadOptions,
  uploadFingerprint,
} from "./uploads";

/** Sent in pieces so a proxy's body limit never blocks a large file. */
const CHUNK_BYTES = 16 * 1024 * 1024;
const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10000, 20000];

/** Uploads to `endpoint` as `owner` (the signed-in person's id). */
export function tusTransport(endpoint: string, owner: string): Transport {
  return {
    start(file: FileLike, events: TransportEvents, options: UploadOptions) {
      let stopped = false;
      let stop: () => void = () => {};
      const target = { endpoint, owner, options };
      void run(target, file as File, events, () => stopped).then((abort) => {
        stop = abort;
        if (stopped) abort();
      });
      return {
        abort() {
          stopped = true;
          stop();
        },
      };
    },
  };
}

async function run(
  { endpoint, owner, options }: { endpoint: string; owner: string; options: UploadOptions },
  file: File,
  events: TransportEvents,
  stopped: () => boolean,
): Promise<() => void> {
  let tus: typeof import("tus-js-client");
  try {
    tus = await import("tus-js-client");
  } catch {
    events.failed("The page could not load its uploader. Reload the page and try again.", true);
    return () => {};
  }
  let result: { trackId: string; deduplicated: boolean } | null = null;
  const upload = new tus.Upload(file, {
    endpoint,
    chunkSize: CHUNK_BYTES,
    retryDelays: RETRY_DELAYS_MS,
    metadata: {
      filename: file.name,
      filetype: file.type || "application/octet-stream",
      visibility: options.visibility,
    },
    headers: csrfHeaders(),
    fingerprint: async (f: File) => uploadFingerprint(owner, f, endpoint),
    storeFingerprintForResuming: true,
    removeFingerprintOnSuccess: true,
    onAfterResponse(req: HttpRequest, res: HttpResponse) {
      if (req.getMethod() === "HEAD" && res.getStatus() === 200) {
        events.resumed(Number(res.getHeader("Upload-Offset") ?? 0));
      }
      const trackId = res.getHeader("Tonearm-Track-Id");
      if (trackId) {
        result = { trackId, deduplicated: res.getHeader("Tonearm-Deduplicated") === "true" };
      }
    },
    onProgress(sent: number, total: number) {
      events.progress(sent, total);
    },
    onSuccess() {
      if (result) events.done(result);
      else events.failed("The server kept the file but did not say which track it became.", true);
    },
    onError(error: Error | DetailedError) {
      const response = "originalResponse" in error ? error.originalResponse : null;
      const status = response?.getStatus() ?? 0;
      if (status === 401) reportUnauthorized();
      // A refused file (4xx) will be refused again; anything else may work on a retry.
      const retryable = status === 0 || status >= 500 || status === 409 || status === 423;
      events.failed(uploadFailure(status, response?.getBody() ?? null), retryable);
    },
  });
  const previous = await upload.findPreviousUploads().catch(() => []);
  if (stopped()) return () => {};
  const newest = [...previous].sort((a, b) => b.creationTime.localeCompare(a.creationTime))[0];
  if (newest) upload.resumeFromPreviousUpload(newest);
  upload.start();
  return () => void upload.abort(false);
}

/** Words for a failed upload request; `status` 0 means the server was never reached. */
export function uploadFailure(status: number, body: string | null): string {
  if (status === 0) {
    return "The connection to the server was lost. Press Retry to continue where it stopped.";
  }
  return problemMessage(status, body);
}
