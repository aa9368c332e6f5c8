/**
 * The upload queue: which files are waiting, uploading, processing, done or failed.
 *
 * It knows nothing of HTTP; a Transport moves the bytes (tus in the page, a fake in the
 * tests). States, one way except for retry:
 *
 *   waiting ─► uploading ─► processing ─► ready
 *                  │             └──────► failed (the server could not process it)
 *                  └──► failed (refused, or the connection gave up) ─retry─► waiting
 *
 * A file whose bytes the server already had ends in `ready` (or `processing`) with
 * `duplicate` set.
 */
import { formatPercent } from "./format";

/** The parts of a File the queue needs; a real File is one. */
export interface FileLike {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly lastModified: number;
}

export type UploadPhase = "waiting" | "uploading" | "processing" | "ready" | "failed";

export interface UploadItem {
  readonly key: number;
  readonly name: string;
  readonly size: number;
  readonly phase: UploadPhase;
  /** Bytes the server has. */
  readonly sent: number;
  /** The server's offset when an earlier, interrupted upload of this file was resumed. */
  readonly resumedFrom: number | null;
  readonly trackId: string | null;
  readonly duplicate: boolean;
  /** Processing progress on the server, 0..100, and its step. */
  readonly percent: number;
  readonly step: string | null;
  /** Why it failed, in words for a person. */
  readonly error: string | null;
  /** Whether trying again can help (a dropped connection, not a refused file). */
  readonly retryable: boolean;
}

export interface TransportEvents {
  /** An earlier upload of the same file was found; the server has `offset` bytes of it. */
  resumed(offset: number): void;
  progress(sent: number, total: number): void;
  done(result: { trackId: string; deduplicated: boolean }): void;
  failed(message: string, retryable: boolean): void;
}

/** What the server is told with the bytes. */
export interface UploadOptions {
  /** Who may listen to the track it becomes: private unless the person chose otherwise. */
  visibility: "private" | "unlisted" | "public";
}

export const DEFAULT_UPLOAD: UploadOptions = { visibility: "private" };

export interface Transport {
  start(file: FileLike, events: TransportEvents, options: UploadOptions): { abort(): void };
}

/** What the queue needs to know of a track to follow its processing. */
export interface TrackProgress {
  id: string;
  /** uploaded, processing, ready or failed; anything else counts as still working. */
  status: string;
  error: string | null;
  progress: { percent: number; step: string | null } | null;
}

interface Entry {
  item: UploadItem;
  file: FileLike;
  options: UploadOptions;
  handle: { abort(): void } | null;
}

export class UploadQueue {
  private entries: Entry[] = [];
  private nextKey = 1;

  constructor(
    private readonly transport: Transport,
    private readonly onChange: (items: readonly UploadItem[]) => void,
    private readonly concurrency = 2,
  ) {}

  get items(): readonly UploadItem[] {
    return this.entries.map((e) => e.item);
  }

  /** Queue files; one already waiting or uploading (same name, size, date) is not added twice. */
  add(files: Iterable<FileLike>, options: UploadOptions = DEFAULT_UPLOAD): void {
    for (const file of files) {
      if (this.entries.some((e) => isActive(e.item) && sameFile(e.file, file))) continue;
      const refusal = localRefusal(file);
      const item: UploadItem = {
        key: this.nextKey++,
        name: file.name,
        size: file.size,
        phase: refusal ? "failed" : "waiting",
        sent: 0,
        resumedFrom: null,
        trackId: null,
        duplicate: false,
        percent: 0,
        step: null,
        error: refusal,
        retryable: false,
      };
      // Newest first, like the track list.
      this.entries.unshift({ item, file, options, handle: null });
    }
    this.pump();
    this.changed();
  }

  retry(key: number): void {
    const entry = this.find(key);
    if (!entry || entry.item.phase !== "failed" || !entry.item.retryable) return;
    this.update(entry, { phase: "waiting", error: null, retryable: false });
    this.pump();
    this.changed();
  }

