/**
 * Uploads: the queue of files being sent and processed (lib/uploads.ts), the unfinished
 * uploads an earlier page left behind, and what a screen reader hears about them.
 */
import { ApiError, type UploadState } from "../lib/api";
import {
  DEFAULT_UPLOAD,
  type FileLike,
  type InterruptedUpload,
  type TrackProgress,
  type Transport,
  type UploadItem,
  type UploadOptions,
  UploadQueue,
  announcement,
  interruptedUploads,
} from "../lib/uploads";

/** The calls the uploads make (lib/api.ts in the page). */
export interface UploadsApi {
  getUpload(url: string): Promise<UploadState>;
  discardUpload(url: string): Promise<void>;
}

/** An unfinished upload, with the share the server holds (null when it did not say). */
export type Unfinished = InterruptedUpload & { percent: number | null };

export interface UploadsOptions {
  /** A file finished sending and the server is processing it: time to poll. */
  onprocessing?: () => void;
  /** The signed-in person's id: only their unfinished uploads are offered. */
  owner?: string | null;
  concurrency?: number;
}

export class Uploads {
  items = $state.raw<readonly UploadItem[]>([]);
  interrupted = $state.raw<readonly Unfinished[]>([]);
  /** The last thing said about the queue, for the page's polite live region. */
  announcement = $state("");
  /**
   * Who may listen to what is added next. Private each time the page loads: a choice
   * to share is made on purpose, never remembered into the next session.
   */
  visibility = $state<UploadOptions["visibility"]>(DEFAULT_UPLOAD.visibility);

  private readonly queue: UploadQueue;
  private readonly owner: string | null;

  constructor(
    transport: Transport,
    private readonly storage: Pick<Storage, "length" | "key" | "getItem" | "removeItem">,
    private readonly api: UploadsApi,
    options: UploadsOptions = {},
  ) {
    const onprocessing = options.onprocessing ?? (() => {});
    this.owner = options.owner ?? null;
    this.queue = new UploadQueue(
      transport,
      (items) => {
        const said = announcement(this.items, items);
        if (said) this.announcement = said;
        this.items = items;
        if (items.some((i) => i.phase === "processing")) onprocessing();
      },
      options.concurrency,
    );
  }

  /** Send files; adding one that was interrupted resumes it (and clears its notice). */
  add(files: readonly FileLike[]): void {
    this.queue.add(files, { visibility: this.visibility });
    const names = new Set(files.map((f) => `${f.name}:${f.size}`));
    this.interrupted = this.interrupted.filter((u) => !names.has(`${u.filename}:${u.size}`));
  }

  /**
   * Stop every upload under way (the person signed out); the server keeps what it has,
   * and adding the files again as the same person resumes them.
   */
  stopAll(): void {
    for (const item of this.items) {
      if (item.phase === "waiting" || item.phase === "uploading") this.queue.cancel(item.key);
    }
  }

  retry(key: number): void {
    this.queue.retry(key);
  }

  cancel(key: number): void {
    this.queue.cancel(key);
  }

  clearFinished(): void {
    this.queue.clearFinished();
  }

  /** Track ids whose processing an upload still waits for. */
  processingTrackIds(): string[] {
    return this.queue.processingTrackIds();
  }

  /** Follow processing with what the library learnt. */
  applyTracks(tracks: Iterable<TrackProgress>): void {
    this.queue.applyTracks(tracks);
  }

  /**
   * Look for uploads an earlier page left unfinished, and ask the server how much of
   * each it holds. Ones the server no longer knows (expired, or finished into a track)
   * are forgotten.
   */
  async findInterrupted(): Promise<void> {
    const found = await Promise.all(
      interruptedUploads(this.storage, this.owner).map(async (u): Promise<Unfinished | null> => {
        try {
          const state = await this.api.getUpload(u.uploadUrl);
          if (state.track_id) return null;
          return { ...u, percent: state.length ? state.offset / state.length : 0 };
        } catch (error) {
          if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
            this.storage.removeItem(u.storageKey);
            return null;
          }
          return { ...u, percent: null };
        }
      }),
    );
    this.interrupted = found.filter((u) => u !== null);
  }

  /** Give up an unfinished upload: here and on the server. */
  forget(upload: InterruptedUpload): void {
    this.storage.removeItem(upload.storageKey);
    this.interrupted = this.interrupted.filter((u) => u.storageKey !== upload.storageKey);
    void this.api.discardUpload(upload.uploadUrl);
  }
}
