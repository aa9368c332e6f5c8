/**
 * Folders dropped on the page or picked with the folder picker: every file inside, at any
 * depth, of which only audio is sent (a music folder also holds covers, cue sheets,
 * logs). Files a person picks one by one are all sent: the queue says why one is refused.
 */

import { isLyricsFile, stem } from "./lyrics";

/** Extensions of the audio formats tonearm reads. */
export const AUDIO_EXTENSIONS = [
  "flac", "mp3", "m4a", "m4b", "aac", "alac", "ogg", "oga", "opus", "wav", "wave", "aif",
  "aiff", "aifc", "wv", "ape", "wma", "mka", "mp2", "mpc", "dsf", "dff", "caf", "tta", "webm",
];
const AUDIO = new Set(AUDIO_EXTENSIONS);

/** The file picker's `accept`. */
export const ACCEPT = ["audio/*", ...AUDIO_EXTENSIONS.map((e) => `.${e}`)].join(",");

export function extension(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/** Whether a file found in a folder is audio, by its extension (or its type). */
export function isAudioFile(file: { name: string; type: string }): boolean {
  if (file.name.startsWith(".")) return false; // ._x.flac: macOS metadata, not audio
  return AUDIO.has(extension(file.name)) || (file.type.startsWith("audio/") && extension(file.name) !== "m3u");
}

/** The parts of FileSystemEntry the walk needs (a fake one in the tests). */
export interface Entry {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?(ok: (file: File) => void, fail: (error: unknown) => void): void;
  createReader?(): { readEntries(ok: (entries: Entry[]) => void, fail: (error: unknown) => void): void };
}

/** Every file under `entry`, depth first, in name order within a folder. */
export async function walk(entry: Entry): Promise<File[]> {
  if (entry.isFile && entry.file) {
    const fileOf = entry.file.bind(entry);
    return [await new Promise<File>((ok, fail) => fileOf(ok, fail))];
  }
  if (!entry.isDirectory || !entry.createReader) return [];
  const reader = entry.createReader();
  const children: Entry[] = [];
  // readEntries answers in batches (100 in Chromium) until an empty one.
  for (;;) {
    const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) break;
    children.push(...batch);
  }
  children.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));
  const files: File[] = [];
  for (const child of children) files.push(...(await walk(child)));
  return files;
}

/**
 * What a drop holds: loose files as they are, and the audio files inside dropped folders.
 * The entries must be taken before the drop handler returns (the DataTransfer empties).
 */
export async function droppedFiles(
  items: readonly { kind: string; webkitGetAsEntry(): Entry | null; getAsFile(): File | null }[],
): Promise<File[]> {
  const taken = items
    .filter((item) => item.kind === "file")
    .map((item) => ({ entry: item.webkitGetAsEntry(), file: item.getAsFile() }));
  const files: File[] = [];
  for (const { entry, file } of taken) {
    if (entry?.isDirectory) {
      files.push(...audioAndLyrics(await walk(entry).catch(() => [] as File[])));
    } else if (file) {
      files.push(file);
    }
  }
  return files;
}

/**
 * The audio files a folder picker (`webkitdirectory`) chose, in path order, with the
 * lyrics files (`.lrc`, `.txt`) named like one of them.
 */
export function pickedFolder(files: readonly File[]): File[] {
  const path = (f: File) => f.webkitRelativePath || f.name;
  return audioAndLyrics(files).sort((a, b) => path(a).localeCompare(path(b), undefined, { numeric: true }));
}

/**
 * The audio in a folder, and the lyrics files beside it of the same name (the upload
 * page saves them as the tracks' lyrics); a folder's other text files (rip logs,
 * notes) are left out.
 */
export function audioAndLyrics<F extends { name: string; type: string }>(files: readonly F[]): F[] {
  const stems = new Set(files.filter(isAudioFile).map((f) => stem(f.name)));
  return files.filter((f) => isAudioFile(f) || (isLyricsFile(f) && stems.has(stem(f.name))));
}