  /** Stop an upload (the server keeps what it has, so adding the file again resumes). */
  cancel(key: number): void {
    const entry = this.find(key);
    if (!entry) return;
    entry.handle?.abort();
    entry.handle = null;
    this.entries = this.entries.filter((e) => e !== entry);
    this.pump();
    this.changed();
  }

  /** Forget finished uploads (ready, or failed for good). */
  clearFinished(): void {
    this.entries = this.entries.filter(
      (e) => !(e.item.phase === "ready" || (e.item.phase === "failed" && !e.item.retryable)),
    );
    this.changed();
  }

  /** Track ids whose processing the queue still waits for. */
  processingTrackIds(): string[] {
    return this.entries
      .filter((e) => e.item.phase === "processing" && e.item.trackId)
      .map((e) => e.item.trackId as string);
  }

  /** Follow processing: called with each track the page learns about. */
  applyTracks(tracks: Iterable<TrackProgress>): void {
    let dirty = false;
    for (const track of tracks) {
      for (const entry of this.entries) {
        if (entry.item.trackId !== track.id || entry.item.phase !== "processing") continue;
        const patch = trackPatch(track);
        if (patch) {
          this.update(entry, patch);
          dirty = true;
        }
      }
    }
    if (dirty) this.changed();
  }

  private pump(): void {
    let running = this.entries.filter((e) => e.item.phase === "uploading").length;
    // Oldest waiting first.
    for (const entry of [...this.entries].reverse()) {
      if (running >= this.concurrency) break;
      if (entry.item.phase !== "waiting") continue;
      running += 1;
      this.update(entry, { phase: "uploading" });
      entry.handle = this.transport.start(entry.file, this.eventsFor(entry), entry.options);
    }
  }

  private eventsFor(entry: Entry): TransportEvents {
    const live = () => this.entries.includes(entry) && entry.item.phase === "uploading";
    return {
      resumed: (offset) => {
        if (!live()) return;
        this.update(entry, { resumedFrom: offset, sent: offset });
        this.changed();
      },
      progress: (sent) => {
        if (!live()) return;
        this.update(entry, { sent });
        this.changed();
      },
      done: ({ trackId, deduplicated }) => {
        if (!live()) return;
        entry.handle = null;
        this.update(entry, {
          phase: "processing",
          sent: entry.item.size,
          trackId,
          duplicate: deduplicated,
        });
        this.pump();
        this.changed();
      },
      failed: (message, retryable) => {
        if (!live()) return;
        entry.handle = null;
        this.update(entry, { phase: "failed", error: message, retryable });
        this.pump();
        this.changed();
      },
    };
  }

  private find(key: number): Entry | undefined {
    return this.entries.find((e) => e.item.key === key);
  }

  private update(entry: Entry, patch: Partial<UploadItem>): void {
    entry.item = { ...entry.item, ...patch };
  }

  private changed(): void {
    this.onChange(this.items);
  }
}

function trackPatch(track: TrackProgress): Partial<UploadItem> | null {
  switch (track.status) {
    case "ready":
      return { phase: "ready", percent: 100, step: null };
    case "failed":
      return {
        phase: "failed",
        error: track.error || "tonearm could not process this file.",
        retryable: false,
      };
    default:
      return {
        percent: Math.max(0, Math.min(100, track.progress?.percent ?? 0)),
        step: track.progress?.step ?? null,
      };
  }
}

/**
 * What a screen reader should hear about a change of the queue, or "" when nothing worth
 * saying changed (progress alone is not announced).
 */
