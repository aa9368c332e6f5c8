/** An upload transport the tests drive by hand, and files to give it. */
import type { FileLike, Transport, TransportEvents, UploadOptions } from "../lib/uploads";

export class FakeTransport implements Transport {
  started: { file: FileLike; events: TransportEvents; options: UploadOptions; aborted: boolean }[] = [];

  start(file: FileLike, events: TransportEvents, options: UploadOptions) {
    const run = { file, events, options, aborted: false };
    this.started.push(run);
    return { abort: () => void (run.aborted = true) };
  }

  run(name: string) {
    const found = this.started.find((r) => r.file.name === name);
    if (!found) throw new Error(`${name} was not started`);
    return found;
  }
}

export const file = (name: string, size = 1000, type = "audio/flac"): FileLike => ({
  name,
  size,
  type,
  lastModified: 1700000000000,
});