export function announcement(before: readonly UploadItem[], after: readonly UploadItem[]): string {
  const said: string[] = [];
  for (const item of after) {
    const old = before.find((b) => b.key === item.key);
    if (old && old.phase === item.phase && old.resumedFrom === item.resumedFrom) continue;
    if (item.phase === "uploading" && item.resumedFrom && old?.resumedFrom !== item.resumedFrom) {
      said.push(`${item.name}: resuming at ${formatPercent(item.resumedFrom / item.size)}.`);
    } else if (item.phase === "uploading" && old?.phase !== "uploading") {
      said.push(`Uploading ${item.name}.`);
    } else if (item.phase === "processing" && old?.phase !== "processing") {
      said.push(`${item.name} uploaded${item.duplicate ? ", already in your library" : ""}; processing.`);
    } else if (item.phase === "ready") {
      said.push(`${item.name} is ready to play.`);
    } else if (item.phase === "failed") {
      said.push(`${item.name} failed: ${item.error}`);
    }
  }
  return said.join(" ");
}

function isActive(item: UploadItem): boolean {
  return item.phase === "waiting" || item.phase === "uploading";
}

function sameFile(a: FileLike, b: FileLike): boolean {
  return a.name === b.name && a.size === b.size && a.lastModified === b.lastModified;
}

const NOT_AUDIO_PREFIXES = ["image/", "text/", "font/", "model/"];
const NOT_AUDIO_TYPES = new Set([
  "application/pdf",
  "application/zip",
  "application/x-zip-compressed",
  "application/json",
  "application/msword",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
]);

/**
 * Files refused before a byte is sent: empty ones, and ones the browser already knows
 * are not audio. Anything else goes to the server, which has the last word.
 */
export function localRefusal(file: FileLike): string | null {
  if (file.size === 0) return "This file is empty.";
  const type = file.type.toLowerCase();
  if (NOT_AUDIO_TYPES.has(type) || NOT_AUDIO_PREFIXES.some((p) => type.startsWith(p))) {
    return `This is not an audio file (it is ${describeType(type)}).`;
  }
  return null;
}

function describeType(type: string): string {
  if (type.startsWith("image/")) return "an image";
  if (type.startsWith("text/")) return "text";
  if (type === "application/pdf") return "a PDF document";
  if (type.includes("zip")) return "a zip archive";
  return `of type ${type}`;
}

/** An unfinished upload remembered in this browser (tus-js-client's URL storage). */
export interface InterruptedUpload {
  storageKey: string;
  uploadUrl: string;
  filename: string;
  size: number;
  createdAt: string;
}

/**
 * The fingerprint tus-js-client files an upload under in localStorage: the person's id
 * comes first, so two people signing in on one browser never see (or try to resume)
 * each other's uploads. The rest is tus-js-client's own recipe.
 */
export function uploadFingerprint(owner: string, file: FileLike, endpoint: string): string {
  return ["tonearm", owner, file.name, file.type, file.size, file.lastModified, endpoint].join("-");
}

/**
 * The unfinished uploads tus-js-client remembers in localStorage (keys `tus::<fingerprint>::<n>`),
 * read without loading tus-js-client itself: the `owner`'s, and ones from before the
 * page knew of accounts (their fingerprint names nobody). Newest first.
 */
export function interruptedUploads(
  storage: Pick<Storage, "length" | "key" | "getItem">,
  owner: string | null = null,
): InterruptedUpload[] {
  const found: InterruptedUpload[] = [];
  const mine = `tus::tonearm-${owner}-`;
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i);
    if (!key?.startsWith("tus::")) continue;
    if (key.startsWith("tus::tonearm-") && !key.startsWith(mine)) continue;
    try {
      const value = JSON.parse(storage.getItem(key) ?? "null") as {
        uploadUrl?: unknown;
        size?: unknown;
        metadata?: { filename?: unknown };
        creationTime?: unknown;
      } | null;
      if (!value || typeof value.uploadUrl !== "string") continue;
      found.push({
        storageKey: key,
        uploadUrl: value.uploadUrl,
        filename:
          typeof value.metadata?.filename === "string" ? value.metadata.filename : "a file",
        size: typeof value.size === "number" ? value.size : 0,
        createdAt: typeof value.creationTime === "string" ? value.creationTime : "",
      });
    } catch {
      // someone else's key: ignore it
    }
  }
  return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}
